//! The `citybond-oracle` binary's behaviour on bad input: key files, unreachable nodes and
//! brokers, malformed reports; and the twin subcommand serving over HTTP.

// Tests unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
	io::{BufRead, BufReader},
	os::unix::fs::PermissionsExt,
	path::Path,
	process::{Command, Output, Stdio},
};

fn oracle(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_citybond-oracle"))
		.args(args)
		.env("RUST_LOG", "warn")
		.env_remove("CITYBOND_ORACLE_CONFIG")
		.output()
		.unwrap()
}

fn stderr(output: &Output) -> String {
	String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A node URL nobody answers at.
fn dead_node() -> String {
	let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	format!("ws://127.0.0.1:{port}")
}

fn path(path: &Path) -> &str {
	path.to_str().unwrap()
}

#[test]
fn keygen_writes_a_private_key_file_once_and_prints_only_the_public_key() {
	let dir = tempfile::tempdir().unwrap();
	let key = dir.path().join("operator.key");
	let out = oracle(&["keygen", "--out", path(&key)]);
	assert!(out.status.success(), "{}", stderr(&out));
	let public = String::from_utf8(out.stdout.clone()).unwrap();
	assert_eq!(public.trim().len(), 64, "{public}");
	let secret = std::fs::read_to_string(&key).unwrap();
	assert_ne!(secret.trim(), public.trim());
	assert!(!stderr(&out).contains(secret.trim()), "the secret never reaches the logs");
	assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
	let again = oracle(&["keygen", "--out", path(&key)]);
	assert_eq!(again.status.code(), Some(5), "{}", stderr(&again));
	assert_eq!(std::fs::read_to_string(&key).unwrap(), secret, "never overwritten");
}

#[test]
fn run_refuses_a_key_file_others_can_read_and_a_node_that_is_down() {
	let dir = tempfile::tempdir().unwrap();
	let key = dir.path().join("operator.key");
	assert!(oracle(&["keygen", "--out", path(&key)]).status.success());
	let node = dead_node();
	let down = oracle(&["run", "--once", "--key-file", path(&key), "--node", &node]);
	assert_eq!(down.status.code(), Some(3), "node down: {}", stderr(&down));
	assert!(stderr(&down).contains("node unreachable"), "{}", stderr(&down));

	std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
	let open = oracle(&["run", "--once", "--key-file", path(&key), "--node", &node]);
	assert_eq!(open.status.code(), Some(5), "{}", stderr(&open));
	assert!(stderr(&open).contains("chmod 600"), "{}", stderr(&open));

	let missing = oracle(&["run", "--once", "--node", &node]);
	assert_eq!(missing.status.code(), Some(2), "no key file: {}", stderr(&missing));
}

#[test]
fn bad_configuration_and_malformed_reports_are_clear_errors() {
	let dir = tempfile::tempdir().unwrap();
	let config = dir.path().join("oracle.toml");
	std::fs::write(&config, "node = \"ws://x\"\n[[feed]]\nid = 0\nbroker = \"http://b\"\n")
		.unwrap();
	let out = oracle(&["run", "--config", path(&config)]);
	assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
	assert!(stderr(&out).contains("oracle.toml"), "{}", stderr(&out));

	let report = dir.path().join("report.json");
	std::fs::write(&report, "{\"feed\": 0}").unwrap();
	let out = oracle(&["submit", "--report", path(&report), "--node", &dead_node()]);
	assert!(!out.status.success());
	assert!(stderr(&out).contains("not a signed report"), "{}", stderr(&out));
}

#[test]
fn health_fails_when_node_and_broker_are_down() {
	let dir = tempfile::tempdir().unwrap();
	let config = dir.path().join("oracle.toml");
	let broker = dead_node().replace("ws://", "http://");
	std::fs::write(
		&config,
		format!(
			"node = \"{}\"\n[[feed]]\nid = 0\nbroker = \"{broker}\"\nentity = \"urn:e\"\n\
			 attribute = \"a\"\nunit = \"KWH\"\nformula = {{ kind = \"delta\" }}\n",
			dead_node()
		),
	)
	.unwrap();
	let out = oracle(&["health", "--config", path(&config)]);
	assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
	let lines = String::from_utf8(out.stdout).unwrap();
	assert!(lines.contains("\"check\":\"broker\"") && lines.contains("\"ok\":false"), "{lines}");
}

#[test]
fn the_twin_subcommand_prints_its_address_and_serves_ngsi_ld() {
	let mut child = Command::new(env!("CARGO_BIN_EXE_citybond-oracle"))
		.args(["twin", "--port", "0", "--scenario", "under-performing"])
		.stdout(Stdio::piped())
		.stderr(Stdio::null())
		.spawn()
		.unwrap();
	let mut line = String::new();
	BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
	let url = line.trim().rsplit(' ').next().unwrap().to_string();
	let runtime = tokio::runtime::Runtime::new().unwrap();
	let body = runtime.block_on(async {
		reqwest::get(format!("{url}/twin/scenario")).await.unwrap().text().await.unwrap()
	});
	child.kill().unwrap();
	child.wait().unwrap();
	assert_eq!(body, "{\"scenario\":\"under-performing\"}");
}

#[test]
fn flags_and_environment_override_the_config_file() {
	let dir = tempfile::tempdir().unwrap();
	let key = dir.path().join("operator.key");
	assert!(oracle(&["keygen", "--out", path(&key)]).status.success());
	let (from_file, from_env, from_flag) = (dead_node(), dead_node(), dead_node());
	let config = dir.path().join("oracle.toml");
	std::fs::write(&config, format!("node = \"{from_file}\"\nkey_file = \"{}\"\n", path(&key)))
		.unwrap();
	let run = |env: Option<&str>, flag: Option<&str>| {
		let mut command = Command::new(env!("CARGO_BIN_EXE_citybond-oracle"));
		command.args(["run", "--once", "--config", path(&config)]);
		if let Some(flag) = flag {
			command.args(["--node", flag]);
		}
		match env {
			Some(env) => command.env("CITYBOND_ORACLE_NODE", env),
			None => command.env_remove("CITYBOND_ORACLE_NODE"),
		};
		stderr(&command.output().unwrap())
	};
	assert!(run(None, None).contains(&from_file));
	assert!(run(Some(&from_env), None).contains(&from_env));
	assert!(run(Some(&from_env), Some(&from_flag)).contains(&from_flag));
}
