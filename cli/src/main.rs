//! `citybond`: CityBond's command line. See `citybond --help` and [`citybond_cli::app`].

fn main() -> std::process::ExitCode {
	citybond_cli::app::main()
}
