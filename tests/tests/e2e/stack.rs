//! The one-command stack (`citybond-dev`, what `scripts/dev.sh` runs) comes up and resumes:
//! - the launcher binary, on a fresh data folder and free ports, starts the node, deploys the
//!   contracts, the demo bond and the KPI feeds, and starts the twin, three oracles and the API;
//! - the API serves the demo bond (list and detail, issued and active) over HTTP;
//! - both KPI feeds get values from the three oracles (three reports each, a decided status),
//!   seen through the API's KPI view;
//! - the launcher tends the demo bond: Bob funds coupon 0 and Charlie's claim of it shows in his
//!   investor view;
//! - stopped with SIGTERM, the launcher leaves no process behind; started again on the same
//!   folder it resumes the chain and serves the same bond, without deploying anything.
//!
//! Short periods (20 s KPI periods, 60 s coupon periods) keep the wall time to a few minutes.

// Test code: small sums of seconds; a failed expectation may panic.
#![allow(clippy::arithmetic_side_effects, clippy::unwrap_used, clippy::expect_used)]

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value as Json;
use std::{
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The launcher, started with its output in `out`; killed if dropped still running.
struct Launcher {
	child: Child,
	out: PathBuf,
}

impl Launcher {
	fn start(data: &Path, out: &Path, ports: [u16; 3]) -> Result<Self> {
		let [rpc, api, twin] = ports;
		let log = std::fs::File::create(out)?;
		let child = Command::new(env!("CARGO_BIN_EXE_citybond-dev"))
			.args(["--data-dir", data.to_str().unwrap()])
			.args(["--rpc-port", &rpc.to_string()])
			.args(["--api-port", &api.to_string()])
			.args(["--twin-port", &twin.to_string()])
			.args(["--kpi-period-secs", "20", "--coupon-period-secs", "60", "--coupons", "4"])
			.stdin(Stdio::null())
			.stdout(log.try_clone()?)
			.stderr(log)
			.spawn()?;
		Ok(Self { child, out: out.to_path_buf() })
	}

	fn output(&self) -> String {
		std::fs::read_to_string(&self.out).unwrap_or_default()
	}

	/// Waits until the launcher prints that the stack is up.
	async fn wait_up(&mut self, timeout: Duration) -> Result<()> {
		let started = Instant::now();
		loop {
			if self.output().contains("CityBond dev stack is up.") {
				return Ok(());
			}
			if let Some(status) = self.child.try_wait()? {
				bail!("the launcher exited with {status}:\n{}", self.output());
			}
			if started.elapsed() > timeout {
				bail!("the stack was not up within {timeout:?}:\n{}", self.output());
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}

	/// SIGTERM, as Ctrl-C in a terminal would; waits for it to exit.
	fn terminate(&mut self) -> Result<std::process::ExitStatus> {
		Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
		let started = Instant::now();
		loop {
			if let Some(status) = self.child.try_wait()? {
				return Ok(status);
			}
			ensure!(started.elapsed() < Duration::from_secs(60), "the launcher did not stop");
			std::thread::sleep(Duration::from_millis(200));
		}
	}
}

impl Drop for Launcher {
	fn drop(&mut self) {
		if let Ok(None) = self.child.try_wait() {
			let _ = self.terminate();
		}
	}
}

/// Processes whose command line or environment mention `data`: the stack's children.
fn processes_of(data: &Path) -> Vec<u32> {
	let dir = data.to_string_lossy().into_owned();
	let mut found = Vec::new();
	for entry in std::fs::read_dir("/proc").unwrap().flatten() {
		let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
			continue;
		};
		let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
		let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
		let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
		let zombie = stat.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z');
		let mentions = |bytes: &[u8]| String::from_utf8_lossy(bytes).contains(&dir);
		if !zombie && pid != std::process::id() && (mentions(&cmdline) || mentions(&environ)) {
			found.push(pid);
		}
	}
	found
}

async fn get(http: &reqwest::Client, url: &str) -> Result<Json> {
	let res = http.get(url).send().await.with_context(|| format!("GET {url}"))?;
	ensure!(res.status().is_success(), "GET {url}: {}", res.status());
	Ok(res.json().await?)
}

/// Every event the stack's oracles wrote (one JSON object per line of `oracles/*.events`).
fn oracle_events(data: &Path) -> Result<Vec<Json>> {
	let mut events = Vec::new();
	for entry in std::fs::read_dir(data.join("oracles"))? {
		let path = entry?.path();
		if path.extension().is_some_and(|e| e == "events") {
			let text = std::fs::read_to_string(&path)?;
			events.extend(text.lines().filter_map(|line| serde_json::from_str::<Json>(line).ok()));
		}
	}
	Ok(events)
}

fn state(data: &Path) -> Result<Json> {
	Ok(serde_json::from_str(&std::fs::read_to_string(data.join("state.json"))?)?)
}

/// Waits until the API's view of `feed` shows a period decided by two reports (the demo's
/// quorum: two of the three operators); returns it.
async fn decided_period(http: &reqwest::Client, api: &str, feed: u64) -> Result<Json> {
	let url = format!("{api}/v1/feeds/{feed}/kpis");
	let deadline = Instant::now() + Duration::from_secs(120);
	loop {
		let series = get(http, &url).await?;
		let decided = series["points"].as_array().into_iter().flatten().find(|p| {
			matches!(p["status"].as_str(), Some("provisional" | "final")) && p["reports"] == 2
		});
		if let Some(point) = decided {
			return Ok(point.clone());
		}
		if Instant::now() > deadline {
			bail!("feed {feed} has no period decided by two oracles: {series}");
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_stack_comes_up_serves_the_demo_bond_and_kpis_and_resumes_after_a_restart() -> Result<()>
{
	let dir = tempfile::tempdir()?;
	let data = dir.path().join("data");
	let free = citybond_e2e::node::free_port;
	let ports = [free()?, free()?, free()?];
	let api = format!("http://127.0.0.1:{}", ports[1]);
	let http = reqwest::Client::new();

	let mut launcher = Launcher::start(&data, &dir.path().join("first.out"), ports)?;
	launcher.wait_up(Duration::from_secs(300)).await?;
	let first = launcher.output();
	let deployed = state(&data)?;
	let bond = deployed["green_bond"].as_str().context("no bond in state.json")?.to_string();
	ensure!(deployed["bond_live"] == true, "{deployed}");
	ensure!(first.contains(&bond) && first.contains(&api), "the summary names the bond:\n{first}");

	// The API serves the demo bond: issued, with its KPI links.
	let list = get(&http, &format!("{api}/v1/bonds")).await?;
	ensure!(list["total"] == 1 && list["items"][0]["address"] == bond.as_str(), "{list}");
	let detail = get(&http, &format!("{api}/v1/bonds/{bond}")).await?;
	ensure!(detail["isin"] == "NL00CBRTM261", "{detail}");
	ensure!(detail["status"] == "Active" && detail["units_issued"] == "500", "{detail}");
	ensure!(detail["terms"]["kpis"].as_array().is_some_and(|k| k.len() == 2), "{detail}");

	// Both feeds get values from two of the three oracles; the third's report for the period
	// came after the quorum and is recorded as superseded, not as a rejection.
	for feed in ["energy_feed", "water_feed"] {
		let id = deployed[feed].as_u64().context("feed id")?;
		let point = decided_period(&http, &api, id).await?;
		ensure!(point["value"].as_str().is_some_and(|v| v.parse::<i64>().is_ok()), "{point}");
		let period = point["period"].as_u64().context("period")?;
		let superseded = citybond_e2e::api_client::poll(
			&format!("the third oracle's report of feed {id} period {period} superseded"),
			Duration::from_secs(60),
			|| async {
				let events = oracle_events(&data)?;
				let of_period = |e: &&Json| {
					e["feed"].as_u64() == Some(id) && e["period"].as_u64() == Some(period)
				};
				let superseded =
					events.iter().filter(of_period).filter(|e| e["event"] == "superseded").count();
				let rejected =
					events.iter().filter(of_period).filter(|e| e["event"] == "rejected").count();
				ensure!(rejected == 0, "a report of the period was rejected: {events:?}");
				Ok(if superseded == 1 { Ok(superseded) } else { Err(format!("{superseded}")) })
			},
		)
		.await;
		superseded?;
	}

	// The launcher tends the demo bond: Bob funds coupon 0 after its record date, the
	// investors claim it after the payment date. Charlie's 20 units at the base 3.50 % for half
	// a year: 20 × 17.50.
	let client = citybond_e2e::api_client::Api::new(&api);
	let token = client.sign_in(&subxt_signer::sr25519::dev::charlie()).await?;
	let path = format!("/v1/investor/bonds/{bond}");
	let position = citybond_e2e::api_client::poll(
		"Charlie's coupon 0 claimed",
		Duration::from_secs(150),
		|| async {
			let p = client.get_as(&path, Some(&token)).await?;
			let claimed = p["coupons_claimed"].as_array().is_some_and(|c| !c.is_empty());
			Ok(if claimed { Ok(p) } else { Err(p.to_string()) })
		},
	)
	.await?;
	let claim = &position["coupons_claimed"][0];
	ensure!(claim["record"] == 0 && claim["units"] == "20", "{position}");
	ensure!(claim["coupon"] == "35000", "20 units x 17.50: {position}");
	ensure!(
		launcher.output().contains("coupon 0: 17.50 per unit on 500 units"),
		"{}",
		launcher.output()
	);

	// SIGTERM stops every process of the stack.
	let status = launcher.terminate()?;
	ensure!(status.success(), "the launcher exited with {status}:\n{}", launcher.output());
	let left = processes_of(&data);
	ensure!(left.is_empty(), "processes left running: {left:?}");

	// Started again, it resumes: the same bond, nothing deployed.
	let mut launcher = Launcher::start(&data, &dir.path().join("second.out"), ports)?;
	launcher.wait_up(Duration::from_secs(180)).await?;
	let second = launcher.output();
	ensure!(!second.contains("deploying") && !second.contains("new report key"), "{second}");
	ensure!(second.contains("reusing the demo green bond"), "{second}");
	ensure!(state(&data)?["green_bond"] == bond.as_str(), "state.json changed");
	let list = get(&http, &format!("{api}/v1/bonds")).await?;
	ensure!(list["total"] == 1 && list["items"][0]["address"] == bond.as_str(), "{list}");
	let status = launcher.terminate()?;
	ensure!(status.success(), "the launcher exited with {status}:\n{}", launcher.output());
	ensure!(processes_of(&data).is_empty(), "processes left running after the second run");
	Ok(())
}
