//! Shared by the handler tests: a fresh database per test on SQLite or PostgreSQL, a chain
//! history written through the indexer's own `store::write_block`, and request helpers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use axum::{
	body::Body,
	http::{Request, StatusCode},
	Router,
};
use citybond_api::{
	config::HttpSettings,
	model::*,
	store::{self, Written},
	AppState,
};
use ed25519_dalek::Signer;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::AnyPool;
use subxt_signer::sr25519::{dev, Keypair};
use tower::ServiceExt;

/// The engines every handler test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Engine {
	Sqlite,
	Postgres,
}

/// A fresh database; dropped (PostgreSQL) or deleted (SQLite) by [`TestDb::close`].
pub struct TestDb {
	pub pool: AnyPool,
	_dir: Option<tempfile::TempDir>,
	pg: Option<(String, String)>,
}

impl TestDb {
	pub async fn new(engine: Engine) -> Self {
		sqlx::any::install_default_drivers();
		match engine {
			Engine::Sqlite => {
				let dir = tempfile::tempdir().unwrap();
				let url = format!("sqlite://{}?mode=rwc", dir.path().join("api.db").display());
				let pool = citybond_api::db::connect(&url).await.unwrap();
				TestDb { pool, _dir: Some(dir), pg: None }
			}
			Engine::Postgres => {
				let admin = std::env::var("CITYBOND_TEST_POSTGRES_URL").unwrap_or_else(|_| {
					panic!(
						"CITYBOND_TEST_POSTGRES_URL is not set: the PostgreSQL tests need a server. \
						 Start a throwaway one with: eval \"$(scripts/postgres.sh)\""
					)
				});
				let name = format!(
					"citybond_test_{}_{}",
					std::process::id(),
					hex::encode(rand::random::<[u8; 6]>())
				);
				let admin_pool =
					sqlx::AnyPool::connect(&admin).await.unwrap_or_else(|e| {
						panic!("cannot reach PostgreSQL at {admin}: {e} (is scripts/postgres.sh running?)")
					});
				sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin_pool).await.unwrap();
				admin_pool.close().await;
				let (base, _) = admin.rsplit_once('/').unwrap();
				let url = format!("{base}/{name}");
				let pool = citybond_api::db::connect(&url).await.unwrap();
				TestDb { pool, _dir: None, pg: Some((admin, name)) }
			}
		}
	}

	pub async fn close(self) {
		self.pool.close().await;
		if let Some((admin, name)) = self.pg {
			if let Ok(admin_pool) = sqlx::AnyPool::connect(&admin).await {
				let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
					.execute(&admin_pool)
					.await;
				admin_pool.close().await;
			}
		}
	}
}

/// Runs an async test body on both engines, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_engines {
	($($name:ident),* $(,)?) => {$(
		mod $name {
			#[tokio::test]
			async fn sqlite() {
				super::$name($crate::common::Engine::Sqlite).await
			}
			#[tokio::test]
			async fn postgres() {
				super::$name($crate::common::Engine::Postgres).await
			}
		}
	)*};
}

pub fn hex32(b: [u8; 32]) -> String {
	format!("0x{}", hex::encode(b))
}

pub fn acc(k: &Keypair) -> String {
	hex32(k.public_key().0)
}

/// The ed25519 key of the fixture's oracle operator.
pub fn operator_key() -> ed25519_dalek::SigningKey {
	ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
}

/// An investor whose account is an ed25519 key (signs in with `scheme: ed25519`).
pub fn ed_investor() -> ed25519_dalek::SigningKey {
	ed25519_dalek::SigningKey::from_bytes(&[9u8; 32])
}

pub const GENESIS: [u8; 32] = [0x45; 32];
pub const GREEN_BOND: [u8; 32] = [0xb1; 32];
pub const OTHER_BOND: [u8; 32] = [0xb2; 32];
pub const CASH: [u8; 32] = [0xca; 32];
/// The second issuer (owns [`OTHER_BOND`]).
pub fn other_issuer() -> Keypair {
	dev::ferdie()
}

/// Milliseconds now.
pub fn now() -> u64 {
	chrono::Utc::now().timestamp_millis() as u64
}

const DAY: u64 = 86_400_000;

fn ev(index: i64, body: EventBody) -> ChainEvent {
	ChainEvent { index, extrinsic: Some(1), body }
}

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

fn contract(address: [u8; 32], name: &str, fields: Value) -> EventBody {
	EventBody::Contract(ContractEvent {
		contract: hex32(address),
		kind: "green_bond".into(),
		name: name.into(),
		fields,
		bond: None,
	})
}

/// A report signed by the operator key over the fixture's genesis hash.
pub fn signed_report(period: u32, value: i128, tamper: bool) -> Report {
	let payload = citybond_api::verify::ReportPayload {
		feed: 0,
		period,
		value,
		window_start: 1_000,
		window_end: 2_000,
		payload_hash: [0xaa; 32],
		devices_hash: [0xbb; 32],
	};
	let signature = operator_key().sign(&payload.signing_payload(&GENESIS)).to_bytes();
	Report {
		feed: 0,
		period,
		operator: acc(&operator()),
		submitter: acc(&operator()),
		key: hex32(operator_key().verifying_key().to_bytes()),
		// A tampered report claims another value than the one signed.
		value: (if tamper { value + 1 } else { value }).to_string(),
		window_start_ms: 1_000,
		window_end_ms: 2_000,
		payload_hash: hex32([0xaa; 32]),
		devices_hash: hex32([0xbb; 32]),
		signature: Some(format!("0x{}", hex::encode(signature))),
		readings: 1,
	}
}

fn terms(issuer: &str, feed_start: u64) -> Value {
	let _ = feed_start;
	json!({
		"isin": "0x4e4c30303030303030303031",
		"issuer": issuer,
		"currency": hex32(CASH),
		"denomination": 100_000,
		"issue_size": 10_000_000,
		"coupon_rate_bps": 425,
		"coupon_floor_bps": 0,
		"coupon_cap_bps": 1000,
		"maturity_date": now() + 400 * DAY,
		"kpis": [{ "feed": 0, "direction": "AtOrAbove", "step_bps": 25, "targets": [
			{ "observation_period": 1, "feed_period": 1, "target": 1_000_000, "observation_date": now() },
		] }],
		"use_of_proceeds": ["GreenBuildings"],
	})
}

fn schedule() -> Value {
	let t = now();
	json!([
		{ "index": 0, "accrual_start": t - 200 * DAY, "accrual_end": t - 20 * DAY,
		  "record_date": t - 21 * DAY, "payment_date": t - 20 * DAY,
		  "fraction": { "numerator": 1, "denominator": 2 } },
		{ "index": 1, "accrual_start": t - 20 * DAY, "accrual_end": t + 160 * DAY,
		  "record_date": t + 159 * DAY, "payment_date": t + 160 * DAY,
		  "fraction": { "numerator": 1, "denominator": 2 } },
		{ "index": 2, "accrual_start": t + 160 * DAY, "accrual_end": t + 340 * DAY,
		  "record_date": t + 339 * DAY, "payment_date": t + 340 * DAY,
		  "fraction": { "numerator": 1, "denominator": 2 } },
	])
}

fn bond_created(address: [u8; 32], issuer: &str, isin: &str) -> EventBody {
	let mut t = terms(issuer, 0);
	t["isin"] = json!(isin);
	EventBody::Contract(ContractEvent {
		contract: hex32(address),
		kind: "green_bond".into(),
		name: "BondCreated".into(),
		fields: json!({
			"issuer": issuer,
			"isin": isin,
			"terms_hash": hex32([0x77; 32]),
			"periods": 3,
			"issue_size": 10_000_000,
		}),
		bond: Some(BondSnapshot { terms: t, schedule: schedule() }),
	})
}

/// The fixture's blocks: genesis identities, a KPI feed with reports, attestations and a
/// dispute, and two green bonds (Bob's, with subscriptions, allotments, a coupon fixed, funded
/// and claimed, impact and proceeds; Ferdie's, untouched).
pub fn history() -> Vec<BlockData> {
	let t = now();
	let bob = acc(&dev::bob());
	let charlie = acc(&dev::charlie());
	let dave = acc(&dev::dave());
	let ferdie = acc(&other_issuer());
	let ed = hex32(ed_investor().verifying_key().to_bytes());
	let block = |number: u64, ts: u64, events: Vec<ChainEvent>| BlockData {
		number,
		hash: if number == 0 { hex32(GENESIS) } else { hex32([number as u8; 32]) },
		parent_hash: if number == 1 {
			hex32(GENESIS)
		} else {
			hex32([number.saturating_sub(1) as u8; 32])
		},
		timestamp_ms: ts,
		events,
	};
	vec![
		block(
			0,
			0,
			vec![
				ChainEvent {
					index: -1,
					extrinsic: None,
					body: registered(acc(&dev::alice()), 1, None),
				},
				ChainEvent { index: -2, extrinsic: None, body: registered(bob.clone(), 2, None) },
				ChainEvent {
					index: -3,
					extrinsic: None,
					body: registered(charlie.clone(), 4, Some("Retail")),
				},
				ChainEvent {
					index: -4,
					extrinsic: None,
					body: registered(dave.clone(), 4, Some("Professional")),
				},
				ChainEvent {
					index: -5,
					extrinsic: None,
					body: registered(acc(&auditor()), 8, None),
				},
				ChainEvent {
					index: -6,
					extrinsic: None,
					body: registered(acc(&operator()), 16, None),
				},
				ChainEvent {
					index: -7,
					extrinsic: None,
					body: registered(ferdie.clone(), 2, None),
				},
				ChainEvent {
					index: -8,
					extrinsic: None,
					body: registered(ed.clone(), 4, Some("Retail")),
				},
				ChainEvent {
					index: -9,
					extrinsic: None,
					body: registered(acc(&settlement_agent()), 32, None),
				},
			],
		),
		block(
			1,
			t - 300 * DAY,
			vec![
				ev(
					0,
					EventBody::Kpi(KpiEvent::FeedCreated(Box::new(Feed {
						feed: 0,
						owner: Some(bob.clone()),
						description: "Heat demand of retrofitted schools".into(),
						entity_id: "urn:ngsi-ld:Building:school-1".into(),
						attribute: "heatDemand".into(),
						unit: "KWH".into(),
						decimals: 3,
						first_start_ms: t - 250 * DAY,
						period_ms: 100 * DAY,
						quorum: 1,
						max_report_age_ms: DAY,
						challenge_window_ms: DAY,
						min_value: "0".into(),
						max_value: "1000000000".into(),
					}))),
				),
				ev(
					1,
					EventBody::Kpi(KpiEvent::OperatorKey {
						source: "OperatorAdded".into(),
						feed: 0,
						operator: acc(&operator()),
						key: Some(hex32(operator_key().verifying_key().to_bytes())),
						from_period: 0,
					}),
				),
				// An identity event after genesis: Dave is suspended.
				ev(
					2,
					EventBody::Identity(IdentityEvent::StatusSet {
						account: dave.clone(),
						status: "Suspended".into(),
					}),
				),
			],
		),
		block(
			2,
			t - 190 * DAY,
			vec![
				ev(
					0,
					EventBody::Kpi(KpiEvent::Report(Box::new(signed_report(0, 1_250_000, false)))),
				),
				ev(
					1,
					EventBody::Kpi(KpiEvent::Transition {
						kind: "KpiProvisional".into(),
						feed: 0,
						period: 0,
						status: Some("Provisional".into()),
						value: Some("1250000".into()),
						actor: None,
						detail: json!({ "readings": 1, "challenge_end_ms": t - 189 * DAY }),
					}),
				),
				ev(
					2,
					EventBody::Kpi(KpiEvent::Transition {
						kind: "KpiAttested".into(),
						feed: 0,
						period: 0,
						status: None,
						value: Some("1250000".into()),
						actor: Some(acc(&auditor())),
						detail: json!({}),
					}),
				),
			],
		),
		block(
			3,
			t - 90 * DAY,
			vec![
				ev(0, EventBody::Kpi(KpiEvent::Report(Box::new(signed_report(1, 900_000, true))))),
				ev(
					1,
					EventBody::Kpi(KpiEvent::Transition {
						kind: "KpiProvisional".into(),
						feed: 0,
						period: 1,
						status: Some("Provisional".into()),
						value: Some("900001".into()),
						actor: None,
						detail: json!({ "readings": 1, "challenge_end_ms": t + DAY }),
					}),
				),
				ev(
					2,
					EventBody::Kpi(KpiEvent::Transition {
						kind: "KpiDisputed".into(),
						feed: 0,
						period: 1,
						status: Some("Disputed".into()),
						value: Some("900001".into()),
						actor: Some(acc(&auditor())),
						detail: json!({ "reason_hash": hex32([0xdd; 32]) }),
					}),
				),
			],
		),
		block(
			4,
			t - 250 * DAY,
			vec![
				ev(
					0,
					EventBody::Instantiated(Instantiated {
						deployer: acc(&dev::alice()),
						contract: hex32(GREEN_BOND),
						kind: "green_bond".into(),
						code_hash: Some(hex32([0x11; 32])),
					}),
				),
				ev(1, bond_created(GREEN_BOND, &bob, "NL0000000001")),
				ev(
					2,
					contract(
						GREEN_BOND,
						"Subscribed",
						json!({ "investor": charlie, "amount": 600_000, "total": 600_000, "priority": false }),
					),
				),
				ev(
					3,
					contract(
						GREEN_BOND,
						"Subscribed",
						json!({ "investor": dave, "amount": 400_000, "total": 400_000, "priority": false }),
					),
				),
				ev(
					4,
					EventBody::Instantiated(Instantiated {
						deployer: acc(&dev::alice()),
						contract: hex32(OTHER_BOND),
						kind: "green_bond".into(),
						code_hash: Some(hex32([0x11; 32])),
					}),
				),
				ev(5, bond_created(OTHER_BOND, &ferdie, "NL0000000002")),
			],
		),
		block(
			5,
			t - 240 * DAY,
			vec![
				ev(
					0,
					contract(
						GREEN_BOND,
						"BookClosed",
						json!({ "outcome": "Issued", "units": 10, "raised": 1_000_000, "refunds": 0 }),
					),
				),
				ev(
					1,
					contract(
						GREEN_BOND,
						"Allotted",
						json!({ "investor": charlie, "units": 6, "refund": 0 }),
					),
				),
				ev(
					2,
					contract(
						GREEN_BOND,
						"Allotted",
						json!({ "investor": dave, "units": 4, "refund": 0 }),
					),
				),
				ev(
					3,
					contract(
						GREEN_BOND,
						"Transfer",
						json!({ "from": null, "to": charlie, "value": 6 }),
					),
				),
				ev(
					4,
					contract(
						GREEN_BOND,
						"Transfer",
						json!({ "from": null, "to": dave, "value": 4 }),
					),
				),
				ev(
					5,
					contract(
						GREEN_BOND,
						"ProceedsAllocated",
						json!({ "entries": [["GreenBuildings", 700_000]], "document": hex32([0x33; 32]), "total_allocated": 700_000 }),
					),
				),
			],
		),
		block(
			6,
			t - 20 * DAY,
			vec![
				ev(
					0,
					contract(
						GREEN_BOND,
						"CouponRateFixed",
						json!({ "period": 0, "rate_bps": 425, "per_unit": 2_125, "assessments": [] }),
					),
				),
				ev(
					1,
					contract(
						GREEN_BOND,
						"PaymentFunded",
						json!({ "payment": { "Coupon": 0 }, "amount": 21_250, "funded": 21_250, "due": 21_250 }),
					),
				),
				ev(
					2,
					contract(
						GREEN_BOND,
						"Claimed",
						json!({ "holder": dave, "beneficiary": dave, "record": 0, "units": 4, "coupon": 8_500, "principal": 0 }),
					),
				),
				ev(
					3,
					contract(
						GREEN_BOND,
						"ImpactReported",
						json!({ "index": 0, "entries": [["GreenBuildings", 1_000]], "document": hex32([0x44; 32]) }),
					),
				),
				ev(
					4,
					contract(
						GREEN_BOND,
						"Transfer",
						json!({ "from": charlie, "to": ed, "value": 1 }),
					),
				),
			],
		),
	]
}

/// Writes the fixture's history.
pub async fn seed(pool: &AnyPool) {
	for b in history() {
		assert_eq!(
			store::write_block(pool, &b).await.unwrap(),
			Written::Applied,
			"block {}",
			b.number
		);
	}
}

/// Row counts of every table, to show that a request changed nothing.
pub async fn counts(pool: &AnyPool) -> Vec<(String, i64)> {
	let mut out = Vec::new();
	for t in [
		"indexer_cursor",
		"blocks",
		"events",
		"identities",
		"identity_claims",
		"kpi_feeds",
		"kpi_operator_keys",
		"kpi_reports",
		"kpi_transitions",
		"contracts",
		"bonds",
		"contract_events",
		"auth_challenges",
		"auth_sessions",
	] {
		let n: i64 =
			sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(pool).await.unwrap();
		out.push((t.to_string(), n));
	}
	out
}

pub fn app_with(pool: &AnyPool, settings: HttpSettings) -> Router {
	citybond_api::app(AppState::new(pool.clone(), settings))
}

pub fn app(pool: &AnyPool) -> Router {
	app_with(pool, HttpSettings::default())
}

/// Sends a request; returns the status and the body (JSON, or a string for other bodies).
pub async fn send(
	app: &Router,
	method: &str,
	uri: &str,
	token: Option<&str>,
	body: Option<String>,
) -> (StatusCode, Value) {
	let mut req = Request::builder().method(method).uri(uri);
	if let Some(t) = token {
		req = req.header("authorization", format!("Bearer {t}"));
	}
	let req = match body {
		Some(b) => req.header("content-type", "application/json").body(Body::from(b)).unwrap(),
		None => req.body(Body::empty()).unwrap(),
	};
	let res = app.clone().oneshot(req).await.unwrap();
	let status = res.status();
	let bytes = res.into_body().collect().await.unwrap().to_bytes();
	let value = serde_json::from_slice(&bytes)
		.unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
	(status, value)
}

pub async fn get(app: &Router, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
	send(app, "GET", uri, token, None).await
}

pub async fn post(app: &Router, uri: &str, body: Value) -> (StatusCode, Value) {
	send(app, "POST", uri, None, Some(body.to_string())).await
}

/// POST with a session token and a raw body (empty: none).
pub async fn post_auth(
	app: &Router,
	uri: &str,
	body: &str,
	token: Option<&str>,
) -> (StatusCode, Value) {
	let body = (!body.is_empty()).then(|| body.to_string());
	send(app, "POST", uri, token, body).await
}

/// Asserts the API's error shape and status; returns the message.
pub fn assert_error(res: &(StatusCode, Value), status: StatusCode) -> String {
	assert_eq!(res.0, status, "body: {}", res.1);
	let message =
		res.1["error"]["message"].as_str().unwrap_or_else(|| panic!("no error shape: {}", res.1));
	assert!(res.1["error"]["code"].is_string(), "no error code: {}", res.1);
	message.to_string()
}

/// Signs in with an sr25519 dev key; returns the token.
pub async fn sign_in(app: &Router, who: &Keypair) -> String {
	let (status, ch) = post(app, "/v1/auth/challenge", json!({ "account": acc(who) })).await;
	assert_eq!(status, StatusCode::OK, "{ch}");
	let sig = who.sign(&citybond_api::auth::signed_bytes(ch["message"].as_str().unwrap()));
	let (status, s) = post(
		app,
		"/v1/auth/session",
		json!({
			"nonce": ch["nonce"], "signature": format!("0x{}", hex::encode(sig.0)), "scheme": "sr25519",
		}),
	)
	.await;
	assert_eq!(status, StatusCode::OK, "{s}");
	s["token"].as_str().unwrap().to_string()
}

/// The fixture's auditor (an sr25519 key).
pub fn auditor() -> Keypair {
	dev::eve()
}

/// The fixture's settlement agent (sees every cash balance).
pub fn settlement_agent() -> Keypair {
	dev::one()
}

/// The fixture's oracle operator's account.
pub fn operator() -> Keypair {
	dev::two()
}

/// The first holder of the fixture's cash token (Charlie).
pub fn cash_a() -> String {
	acc(&dev::charlie())
}

/// The second holder of the fixture's cash token (Dave).
pub fn cash_b() -> String {
	acc(&dev::dave())
}

fn cash_event(index: i64, name: &str, fields: Value) -> ChainEvent {
	ev(
		index,
		EventBody::Contract(ContractEvent {
			contract: hex32(CASH),
			kind: "cash_token".into(),
			name: name.into(),
			fields,
			bond: None,
		}),
	)
}

/// Event `index` of a block: the fixture's green bond [`GREEN_BOND`] emitted `name` with
/// `fields` (as the indexer stores them).
pub fn bond_event(index: i64, name: &str, fields: Value) -> ChainEvent {
	ev(index, contract(GREEN_BOND, name, fields))
}

/// The fixture's Ed25519 investor's account (it holds one unit after block 6).
pub fn ed_account() -> String {
	hex32(ed_investor().verifying_key().to_bytes())
}

/// A block after [`history`]'s, in its hash scheme.
pub fn later_block(number: u64, events: Vec<ChainEvent>) -> BlockData {
	BlockData {
		number,
		hash: hex32([number as u8; 32]),
		parent_hash: hex32([number.saturating_sub(1) as u8; 32]),
		timestamp_ms: now() - 10 * DAY + number,
		events,
	}
}

/// Blocks 7 and 8, after [`history`]: Ferdie deploys the cash token [`CASH`] and mints
/// 1,000.00 to A and 500.00 to B; A transfers 200.00 to B (and approves Bob, which moves
/// nothing); B burns 100.00. Written as the indexer writes them (PSP22 `Transfer` fields).
pub fn cash_history() -> Vec<BlockData> {
	let (a, b) = (cash_a(), cash_b());
	vec![
		later_block(
			7,
			vec![
				ev(
					0,
					EventBody::Instantiated(Instantiated {
						deployer: acc(&other_issuer()),
						contract: hex32(CASH),
						kind: "cash_token".into(),
						code_hash: Some(hex32([0x22; 32])),
					}),
				),
				cash_event(1, "Transfer", json!({ "from": null, "to": a, "value": 100_000 })),
				cash_event(2, "Transfer", json!({ "from": null, "to": b, "value": 50_000 })),
			],
		),
		later_block(
			8,
			vec![
				cash_event(0, "Transfer", json!({ "from": a, "to": b, "value": 20_000 })),
				cash_event(
					1,
					"Approval",
					json!({ "owner": a, "spender": acc(&dev::bob()), "amount": 5_000 }),
				),
				cash_event(2, "Transfer", json!({ "from": b, "to": null, "value": 10_000 })),
			],
		),
	]
}

/// Writes [`history`] and then [`cash_history`].
pub async fn seed_with_cash(pool: &AnyPool) {
	seed(pool).await;
	for b in cash_history() {
		assert_eq!(
			store::write_block(pool, &b).await.unwrap(),
			Written::Applied,
			"block {}",
			b.number
		);
	}
}
