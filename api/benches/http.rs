//! Benchmark of the API (a script, not a test; `harness = false`): requests/s and latency
//! percentiles of a bond detail (`GET /v1/bonds/{address}`) and an investor's holdings
//! (`GET /v1/investor/holdings`, signed in through the real challenge/session flow) against a
//! bare axum handler that returns the same JSON body, in the same process and run; on SQLite and
//! PostgreSQL; then the indexer's catch-up from genesis in blocks/s against a dev node.
//!
//! Run it through `bench/api.sh` (starts PostgreSQL, writes `bench/results/api.md`), or:
//! `cargo bench -p citybond-api --bench http` with, optionally:
//! - `CITYBOND_TEST_POSTGRES_URL`: the PostgreSQL server (a fresh database is created and
//!   dropped); without it only SQLite runs;
//! - `BENCH_SECS` (default 10): measured seconds per target, after 1 s of warm-up;
//! - `BENCH_CLIENTS` (default 10): concurrent keep-alive connections;
//! - `BENCH_CATCHUP_SECS` (default 90, 0 to skip): how long a `--dev` node runs with identity
//!   registrations before the indexer catches up from genesis (`CITYBOND_NODE`, default
//!   `$CARGO_TARGET_DIR/release/citybond-node`; bundles in `$CARGO_TARGET_DIR/ink`).
//!
//! The database is seeded through the indexer's own writer (`store::write_block`) with 4 green
//! bonds, 400 investors, 150 subscribers per bond and about 2 200 contract events. Rate limiting
//! is set to `u32::MAX` per minute so it never refuses a request. The client is a minimal
//! HTTP/1.1 keep-alive client over tokio (no extra dependency); the client, both servers and the
//! database share the machine's cores. Output: Markdown on stdout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use citybond_api::{
	config::HttpSettings,
	indexer::Indexer,
	ink::InkBundle,
	model::*,
	store::{self, Written},
	AppState,
};
use serde_json::{json, Value};
use sqlx::AnyPool;
use std::{
	net::SocketAddr,
	path::PathBuf,
	sync::Arc,
	time::{Duration, Instant},
};
use subxt_signer::sr25519::dev;
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::TcpStream,
};

const DAY: u64 = 86_400_000;
const BONDS: usize = 4;
const INVESTORS: usize = 400;
const SUBSCRIBERS: usize = 150;
const SECONDARY_TRANSFERS: usize = 100;
const CLAIMS: usize = 60;

fn hex32(b: [u8; 32]) -> String {
	format!("0x{}", hex::encode(b))
}

fn acc(k: &subxt_signer::sr25519::Keypair) -> String {
	hex32(k.public_key().0)
}

fn investor(i: usize) -> String {
	let mut b = [0x10u8; 32];
	b[..8].copy_from_slice(&(i as u64).to_be_bytes());
	hex32(b)
}

fn bond_address(i: usize) -> String {
	hex32([0xb0 + i as u8; 32])
}

fn env_u64(name: &str, default: u64) -> u64 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

// ---------------------------------------------------------------- seeding

fn registered(account: String, roles: u8, category: Option<&str>) -> EventBody {
	EventBody::Identity(IdentityEvent::Registered {
		source: "Genesis".into(),
		account,
		status: "Active".into(),
		roles,
		lei: None,
		jurisdiction: "NL".into(),
		category: category.map(String::from),
	})
}

fn contract(address: &str, name: &str, fields: Value) -> EventBody {
	EventBody::Contract(ContractEvent {
		contract: address.into(),
		kind: "green_bond".into(),
		name: name.into(),
		fields,
		bond: None,
	})
}

fn bond_created(address: &str, issuer: &str, isin: &str, now: u64) -> EventBody {
	let terms = json!({
		"isin": isin,
		"issuer": issuer,
		"currency": hex32([0xca; 32]),
		"denomination": 100_000,
		"issue_size": 100_000_000,
		"coupon_rate_bps": 425,
		"coupon_floor_bps": 0,
		"coupon_cap_bps": 1000,
		"maturity_date": now + 400 * DAY,
		"kpis": [{ "feed": 0, "direction": "AtOrAbove", "step_bps": 25, "targets": [
			{ "observation_period": 1, "feed_period": 1, "target": 1_000_000, "observation_date": now },
		] }],
		"use_of_proceeds": ["GreenBuildings", "RenewableEnergy"],
	});
	let schedule: Vec<Value> = (0..4u64)
		.map(|i| {
			let start = now - 200 * DAY + i * 180 * DAY;
			json!({ "index": i, "accrual_start": start, "accrual_end": start + 180 * DAY,
				"record_date": start + 179 * DAY, "payment_date": start + 180 * DAY,
				"fraction": { "numerator": 1, "denominator": 2 } })
		})
		.collect();
	EventBody::Contract(ContractEvent {
		contract: address.into(),
		kind: "green_bond".into(),
		name: "BondCreated".into(),
		fields: json!({ "issuer": issuer, "isin": isin, "terms_hash": hex32([0x77; 32]),
			"periods": 4, "issue_size": 100_000_000 }),
		bond: Some(BondSnapshot { terms, schedule: Value::Array(schedule) }),
	})
}

/// The seeded chain history: genesis identities (a registrar, two issuers, 400 investors and
/// Charlie, the benchmarked investor, who subscribes to every bond), then per bond: creation,
/// 150 subscriptions, closing, allotments and unit issues, 100 secondary transfers, a coupon
/// fixed and funded, 60 claims, proceeds and impact reports; 50 events per block.
fn history() -> Vec<BlockData> {
	let now = chrono::Utc::now().timestamp_millis() as u64;
	let charlie = acc(&dev::charlie());
	let issuers = [acc(&dev::bob()), acc(&dev::ferdie())];
	let mut genesis = vec![registered(acc(&dev::alice()), 1, None)];
	genesis.extend(issuers.iter().map(|i| registered(i.clone(), 2, None)));
	genesis.push(registered(charlie.clone(), 4, Some("Retail")));
	genesis.extend((0..INVESTORS).map(|i| registered(investor(i), 4, Some("Retail"))));
	let genesis = genesis
		.into_iter()
		.enumerate()
		.map(|(i, body)| ChainEvent { index: -1 - i as i64, extrinsic: None, body })
		.collect();

	// (timestamp, event) in chain order.
	let mut timeline: Vec<(u64, EventBody)> = Vec::new();
	for b in 0..BONDS {
		let address = bond_address(b);
		let issuer = &issuers[b % 2];
		let at = |d: u64| now - (300 - d) * DAY + b as u64 * 1000;
		timeline.push((
			at(0),
			EventBody::Instantiated(Instantiated {
				deployer: acc(&dev::alice()),
				contract: address.clone(),
				kind: "green_bond".into(),
				code_hash: Some(hex32([0x11; 32])),
			}),
		));
		timeline.push((at(0), bond_created(&address, issuer, &format!("NL000000000{b}"), now)));
		let subscribers: Vec<String> = std::iter::once(charlie.clone())
			.chain((0..SUBSCRIBERS - 1).map(|i| investor((b * 83 + i) % INVESTORS)))
			.collect();
		for (i, inv) in subscribers.iter().enumerate() {
			let amount = 100_000 * (1 + i as u64 % 5);
			timeline.push((
				at(1),
				contract(
					&address,
					"Subscribed",
					json!({ "investor": inv, "amount": amount, "total": amount, "priority": i % 3 == 0 }),
				),
			));
		}
		let units: Vec<u64> = (0..subscribers.len()).map(|i| 1 + i as u64 % 5).collect();
		let total_units: u64 = units.iter().sum();
		timeline.push((
			at(10),
			contract(
				&address,
				"BookClosed",
				json!({ "outcome": "Issued", "units": total_units, "raised": total_units * 100_000, "refunds": 0 }),
			),
		));
		for (inv, u) in subscribers.iter().zip(&units) {
			timeline.push((
				at(10),
				contract(&address, "Allotted", json!({ "investor": inv, "units": u, "refund": 0 })),
			));
			timeline.push((
				at(10),
				contract(&address, "Transfer", json!({ "from": null, "to": inv, "value": u })),
			));
		}
		for t in 0..SECONDARY_TRANSFERS {
			let from = &subscribers[1 + (t * 7) % (subscribers.len() - 1)];
			let to = investor((b * 83 + SUBSCRIBERS + t) % INVESTORS);
			timeline.push((
				at(20 + t as u64),
				contract(&address, "Transfer", json!({ "from": from, "to": to, "value": 1 })),
			));
		}
		timeline.push((
			at(185),
			contract(
				&address,
				"CouponRateFixed",
				json!({ "period": 0, "rate_bps": 425, "per_unit": 2_125, "assessments": [] }),
			),
		));
		timeline.push((
			at(186),
			contract(
				&address,
				"PaymentFunded",
				json!({ "payment": { "Coupon": 0 }, "amount": total_units * 2_125,
					"funded": total_units * 2_125, "due": total_units * 2_125 }),
			),
		));
		for c in 0..CLAIMS {
			let holder = &subscribers[1 + c];
			timeline.push((
				at(187),
				contract(
					&address,
					"Claimed",
					json!({ "holder": holder, "beneficiary": holder, "record": 0,
						"units": units[1 + c], "coupon": units[1 + c] * 2_125, "principal": 0 }),
				),
			));
		}
		timeline.push((
			at(190),
			contract(
				&address,
				"ProceedsAllocated",
				json!({ "entries": [["GreenBuildings", 700_000]], "document": hex32([0x33; 32]),
					"total_allocated": 700_000 }),
			),
		));
		timeline.push((
			at(200),
			contract(
				&address,
				"ImpactReported",
				json!({ "index": 0, "entries": [["GreenBuildings", 1_000]], "document": hex32([0x44; 32]) }),
			),
		));
	}
	timeline.sort_by_key(|(ts, _)| *ts);

	let hash = |n: u64| {
		let mut h = [0x42u8; 32];
		h[..8].copy_from_slice(&n.to_be_bytes());
		hex32(h)
	};
	let mut blocks = vec![BlockData {
		number: 0,
		hash: hash(0),
		parent_hash: hex32([0; 32]),
		timestamp_ms: 0,
		events: genesis,
	}];
	for (i, chunk) in timeline.chunks(50).enumerate() {
		let number = i as u64 + 1;
		blocks.push(BlockData {
			number,
			hash: hash(number),
			parent_hash: hash(number - 1),
			timestamp_ms: chunk.iter().map(|(ts, _)| *ts).max().unwrap_or(0),
			events: chunk
				.iter()
				.enumerate()
				.map(|(j, (_, body))| ChainEvent {
					index: j as i64,
					extrinsic: Some(1),
					body: body.clone(),
				})
				.collect(),
		});
	}
	blocks
}

// ---------------------------------------------------------------- databases

#[derive(Clone, Copy, PartialEq)]
enum Engine {
	Sqlite,
	Postgres,
}

impl Engine {
	fn name(self) -> &'static str {
		match self {
			Engine::Sqlite => "SQLite",
			Engine::Postgres => "PostgreSQL",
		}
	}
}

struct Db {
	pool: AnyPool,
	_dir: Option<tempfile::TempDir>,
	pg: Option<(String, String)>,
}

impl Db {
	async fn new(engine: Engine) -> Db {
		sqlx::any::install_default_drivers();
		match engine {
			Engine::Sqlite => {
				let dir = tempfile::tempdir().unwrap();
				let url = format!("sqlite://{}?mode=rwc", dir.path().join("api.db").display());
				let pool = citybond_api::db::connect(&url).await.unwrap();
				Db { pool, _dir: Some(dir), pg: None }
			}
			Engine::Postgres => {
				let admin = std::env::var("CITYBOND_TEST_POSTGRES_URL").unwrap();
				let name = format!(
					"citybond_bench_{}_{}",
					std::process::id(),
					hex::encode(rand::random::<[u8; 4]>())
				);
				let admin_pool = AnyPool::connect(&admin).await.unwrap();
				sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin_pool).await.unwrap();
				admin_pool.close().await;
				let (base, _) = admin.rsplit_once('/').unwrap();
				let pool = citybond_api::db::connect(&format!("{base}/{name}")).await.unwrap();
				Db { pool, _dir: None, pg: Some((admin, name)) }
			}
		}
	}

	async fn close(self) {
		self.pool.close().await;
		if let Some((admin, name)) = self.pg {
			let admin_pool = AnyPool::connect(&admin).await.unwrap();
			let _ =
				sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&admin_pool).await;
			admin_pool.close().await;
		}
	}
}

// ---------------------------------------------------------------- a minimal HTTP/1.1 client

struct Conn {
	stream: TcpStream,
	buf: Vec<u8>,
}

impl Conn {
	async fn open(addr: SocketAddr) -> Conn {
		let stream = TcpStream::connect(addr).await.unwrap();
		stream.set_nodelay(true).unwrap();
		Conn { stream, buf: Vec::with_capacity(64 * 1024) }
	}

	/// Sends a request and reads the whole response (Content-Length framing, as axum sets for
	/// JSON bodies); returns the status and the body.
	async fn request(&mut self, raw: &[u8]) -> (u16, Vec<u8>) {
		self.stream.write_all(raw).await.unwrap();
		self.buf.clear();
		let mut chunk = [0u8; 16 * 1024];
		loop {
			if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
				let head = std::str::from_utf8(&self.buf[..end]).unwrap().to_ascii_lowercase();
				let status: u16 = head[9..12].parse().unwrap();
				let length: usize = head
					.lines()
					.find_map(|l| l.strip_prefix("content-length:"))
					.map(|v| v.trim().parse().unwrap())
					.expect("response without content-length");
				let total = end + 4 + length;
				while self.buf.len() < total {
					let n = self.stream.read(&mut chunk).await.unwrap();
					assert!(n > 0, "connection closed mid-body");
					self.buf.extend_from_slice(&chunk[..n]);
				}
				return (status, self.buf[end + 4..total].to_vec());
			}
			let n = self.stream.read(&mut chunk).await.unwrap();
			assert!(n > 0, "connection closed before a response");
			self.buf.extend_from_slice(&chunk[..n]);
		}
	}
}

fn get(path: &str, token: Option<&str>) -> Vec<u8> {
	let auth = token.map(|t| format!("authorization: Bearer {t}\r\n")).unwrap_or_default();
	format!("GET {path} HTTP/1.1\r\nhost: bench\r\n{auth}\r\n").into_bytes()
}

fn post(path: &str, body: &Value) -> Vec<u8> {
	let body = body.to_string();
	format!(
		"POST {path} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
		body.len()
	)
	.into_bytes()
}

async fn fetch_json(addr: SocketAddr, raw: &[u8]) -> Value {
	let (status, body) = Conn::open(addr).await.request(raw).await;
	let v: Value = serde_json::from_slice(&body).unwrap();
	assert_eq!(status, 200, "{v}");
	v
}

struct Figures {
	requests: usize,
	errors: usize,
	rps: f64,
	p50: Duration,
	p99: Duration,
	bytes: usize,
}

/// `clients` connections send `raw` back to back for 1 s of warm-up, then for `secs`.
async fn drive(addr: SocketAddr, raw: Vec<u8>, clients: usize, secs: u64) -> Figures {
	let raw = Arc::new(raw);
	let warm = Instant::now() + Duration::from_secs(1);
	let end = warm + Duration::from_secs(secs);
	let mut tasks = Vec::new();
	for _ in 0..clients {
		let raw = raw.clone();
		tasks.push(tokio::spawn(async move {
			let mut conn = Conn::open(addr).await;
			let mut lat = Vec::with_capacity(100_000);
			let (mut errors, mut bytes) = (0usize, 0usize);
			loop {
				let start = Instant::now();
				if start >= end {
					break;
				}
				let (status, body) = conn.request(&raw).await;
				if start >= warm {
					lat.push(start.elapsed());
					errors += usize::from(status != 200);
					bytes = body.len();
				}
			}
			(lat, errors, bytes)
		}));
	}
	let (mut all, mut errors, mut bytes) = (Vec::new(), 0, 0);
	for t in tasks {
		let (lat, e, b) = t.await.unwrap();
		all.extend(lat);
		errors += e;
		bytes = b;
	}
	all.sort();
	let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
	Figures {
		requests: all.len(),
		errors,
		rps: all.len() as f64 / secs as f64,
		p50: pct(0.50),
		p99: pct(0.99),
		bytes,
	}
}

async fn listen() -> (tokio::net::TcpListener, SocketAddr) {
	let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let a = l.local_addr().unwrap();
	(l, a)
}

fn ms(d: Duration) -> String {
	format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Seeds `engine`, serves the API and the bare handler, and measures both views.
async fn http_bench(engine: Engine, clients: usize, secs: u64) -> (Vec<String>, String) {
	let db = Db::new(engine).await;
	let blocks = history();
	let seeding = Instant::now();
	for b in &blocks {
		assert_eq!(store::write_block(&db.pool, b).await.unwrap(), Written::Applied);
	}
	let seeded = seeding.elapsed();
	let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contract_events")
		.fetch_one(&db.pool)
		.await
		.unwrap();
	eprintln!(
		"{}: seeded {} blocks, {events} contract events in {:.1} s",
		engine.name(),
		blocks.len(),
		seeded.as_secs_f64()
	);

	// Where a bond detail's time goes, one request at a time: the SELECT of the bond's events
	// alone, and `Facts::load` (that SELECT plus parsing and folding every event's JSON).
	let address = bond_address(0);
	let serial = |n: u32, took: Duration| took / n;
	let t = Instant::now();
	for _ in 0..100 {
		sqlx::query(
			"SELECT name, fields, timestamp_ms, block_number FROM contract_events
			 WHERE contract = $1 ORDER BY block_number, event_index",
		)
		.bind(&address)
		.fetch_all(&db.pool)
		.await
		.unwrap();
	}
	let select = serial(100, t.elapsed());
	let t = Instant::now();
	for _ in 0..100 {
		citybond_api::bond::Facts::load(&db.pool, &address).await.unwrap();
	}
	let load = serial(100, t.elapsed());
	let per_bond = events / BONDS as i64;
	let diag = format!(
		"{}: one bond's {per_bond} events, serially: SELECT {} ms, `Facts::load` {} ms",
		engine.name(),
		ms(select),
		ms(load)
	);
	eprintln!("{diag}");

	let settings = HttpSettings { rate_limit_per_minute: u32::MAX, ..HttpSettings::default() };
	let (api_listener, api) = listen().await;
	let state = AppState::new(db.pool.clone(), settings);
	let server = tokio::spawn(citybond_api::http::serve(api_listener, state));

	// Sign in as Charlie through the real flow.
	let charlie = dev::charlie();
	let ch =
		fetch_json(api, &post("/v1/auth/challenge", &json!({ "account": acc(&charlie) }))).await;
	let sig = charlie.sign(&citybond_api::auth::signed_bytes(ch["message"].as_str().unwrap()));
	let s = fetch_json(
		api,
		&post(
			"/v1/auth/session",
			&json!({ "nonce": ch["nonce"], "signature": format!("0x{}", hex::encode(sig.0)), "scheme": "sr25519" }),
		),
	)
	.await;
	let token = s["token"].as_str().unwrap().to_string();

	let bond_path = format!("/v1/bonds/{}", bond_address(0));
	let bond_body = fetch_json(api, &get(&bond_path, None)).await;
	let holdings_body = fetch_json(api, &get("/v1/investor/holdings", Some(&token))).await;
	assert_eq!(holdings_body["total"], json!(BONDS), "{holdings_body}");

	// The bare handlers: the same JSON values, serialised on each request.
	let (bare_listener, bare) = listen().await;
	let (b1, b2) = (Arc::new(bond_body), Arc::new(holdings_body));
	let bare_app = axum::Router::new()
		.route("/bond", axum::routing::get(move || async move { axum::Json((*b1).clone()) }))
		.route("/holdings", axum::routing::get(move || async move { axum::Json((*b2).clone()) }));
	let bare_server = tokio::spawn(async move { axum::serve(bare_listener, bare_app).await });

	let mut rows = Vec::new();
	for (view, api_req, bare_req) in [
		("bond detail", get(&bond_path, None), get("/bond", None)),
		(
			"investor holdings",
			get("/v1/investor/holdings", Some(&token)),
			get("/holdings", Some(&token)),
		),
	] {
		let a = drive(api, api_req, clients, secs).await;
		let b = drive(bare, bare_req, clients, secs).await;
		assert_eq!(a.errors + b.errors, 0, "non-200 responses during the run");
		for (target, f) in [("API", &a), ("bare axum", &b)] {
			eprintln!(
				"{} {view} {target}: {} requests, {:.0} req/s, p50 {} ms, p99 {} ms",
				engine.name(),
				f.requests,
				f.rps,
				ms(f.p50),
				ms(f.p99)
			);
		}
		let ratio = a.rps / b.rps;
		let verdict = |ok: bool| if ok { "yes" } else { "**no**" };
		rows.push(format!(
			"| {} | {view} | {} B | {:.0} | {} | {} | {:.0} | {} | {} | {:.3}× ({}) | {} |",
			engine.name(),
			a.bytes,
			a.rps,
			ms(a.p50),
			ms(a.p99),
			b.rps,
			ms(b.p50),
			ms(b.p99),
			ratio,
			verdict(ratio >= 0.5),
			verdict(a.p99 <= Duration::from_millis(5)),
		));
	}
	server.abort();
	bare_server.abort();
	db.close().await;
	(rows, diag)
}

// ---------------------------------------------------------------- indexer catch-up

fn target_dir() -> PathBuf {
	std::env::var_os("CARGO_TARGET_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"))
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

type Client = subxt::OnlineClient<subxt::SubstrateConfig>;

async fn finalized(client: &Client) -> u64 {
	client.at_current_block().await.unwrap().block_number()
}

/// Runs a `--dev` node for `secs` while Alice registers one new investor after another (each
/// waited for until finalized), then catches a fresh database of each engine up from genesis.
async fn catch_up_bench(engines: &[Engine], secs: u64) -> Result<Vec<String>, String> {
	let node_bin = std::env::var_os("CITYBOND_NODE")
		.map(PathBuf::from)
		.unwrap_or_else(|| target_dir().join("release").join("citybond-node"));
	let bundle = |name: &str| target_dir().join("ink").join(name).join(format!("{name}.contract"));
	if !node_bin.exists() {
		return Err(format!("no node binary at {}", node_bin.display()));
	}
	let bundles = vec![
		InkBundle::load("green_bond", &bundle("green_bond")).map_err(|e| e.to_string())?,
		InkBundle::load("cash_token", &bundle("cash_token")).map_err(|e| e.to_string())?,
	];
	let logs = tempfile::tempdir().unwrap();
	let log = std::fs::File::create(logs.path().join("node.log")).unwrap();
	let rpc = free_port();
	let p2p = free_port();
	let mut node = std::process::Command::new(&node_bin)
		.args(["--dev", "--tmp", "--no-telemetry", "--no-prometheus", "--no-mdns"])
		.args(["--rpc-port", &rpc.to_string()])
		.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p}")])
		.stdin(std::process::Stdio::null())
		.stdout(log.try_clone().unwrap())
		.stderr(log)
		.spawn()
		.map_err(|e| e.to_string())?;
	let url = format!("ws://127.0.0.1:{rpc}");
	let result = async {
		let start = Instant::now();
		let client = loop {
			match Client::from_insecure_url(&url).await {
				Ok(c) => break c,
				Err(_) if start.elapsed() < Duration::from_secs(180) => {
					tokio::time::sleep(Duration::from_millis(500)).await
				}
				Err(e) => return Err(format!("node did not answer: {e}")),
			}
		};
		let until = Instant::now() + Duration::from_secs(secs);
		let mut registered = 0u64;
		while Instant::now() < until {
			let mut who = [0x20u8; 32];
			who[..8].copy_from_slice(&registered.to_be_bytes());
			use subxt::ext::scale_value::Value as V;
			let args = vec![
				V::unnamed_variant("Id", [V::from_bytes(who)]),
				V::unnamed_variant("None", []),
				V::from_bytes(b"NL"),
				V::unnamed_variant("Some", [V::unnamed_variant("Retail", [])]),
				V::unnamed_composite([V::u128(4)]),
			];
			let payload = subxt::dynamic::tx("Identity", "register_identity", args);
			let at = client.at_current_block().await.map_err(|e| e.to_string())?;
			let progress = at
				.transactions()
				.sign_and_submit_then_watch_default(&payload, &dev::alice())
				.await
				.map_err(|e| format!("submit: {e}"))?;
			progress.wait_for_finalized_success().await.map_err(|e| format!("finalize: {e}"))?;
			registered += 1;
		}
		let head = finalized(&client).await;
		eprintln!("catch-up: node finalized #{head} with {registered} registrations");
		let mut rows = Vec::new();
		for &engine in engines {
			let db = Db::new(engine).await;
			let indexer = Indexer::connect(&url, db.pool.clone(), bundles.clone())
				.await
				.map_err(|e| e.to_string())?;
			let t = Instant::now();
			let last = indexer.catch_up().await.map_err(|e| e.to_string())?.unwrap_or(0);
			let took = t.elapsed();
			let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
				.fetch_one(&db.pool)
				.await
				.unwrap();
			let blocks = last + 1;
			eprintln!(
				"catch-up {}: {blocks} blocks, {events} events in {:.2} s",
				engine.name(),
				took.as_secs_f64()
			);
			rows.push(format!(
				"| {} | {blocks} | {events} | {:.2} s | {:.0} |",
				engine.name(),
				took.as_secs_f64(),
				blocks as f64 / took.as_secs_f64()
			));
			db.close().await;
		}
		Ok(rows)
	}
	.await;
	let _ = node.kill();
	let _ = node.wait();
	result
}

#[tokio::main]
async fn main() {
	let secs = env_u64("BENCH_SECS", 10);
	let clients = env_u64("BENCH_CLIENTS", 10) as usize;
	let catch_up_secs = env_u64("BENCH_CATCHUP_SECS", 90);
	let mut engines = vec![Engine::Sqlite];
	if std::env::var_os("CITYBOND_TEST_POSTGRES_URL").is_some() {
		engines.push(Engine::Postgres);
	} else {
		eprintln!("CITYBOND_TEST_POSTGRES_URL is not set: SQLite only");
	}

	let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
	let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
	println!("{cores} cores; load average before the run: {}\n", load.trim());
	println!("### HTTP: {clients} concurrent keep-alive clients, {secs} s per target after 1 s warm-up\n");
	println!(
		"| engine | view | body | API req/s | API p50 ms | API p99 ms | bare req/s | bare p50 ms | bare p99 ms | API / bare (≥ 0.5×) | API p99 ≤ 5 ms |"
	);
	println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
	let mut diags = Vec::new();
	for &engine in &engines {
		let (rows, diag) = http_bench(engine, clients, secs).await;
		for row in rows {
			println!("{row}");
		}
		diags.push(diag);
	}
	println!();
	for d in diags {
		println!("- {d}");
	}
	println!(
		"\nSeeded through `store::write_block`: {BONDS} bonds, {INVESTORS} investors, \
		 {SUBSCRIBERS} subscribers per bond, {SECONDARY_TRANSFERS} secondary transfers and \
		 {CLAIMS} claims per bond. Rate limit: `u32::MAX` per minute (never refuses)."
	);
	if catch_up_secs > 0 {
		println!("\n### Indexer catch-up from genesis\n");
		match catch_up_bench(&engines, catch_up_secs).await {
			Ok(rows) => {
				println!("| engine | blocks | events written | time | blocks/s |");
				println!("| --- | --- | --- | --- | --- |");
				for r in rows {
					println!("{r}");
				}
				println!(
					"\nA `--dev` node ran {catch_up_secs} s while Alice registered one investor \
					 after another (each waited for until finalized); then a fresh database \
					 of each engine caught up from genesis through `Indexer::catch_up` (reads \
					 each block's header, timestamp and events over RPC, writes one transaction \
					 per block)."
				);
			}
			Err(e) => println!("not measured: {e}"),
		}
	}
}
