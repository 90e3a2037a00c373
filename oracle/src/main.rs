//! `citybond-oracle`: see `citybond-oracle --help` and the crate docs.

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
	let args = cli::Cli::parse();
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_writer(std::io::stderr)
		.init();
	match cli::run(args).await {
		Ok(code) => std::process::ExitCode::from(code),
		Err(error) => {
			eprintln!("error: {error:#}");
			std::process::ExitCode::from(cli::exit_code(&error))
		}
	}
}
