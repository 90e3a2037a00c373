//! Handler tests on a real database: every test runs on SQLite and on PostgreSQL
//! (`CITYBOND_TEST_POSTGRES_URL`, see scripts/postgres.sh), each on a fresh database seeded
//! through the indexer's own writer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

mod common;

use axum::http::StatusCode;
use citybond_api::{auth::signed_bytes, config::HttpSettings, store};
use common::*;
use ed25519_dalek::Signer;
use serde_json::json;
use subxt_signer::sr25519::dev;

on_both_engines!(
	replaying_blocks_changes_nothing,
	a_block_out_of_order_is_refused_and_writes_nothing,
	bonds_list_and_detail_show_terms_status_schedule_and_rate,
	kpi_series_shows_status_per_period_against_targets,
	bad_input_gets_a_clear_4xx_naming_the_parameter,
	pagination_is_bounded,
	sign_in_with_sr25519_and_ed25519_gives_roles_from_the_registry,
	replayed_expired_and_badly_signed_challenges_are_refused,
	oversized_and_malformed_bodies_are_refused_and_store_nothing,
	investor_sees_only_own_position,
	issuer_sees_only_own_bonds,
	auditor_gets_reverified_reports_and_csv,
	persona_routes_refuse_other_roles_and_anonymous_callers,
	rate_limit_answers_429_in_the_error_shape,
	openapi_lists_every_route,
	a_database_failure_is_a_500_that_reveals_nothing,
	cash_view_shows_supply_counts_and_balances_from_transfers,
	cash_view_pages_accounts_largest_first,
	cash_view_refuses_bad_and_unknown_addresses,
	cash_view_reports_inconsistent_transfers_as_a_500_naming_them,
	a_block_from_another_chain_is_refused_and_writes_nothing,
	signing_out_ends_one_session_or_all_of_them,
	kpi_series_defaults_to_the_latest_periods_at_any_age,
	freezes_recoveries_reclaims_and_pauses_show_in_the_views,
);

async fn replaying_blocks_changes_nothing(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let before = counts(&db.pool).await;
	for b in history() {
		assert_eq!(store::write_block(&db.pool, &b).await.unwrap(), store::Written::AlreadyIndexed);
	}
	assert_eq!(counts(&db.pool).await, before);
	// Even with the cursor moved back (a crash between two blocks can't do this, but an
	// operator could), writing the same blocks again inserts no duplicate.
	sqlx::query("UPDATE indexer_cursor SET block_number = 2, block_hash = $1")
		.bind(hex32([2; 32]))
		.execute(&db.pool)
		.await
		.unwrap();
	for b in history().into_iter().skip(3) {
		assert_eq!(store::write_block(&db.pool, &b).await.unwrap(), store::Written::Applied);
	}
	assert_eq!(counts(&db.pool).await, before);
	// Dave's suspension (block 1) still stands over his genesis record.
	let status: String = sqlx::query_scalar("SELECT status FROM identities WHERE account = $1")
		.bind(acc(&dev::dave()))
		.fetch_one(&db.pool)
		.await
		.unwrap();
	assert_eq!(status, "Suspended");
	db.close().await;
}

async fn a_block_out_of_order_is_refused_and_writes_nothing(engine: Engine) {
	let db = TestDb::new(engine).await;
	let blocks = history();
	store::write_block(&db.pool, &blocks[0]).await.unwrap();
	let before = counts(&db.pool).await;
	assert!(store::write_block(&db.pool, &blocks[2]).await.is_err(), "a gap must be refused");
	assert_eq!(counts(&db.pool).await, before);
	db.close().await;
}

async fn bonds_list_and_detail_show_terms_status_schedule_and_rate(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let (status, list) = get(&app, "/v1/bonds", None).await;
	assert_eq!(status, StatusCode::OK, "{list}");
	assert_eq!(list["total"], 2);
	assert_eq!(list["items"][0]["isin"], "NL0000000001");
	assert_eq!(list["items"][0]["status"], "Active");
	assert_eq!(list["items"][1]["status"], "Subscription");
	let (status, bond) = get(&app, &format!("/v1/bonds/{}", hex32(GREEN_BOND)), None).await;
	assert_eq!(status, StatusCode::OK, "{bond}");
	assert_eq!(bond["terms_hash"], hex32([0x77; 32]));
	assert_eq!(bond["terms"]["coupon_rate_bps"], 425);
	assert_eq!(bond["current_rate_bps"], 425);
	assert_eq!(bond["units_outstanding"], "10");
	assert_eq!(bond["raised"], "1000000");
	let schedule = bond["schedule"].as_array().unwrap();
	assert_eq!(schedule.len(), 3);
	// Period 0 was fixed by the contract: 2 125 per unit, 21 250 for 10 units, funded.
	assert_eq!(schedule[0]["rate_fixed"], true);
	assert_eq!(schedule[0]["coupon_per_unit"], "2125");
	assert_eq!(schedule[0]["coupon_total"], "21250");
	assert_eq!(schedule[0]["funding"]["funded"], "21250");
	// Period 1 is projected at the current rate: 100 000 × 4.25 % × 1/2 = 2 125.
	assert_eq!(schedule[1]["rate_fixed"], false);
	assert_eq!(schedule[1]["coupon_per_unit"], "2125");
	// The same address in SS58 finds the same bond.
	let ss58 = subxt::utils::AccountId32(GREEN_BOND).to_string();
	let (status, same) = get(&app, &format!("/v1/bonds/{ss58}"), None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(same["isin"], "NL0000000001");
	db.close().await;
}

async fn kpi_series_shows_status_per_period_against_targets(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let (status, series) = get(&app, "/v1/feeds/0/kpis?from_period=0&to_period=3", None).await;
	assert_eq!(status, StatusCode::OK, "{series}");
	let points = series["points"].as_array().unwrap();
	assert_eq!(points.len(), 4);
	// Period 0: provisional, past its challenge window: final (as the chain reads it).
	assert_eq!(points[0]["status"], "final");
	assert_eq!(points[0]["recorded_status"], "Provisional");
	assert_eq!(points[0]["value_decimal"], "1250.000");
	assert_eq!(points[0]["attestations"], 1);
	// Period 1: disputed, below its target of 1 000 000.
	assert_eq!(points[1]["status"], "disputed");
	assert_eq!(points[1]["targets"][0]["target"], 1_000_000);
	assert_eq!(points[1]["targets"][0]["met"], false);
	// Period 2 is running now; period 3 lies ahead.
	assert_eq!(points[2]["status"], "open");
	assert_eq!(series["current_period"], 2);
	let (status, feeds) = get(&app, "/v1/feeds", None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(feeds["items"][0]["unit"], "KWH");
	db.close().await;
}

async fn bad_input_gets_a_clear_4xx_naming_the_parameter(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let before = counts(&db.pool).await;
	let m = assert_error(&get(&app, "/v1/bonds/0x1234", None).await, StatusCode::BAD_REQUEST);
	assert!(m.contains("'address'"), "{m}");
	let m =
		assert_error(&get(&app, "/v1/bonds/not-an-address", None).await, StatusCode::BAD_REQUEST);
	assert!(m.contains("'address'"), "{m}");
	let m = assert_error(
		&get(&app, &format!("/v1/bonds/{}", hex32([0x99; 32])), None).await,
		StatusCode::NOT_FOUND,
	);
	assert!(m.contains("no green bond"), "{m}");
	let m = assert_error(&get(&app, "/v1/feeds/abc/kpis", None).await, StatusCode::BAD_REQUEST);
	assert!(m.contains("'feed'"), "{m}");
	let m = assert_error(&get(&app, "/v1/feeds/-1/kpis", None).await, StatusCode::BAD_REQUEST);
	assert!(m.contains("'feed'"), "{m}");
	assert_error(&get(&app, "/v1/feeds/7/kpis", None).await, StatusCode::NOT_FOUND);
	let m = assert_error(
		&get(&app, "/v1/feeds/0/kpis?from_period=5&to_period=2", None).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'to_period'"), "{m}");
	let m = assert_error(
		&get(&app, "/v1/feeds/0/kpis?from_period=0&to_period=100000", None).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'to_period'"), "{m}");
	let m = assert_error(
		&get(&app, "/v1/feeds/0/kpis?from_period=x", None).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'from_period'"), "{m}");
	let token = sign_in(&app, &dev::bob()).await;
	let m = assert_error(
		&get(
			&app,
			&format!("/v1/issuer/bonds/{}/holders?record_date=2026-13-45", hex32(GREEN_BOND)),
			Some(&token),
		)
		.await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'record_date'"), "{m}");
	assert_error(&get(&app, "/v1/nothing-here", None).await, StatusCode::NOT_FOUND);
	assert_error(
		&send(&app, "DELETE", "/v1/bonds", None, None).await,
		StatusCode::METHOD_NOT_ALLOWED,
	);
	// Only the sign-in wrote rows (one challenge, one session).
	let after = counts(&db.pool).await;
	for ((table, a), (_, b)) in before.iter().zip(after.iter()) {
		let expected = if table.starts_with("auth_") { a + 1 } else { *a };
		assert_eq!(*b, expected, "{table}");
	}
	db.close().await;
}

async fn pagination_is_bounded(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let (status, page) = get(&app, "/v1/bonds?limit=1&offset=1", None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(page["items"].as_array().unwrap().len(), 1);
	assert_eq!(page["items"][0]["isin"], "NL0000000002");
	assert_eq!(page["total"], 2);
	let (status, page) = get(&app, "/v1/bonds?offset=50", None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(page["items"].as_array().unwrap().len(), 0);
	for (query, param) in [
		("limit=0", "'limit'"),
		("limit=501", "'limit'"),
		("limit=ten", "'limit'"),
		("offset=-1", "'offset'"),
		("offset=1000001", "'offset'"),
	] {
		let m = assert_error(
			&get(&app, &format!("/v1/bonds?{query}"), None).await,
			StatusCode::BAD_REQUEST,
		);
		assert!(m.contains(param), "{query}: {m}");
		let m = assert_error(
			&get(&app, &format!("/v1/feeds?{query}"), None).await,
			StatusCode::BAD_REQUEST,
		);
		assert!(m.contains(param), "{query}: {m}");
	}
	db.close().await;
}

async fn sign_in_with_sr25519_and_ed25519_gives_roles_from_the_registry(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let token = sign_in(&app, &dev::charlie()).await;
	let (status, me) = get(&app, "/v1/me", Some(&token)).await;
	assert_eq!(status, StatusCode::OK, "{me}");
	assert_eq!(me["account"], acc(&dev::charlie()));
	assert_eq!(me["roles"], json!(["investor"]));
	// The token is stored hashed, never in clear.
	let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM auth_sessions")
		.fetch_all(&db.pool)
		.await
		.unwrap();
	assert!(!stored.contains(&token));
	assert!(stored.contains(&citybond_api::auth::token_hash(&token)));
	// ed25519: the account is the public key.
	let key = ed_investor();
	let account = hex32(key.verifying_key().to_bytes());
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": account })).await;
	let message = ch["message"].as_str().unwrap();
	assert!(message.starts_with("api.citybond.local wants you to sign in"), "{message}");
	let sig = key.sign(&citybond_api::auth::signed_bytes(message)).to_bytes();
	let (status, s) = post(
		&app,
		"/v1/auth/session",
		json!({
			"nonce": ch["nonce"], "signature": format!("0x{}", hex::encode(sig)), "scheme": "ed25519",
		}),
	)
	.await;
	assert_eq!(status, StatusCode::OK, "{s}");
	assert_eq!(s["roles"], json!(["investor"]));
	// A suspended identity (Dave) signs in but holds no role.
	let token = sign_in(&app, &dev::dave()).await;
	let (_, me) = get(&app, "/v1/me", Some(&token)).await;
	assert_eq!(me["roles"], json!([]));
	db.close().await;
}

/// What a wallet signs for a challenge: its message wrapped in `<Bytes>…</Bytes>`.
fn wrapped(challenge: &serde_json::Value) -> Vec<u8> {
	signed_bytes(challenge["message"].as_str().unwrap())
}

async fn replayed_expired_and_badly_signed_challenges_are_refused(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let charlie = dev::charlie();
	// Replay: a good response works once.
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": acc(&charlie) })).await;
	let sig = format!("0x{}", hex::encode(charlie.sign(&wrapped(&ch)).0));
	let body = json!({ "nonce": ch["nonce"], "signature": sig });
	assert_eq!(post(&app, "/v1/auth/session", body.clone()).await.0, StatusCode::OK);
	let m = assert_error(&post(&app, "/v1/auth/session", body).await, StatusCode::UNAUTHORIZED);
	assert!(m.contains("already used"), "{m}");
	// Signed by another key (Dave signs Charlie's challenge).
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": acc(&charlie) })).await;
	let forged = format!("0x{}", hex::encode(dev::dave().sign(&wrapped(&ch)).0));
	let m = assert_error(
		&post(&app, "/v1/auth/session", json!({ "nonce": ch["nonce"], "signature": forged })).await,
		StatusCode::UNAUTHORIZED,
	);
	assert!(m.contains("does not verify"), "{m}");
	// A bad signature burns the challenge: the right one cannot follow.
	let good = format!("0x{}", hex::encode(charlie.sign(&wrapped(&ch)).0));
	assert_error(
		&post(&app, "/v1/auth/session", json!({ "nonce": ch["nonce"], "signature": good })).await,
		StatusCode::UNAUTHORIZED,
	);
	// Signed over another message (another domain).
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": acc(&charlie) })).await;
	let other = ch["message"].as_str().unwrap().replace("api.citybond.local", "evil.example");
	let sig = format!("0x{}", hex::encode(charlie.sign(&signed_bytes(&other)).0));
	assert_error(
		&post(&app, "/v1/auth/session", json!({ "nonce": ch["nonce"], "signature": sig })).await,
		StatusCode::UNAUTHORIZED,
	);
	// The bare message, unwrapped: not domain-separated from a transaction payload, so refused
	// (with sr25519 and with ed25519).
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": acc(&charlie) })).await;
	let bare =
		format!("0x{}", hex::encode(charlie.sign(ch["message"].as_str().unwrap().as_bytes()).0));
	let m = assert_error(
		&post(&app, "/v1/auth/session", json!({ "nonce": ch["nonce"], "signature": bare })).await,
		StatusCode::UNAUTHORIZED,
	);
	assert!(m.contains("<Bytes>"), "{m}");
	let key = ed_investor();
	let account = hex32(key.verifying_key().to_bytes());
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": account })).await;
	let bare = key.sign(ch["message"].as_str().unwrap().as_bytes()).to_bytes();
	assert_error(
		&post(
			&app,
			"/v1/auth/session",
			json!({
				"nonce": ch["nonce"], "signature": format!("0x{}", hex::encode(bare)),
				"scheme": "ed25519",
			}),
		)
		.await,
		StatusCode::UNAUTHORIZED,
	);
	// Wrong scheme for an sr25519 signature.
	let (_, ch) = post(&app, "/v1/auth/challenge", json!({ "account": acc(&charlie) })).await;
	let sig = format!("0x{}", hex::encode(charlie.sign(&wrapped(&ch)).0));
	assert_error(
		&post(
			&app,
			"/v1/auth/session",
			json!({ "nonce": ch["nonce"], "signature": sig, "scheme": "ed25519" }),
		)
		.await,
		StatusCode::UNAUTHORIZED,
	);
	// Unknown nonce, malformed fields.
	assert_error(
		&post(
			&app,
			"/v1/auth/session",
			json!({ "nonce": "ab".repeat(32), "signature": format!("0x{}", "00".repeat(64)) }),
		)
		.await,
		StatusCode::UNAUTHORIZED,
	);
	let m = assert_error(
		&post(
			&app,
			"/v1/auth/session",
			json!({ "nonce": "xyz", "signature": format!("0x{}", "00".repeat(64)) }),
		)
		.await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'nonce'"), "{m}");
	let m = assert_error(
		&post(&app, "/v1/auth/session", json!({ "nonce": "ab".repeat(32), "signature": "0x1234" }))
			.await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'signature'"), "{m}");
	let m = assert_error(&post(&app, "/v1/auth/session", json!({ "nonce": "ab".repeat(32), "signature": format!("0x{}", "00".repeat(64)), "scheme": "rsa" })).await, StatusCode::BAD_REQUEST);
	assert!(m.contains("'scheme'"), "{m}");
	// Expired: a challenge that lives 0 s.
	let strict =
		app_with(&db.pool, HttpSettings { challenge_ttl_secs: 0, ..HttpSettings::default() });
	let (_, ch) = post(&strict, "/v1/auth/challenge", json!({ "account": acc(&charlie) })).await;
	let sig = format!("0x{}", hex::encode(charlie.sign(&wrapped(&ch)).0));
	let m = assert_error(
		&post(&strict, "/v1/auth/session", json!({ "nonce": ch["nonce"], "signature": sig })).await,
		StatusCode::UNAUTHORIZED,
	);
	assert!(m.contains("expired"), "{m}");
	// No session was opened by any of these.
	let sessions: i64 =
		sqlx::query_scalar("SELECT COUNT(*) FROM auth_sessions").fetch_one(&db.pool).await.unwrap();
	assert_eq!(sessions, 1);
	// An expired session token is refused.
	let token = sign_in(&app, &charlie).await;
	sqlx::query("UPDATE auth_sessions SET expires_at_ms = 0").execute(&db.pool).await.unwrap();
	let m = assert_error(&get(&app, "/v1/me", Some(&token)).await, StatusCode::UNAUTHORIZED);
	assert!(m.contains("expired"), "{m}");
	db.close().await;
}

async fn oversized_and_malformed_bodies_are_refused_and_store_nothing(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app =
		app_with(&db.pool, HttpSettings { body_limit_bytes: 1024, ..HttpSettings::default() });
	let before = counts(&db.pool).await;
	let huge = json!({ "account": acc(&dev::charlie()), "padding": "x".repeat(4096) }).to_string();
	assert_error(
		&send(&app, "POST", "/v1/auth/challenge", None, Some(huge)).await,
		StatusCode::PAYLOAD_TOO_LARGE,
	);
	let m = assert_error(
		&send(&app, "POST", "/v1/auth/challenge", None, Some("{not json".into())).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("JSON"), "{m}");
	let m = assert_error(
		&post(&app, "/v1/auth/challenge", json!({ "acount": "x" })).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("account"), "{m}");
	let m = assert_error(
		&post(&app, "/v1/auth/challenge", json!({ "account": "0xzz" })).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'account'"), "{m}");
	assert_eq!(counts(&db.pool).await, before);
	db.close().await;
}

async fn investor_sees_only_own_position(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let token = sign_in(&app, &dev::charlie()).await;
	let (status, holdings) = get(&app, "/v1/investor/holdings", Some(&token)).await;
	assert_eq!(status, StatusCode::OK, "{holdings}");
	assert_eq!(holdings["total"], 1);
	assert_eq!(holdings["items"][0]["units"], "5");
	let (status, pos) =
		get(&app, &format!("/v1/investor/bonds/{}", hex32(GREEN_BOND)), Some(&token)).await;
	assert_eq!(status, StatusCode::OK, "{pos}");
	assert_eq!(pos["units"], "5");
	assert_eq!(pos["subscription"]["amount"], "600000");
	assert_eq!(pos["subscription"]["units"], "6");
	// Charlie held 6 units at period 0's record date and has not claimed: 6 × 2 125.
	assert_eq!(pos["claimable"][0]["coupon"], "12750");
	assert_eq!(pos["claimable"][0]["funded"], true);
	assert_eq!(pos["coupons_claimed"].as_array().unwrap().len(), 0);
	// Projected at 4.25 %: 5 units × 2 125 for periods 1 and 2, principal with the last.
	let projected = pos["projected_cash_flows"].as_array().unwrap();
	assert_eq!(projected.len(), 2);
	assert_eq!(projected[0]["coupon"], "10625");
	assert_eq!(projected[1]["principal"], "500000");
	// Half the bond, half the impact.
	assert_eq!(pos["impact"][0]["entries"][0]["holder_share"], "500");
	// Nothing of Dave's appears in Charlie's answer.
	let text = pos.to_string();
	assert!(!text.contains(&acc(&dev::dave())), "{text}");
	// A bond Charlie has nothing in: zero, not someone else's.
	let (_, other) =
		get(&app, &format!("/v1/investor/bonds/{}", hex32(OTHER_BOND)), Some(&token)).await;
	assert_eq!(other["units"], "0");
	db.close().await;
}

async fn issuer_sees_only_own_bonds(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let bob = sign_in(&app, &dev::bob()).await;
	let (status, mine) = get(&app, "/v1/issuer/bonds", Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{mine}");
	assert_eq!(mine["total"], 1);
	assert_eq!(mine["items"][0]["bond"], hex32(GREEN_BOND));
	let bond = hex32(GREEN_BOND);
	let (status, book) = get(&app, &format!("/v1/issuer/bonds/{bond}/book"), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{book}");
	assert_eq!(book["total"], 2);
	// The register at period 0's record date (before Charlie's transfer), and now.
	let record = chrono::DateTime::from_timestamp_millis((now() - 21 * 86_400_000 + 1000) as i64)
		.unwrap()
		.to_rfc3339();
	let (status, reg) = get(
		&app,
		&format!("/v1/issuer/bonds/{bond}/holders?record_date={}", urlencode(&record)),
		Some(&bob),
	)
	.await;
	assert_eq!(status, StatusCode::OK, "{reg}");
	assert_eq!(reg["holders"], 2);
	assert_eq!(reg["total_units"], "10");
	let (_, reg_now) = get(&app, &format!("/v1/issuer/bonds/{bond}/holders"), Some(&bob)).await;
	assert_eq!(reg_now["holders"], 3);
	// A record date at the very instant of Charlie's transfer to a new holder: as in the
	// contract, the transfer counts for the next record date, not this one.
	let transfer_ms: i64 = sqlx::query_scalar("SELECT timestamp_ms FROM blocks WHERE number = 6")
		.fetch_one(&db.pool)
		.await
		.unwrap();
	let register = |ms: i64| {
		let at = chrono::DateTime::from_timestamp_millis(ms)
			.unwrap()
			.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
		format!("/v1/issuer/bonds/{bond}/holders?record_date={}", urlencode(&at))
	};
	let (status, at_instant) = get(&app, &register(transfer_ms), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{at_instant}");
	assert_eq!(at_instant["holders"], 2, "{at_instant}");
	let (_, after) = get(&app, &register(transfer_ms + 1), Some(&bob)).await;
	assert_eq!(after["holders"], 3, "{after}");
	let (status, obligations) =
		get(&app, &format!("/v1/issuer/bonds/{bond}/obligations"), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{obligations}");
	let items = obligations["items"].as_array().unwrap();
	assert_eq!(items[0]["payment"], "coupon:1");
	assert_eq!(items[0]["due"], "21250");
	assert_eq!(items[0]["fully_funded"], false);
	assert_eq!(items.last().unwrap()["payment"], "redemption");
	assert_eq!(items.last().unwrap()["due"], "1000000");
	let (_, proceeds) = get(&app, &format!("/v1/issuer/bonds/{bond}/proceeds"), Some(&bob)).await;
	assert_eq!(proceeds["allocated"], "700000");
	assert_eq!(proceeds["unallocated"], "300000");
	let (status, kpis) = get(&app, &format!("/v1/issuer/bonds/{bond}/kpis"), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{kpis}");
	assert_eq!(kpis["kpi_links"][0]["series"]["points"][0]["status"], "disputed");
	// Ferdie's bond is not Bob's, on every issuer route.
	let other = hex32(OTHER_BOND);
	for view in ["book", "holders", "obligations", "proceeds", "kpis"] {
		let m = assert_error(
			&get(&app, &format!("/v1/issuer/bonds/{other}/{view}"), Some(&bob)).await,
			StatusCode::FORBIDDEN,
		);
		assert!(m.contains("not issued by"), "{view}: {m}");
	}
	// And Ferdie sees his, not Bob's.
	let ferdie = sign_in(&app, &other_issuer()).await;
	assert_eq!(
		get(&app, &format!("/v1/issuer/bonds/{other}/book"), Some(&ferdie)).await.0,
		StatusCode::OK
	);
	assert_error(
		&get(&app, &format!("/v1/issuer/bonds/{bond}/book"), Some(&ferdie)).await,
		StatusCode::FORBIDDEN,
	);
	db.close().await;
}

fn urlencode(s: &str) -> String {
	s.replace('+', "%2B").replace(':', "%3A")
}

async fn auditor_gets_reverified_reports_and_csv(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let auditor_token = sign_in(&app, &auditor()).await;
	let (status, p0) =
		get(&app, "/v1/auditor/feeds/0/periods/0/reports", Some(&auditor_token)).await;
	assert_eq!(status, StatusCode::OK, "{p0}");
	assert_eq!(p0["reports"][0]["signature_check"], "valid");
	assert_eq!(p0["reports"][0]["operator"], acc(&operator()));
	assert_eq!(p0["reports"][0]["payload_hash"], hex32([0xaa; 32]));
	assert_eq!(p0["reports"][0]["block_number"], 2);
	assert_eq!(p0["reports"][0]["extrinsic_index"], 1);
	assert_eq!(p0["attestations"].as_array().unwrap().len(), 1);
	// Period 1's report claims a value its operator did not sign.
	let (_, p1) = get(&app, "/v1/auditor/feeds/0/periods/1/reports", Some(&auditor_token)).await;
	assert_eq!(p1["reports"][0]["signature_check"], "invalid");
	assert_eq!(p1["disputes"][0]["auditor"], acc(&auditor()));
	let (status, csv) = get(
		&app,
		"/v1/auditor/feeds/0/reports.csv?from_period=0&to_period=5",
		Some(&auditor_token),
	)
	.await;
	assert_eq!(status, StatusCode::OK);
	let csv = csv.as_str().unwrap();
	let lines: Vec<&str> = csv.lines().collect();
	assert_eq!(lines.len(), 3, "{csv}");
	assert!(lines[0].starts_with("feed,period,operator"), "{csv}");
	assert!(lines[1].contains(",valid,"), "{csv}");
	assert!(lines[2].contains(",invalid,"), "{csv}");
	assert_error(
		&get(&app, "/v1/auditor/feeds/9/periods/0/reports", Some(&auditor_token)).await,
		StatusCode::NOT_FOUND,
	);
	let m = assert_error(
		&get(&app, "/v1/auditor/feeds/0/periods/x/reports", Some(&auditor_token)).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'period'"), "{m}");
	db.close().await;
}

async fn persona_routes_refuse_other_roles_and_anonymous_callers(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let bond = hex32(GREEN_BOND);
	let investor_routes =
		["/v1/investor/holdings".to_string(), format!("/v1/investor/bonds/{bond}")];
	let issuer_routes = ["/v1/issuer/bonds".to_string(), format!("/v1/issuer/bonds/{bond}/book")];
	let auditor_routes = [
		"/v1/auditor/feeds/0/periods/0/reports".to_string(),
		"/v1/auditor/feeds/0/reports.csv".to_string(),
	];
	let all: Vec<&String> =
		investor_routes.iter().chain(&issuer_routes).chain(&auditor_routes).collect();
	for route in &all {
		assert_error(&get(&app, route, None).await, StatusCode::UNAUTHORIZED);
		assert_error(&get(&app, route, Some("not-a-token")).await, StatusCode::UNAUTHORIZED);
	}
	let charlie = sign_in(&app, &dev::charlie()).await;
	let bob = sign_in(&app, &dev::bob()).await;
	let auditor_token = sign_in(&app, &auditor()).await;
	let dave = sign_in(&app, &dev::dave()).await; // suspended
	for r in issuer_routes.iter().chain(&auditor_routes) {
		assert_error(&get(&app, r, Some(&charlie)).await, StatusCode::FORBIDDEN);
	}
	for r in investor_routes.iter().chain(&auditor_routes) {
		assert_error(&get(&app, r, Some(&bob)).await, StatusCode::FORBIDDEN);
	}
	for r in investor_routes.iter().chain(&issuer_routes) {
		assert_error(&get(&app, r, Some(&auditor_token)).await, StatusCode::FORBIDDEN);
	}
	for r in &all {
		assert_error(&get(&app, r, Some(&dave)).await, StatusCode::FORBIDDEN);
	}
	// A suspension indexed after sign-in takes the role away at once.
	sqlx::query("UPDATE identities SET status = 'Suspended' WHERE account = $1")
		.bind(acc(&dev::charlie()))
		.execute(&db.pool)
		.await
		.unwrap();
	assert_error(&get(&app, &investor_routes[0], Some(&charlie)).await, StatusCode::FORBIDDEN);
	db.close().await;
}

async fn rate_limit_answers_429_in_the_error_shape(engine: Engine) {
	let db = TestDb::new(engine).await;
	let app =
		app_with(&db.pool, HttpSettings { rate_limit_per_minute: 3, ..HttpSettings::default() });
	for _ in 0..3 {
		assert_eq!(get(&app, "/health", None).await.0, StatusCode::OK);
	}
	assert_error(&get(&app, "/health", None).await, StatusCode::TOO_MANY_REQUESTS);
	db.close().await;
}

async fn openapi_lists_every_route(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let (status, doc) = get(&app, "/openapi.json", None).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(doc["openapi"], "3.0.3");
	for (method, path, ..) in citybond_api::http::openapi::ROUTES {
		assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
		// Every documented route exists in the router (whatever the answer, not "no such route").
		let uri = path
			.replace("{address}", &hex32(GREEN_BOND))
			.replace("{feed}", "0")
			.replace("{period}", "0");
		let (_, body) = send(&app, &method.to_uppercase(), &uri, None, Some("{}".into())).await;
		assert_ne!(body["error"]["message"], "no such route", "{method} {path}");
	}
	db.close().await;
}

async fn a_database_failure_is_a_500_that_reveals_nothing(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	sqlx::query("DROP TABLE contract_events").execute(&db.pool).await.unwrap();
	let res = get(&app, "/v1/bonds", None).await;
	let m = assert_error(&res, StatusCode::INTERNAL_SERVER_ERROR);
	assert_eq!(res.1["error"]["code"], "internal");
	assert!(!m.contains("contract_events") && !m.to_lowercase().contains("sql"), "{m}");
	db.close().await;
}

async fn cash_view_shows_supply_counts_and_balances_from_transfers(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed_with_cash(&db.pool).await;
	let app = app(&db.pool);
	let (status, cash) = get(&app, &format!("/v1/cash/{}", hex32(CASH)), None).await;
	assert_eq!(status, StatusCode::OK, "{cash}");
	assert_eq!(cash["address"], hex32(CASH));
	// Minted 1,000.00 + 500.00, burned 100.00 (minor units, as decimal strings).
	assert_eq!(cash["minted"], "150000");
	assert_eq!(cash["burned"], "10000");
	assert_eq!(cash["supply"], "140000");
	assert_eq!(cash["mints"], 2);
	assert_eq!(cash["burns"], 1);
	// Two mints, one transfer, one burn; the approval is not a transfer.
	assert_eq!(cash["transfers"], 4);
	assert_eq!(cash["holders"], 2);
	// The public view names no account and no balance.
	let text = cash.to_string();
	assert!(cash.get("accounts").is_none(), "{cash}");
	for holder in [cash_a(), cash_b()] {
		assert!(!text.contains(&holder), "{holder} in the public view: {cash}");
	}
	assert!(!text.contains("80000") && !text.contains("60000"), "{cash}");
	let (_, status_view) = get(&app, "/v1/status", None).await;
	assert_eq!(cash["indexed_block"], status_view["indexed_block"]);
	assert_eq!(cash["indexed_block"], 8);
	// The same token by its SS58 address.
	let ss58 = subxt::utils::AccountId32(CASH).to_string();
	let (status, same) = get(&app, &format!("/v1/cash/{ss58}"), None).await;
	assert_eq!(status, StatusCode::OK, "{same}");
	assert_eq!(same, cash);
	// A holder sees its own balance, and only its own.
	let charlie = sign_in(&app, &dev::charlie()).await;
	let (status, own) =
		get(&app, &format!("/v1/cash/{}/balance", hex32(CASH)), Some(&charlie)).await;
	assert_eq!(status, StatusCode::OK, "{own}");
	assert_eq!(own["account"], cash_a());
	assert_eq!(own["balance"], "80000");
	assert_eq!(own["indexed_block"], 8);
	// An account holding none sees 0 (Bob, the issuer).
	let bob = sign_in(&app, &dev::bob()).await;
	let (_, none) = get(&app, &format!("/v1/cash/{}/balance", hex32(CASH)), Some(&bob)).await;
	assert_eq!(none["balance"], "0");
	assert_eq!(none["account"], acc(&dev::bob()));
	// Anonymous: no balance at all.
	assert_error(
		&get(&app, &format!("/v1/cash/{}/balance", hex32(CASH)), None).await,
		StatusCode::UNAUTHORIZED,
	);
	// Reading changed nothing.
	let before = counts(&db.pool).await;
	get(&app, &format!("/v1/cash/{}", hex32(CASH)), None).await;
	assert_eq!(counts(&db.pool).await, before);
	db.close().await;
}

async fn cash_view_pages_accounts_largest_first(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed_with_cash(&db.pool).await;
	let app = app(&db.pool);
	let cash = hex32(CASH);
	let agent = sign_in(&app, &settlement_agent()).await;
	let ledger = |query: &str| format!("/v1/agent/cash/{cash}/accounts{query}");
	let (status, all) = get(&app, &ledger(""), Some(&agent)).await;
	assert_eq!(status, StatusCode::OK, "{all}");
	assert_eq!(
		all["accounts"],
		json!({
			"items": [
				{ "account": cash_a(), "balance": "80000" },
				{ "account": cash_b(), "balance": "60000" },
			],
			"total": 2, "limit": 50, "offset": 0,
		})
	);
	let (status, page) = get(&app, &ledger("?limit=1&offset=1"), Some(&agent)).await;
	assert_eq!(status, StatusCode::OK, "{page}");
	assert_eq!(
		page["accounts"],
		json!({
			"items": [{ "account": cash_b(), "balance": "60000" }],
			"total": 2, "limit": 1, "offset": 1,
		})
	);
	// The totals do not depend on the page.
	assert_eq!(page["supply"], "140000");
	let (_, first) = get(&app, &ledger("?limit=1"), Some(&agent)).await;
	assert_eq!(first["accounts"]["items"], json!([{ "account": cash_a(), "balance": "80000" }]));
	let (_, past) = get(&app, &ledger("?offset=2"), Some(&agent)).await;
	assert_eq!(past["accounts"]["items"], json!([]));
	assert_eq!(past["accounts"]["total"], 2);
	for (query, param) in [
		("limit=0", "'limit'"),
		("limit=501", "'limit'"),
		("offset=-1", "'offset'"),
		("offset=1000001", "'offset'"),
	] {
		let m = assert_error(
			&get(&app, &ledger(&format!("?{query}")), Some(&agent)).await,
			StatusCode::BAD_REQUEST,
		);
		assert!(m.contains(param), "{query}: {m}");
	}
	// Holders, issuers, auditors: not the ledger; anonymous callers neither.
	for who in [dev::charlie(), dev::bob(), auditor()] {
		let token = sign_in(&app, &who).await;
		let m = assert_error(&get(&app, &ledger(""), Some(&token)).await, StatusCode::FORBIDDEN);
		assert!(m.contains("settlement agent"), "{m}");
	}
	assert_error(&get(&app, &ledger(""), None).await, StatusCode::UNAUTHORIZED);
	db.close().await;
}

async fn cash_view_refuses_bad_and_unknown_addresses(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed_with_cash(&db.pool).await;
	let app = app(&db.pool);
	for bad in ["0x1234", "not-an-address", &format!("0x{}", "zz".repeat(32))] {
		let m = assert_error(
			&get(&app, &format!("/v1/cash/{bad}"), None).await,
			StatusCode::BAD_REQUEST,
		);
		assert!(m.contains("'address'"), "{bad}: {m}");
	}
	// A green bond is an indexed contract, but not a cash token.
	for other in [hex32(GREEN_BOND), hex32([0x99; 32])] {
		let m = assert_error(
			&get(&app, &format!("/v1/cash/{other}"), None).await,
			StatusCode::NOT_FOUND,
		);
		assert!(m.contains(&format!("no cash token at {other}")), "{m}");
	}
	// Before the indexer reached the block that created it, the token does not exist yet.
	let early = TestDb::new(engine).await;
	seed(&early.pool).await;
	assert_error(
		&get(&common::app(&early.pool), &format!("/v1/cash/{}", hex32(CASH)), None).await,
		StatusCode::NOT_FOUND,
	);
	early.close().await;
	db.close().await;
}

async fn cash_view_reports_inconsistent_transfers_as_a_500_naming_them(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed_with_cash(&db.pool).await;
	let app = app(&db.pool);
	// B holds 600.00; a stored burn of 600.01 cannot have happened.
	let mut block = later_block(9, vec![]);
	block.events.push(citybond_api::model::ChainEvent {
		index: 0,
		extrinsic: Some(1),
		body: citybond_api::model::EventBody::Contract(citybond_api::model::ContractEvent {
			contract: hex32(CASH),
			kind: "cash_token".into(),
			name: "Transfer".into(),
			fields: json!({ "from": cash_b(), "to": null, "value": 60_001 }),
			bond: None,
		}),
	});
	store::write_block(&db.pool, &block).await.unwrap();
	let res = get(&app, &format!("/v1/cash/{}", hex32(CASH)), None).await;
	let m = assert_error(&res, StatusCode::INTERNAL_SERVER_ERROR);
	assert_eq!(res.1["error"]["code"], "inconsistent_data");
	assert!(m.contains("block 9, event 0"), "{m}");
	assert!(m.contains(&format!("moves 60001 from {}, who holds 60000", cash_b())), "{m}");
	db.close().await;
}

async fn a_block_from_another_chain_is_refused_and_writes_nothing(engine: Engine) {
	let db = TestDb::new(engine).await;
	let blocks = history();
	store::write_block(&db.pool, &blocks[0]).await.unwrap();
	let before = counts(&db.pool).await;
	// Block #1 of a chain whose genesis is not the database's block #0.
	let mut foreign = blocks[1].clone();
	foreign.parent_hash = hex32([0xee; 32]);
	let e = store::write_block(&db.pool, &foreign).await.unwrap_err();
	assert!(matches!(e, citybond_api::Error::WrongChain(_)), "{e}");
	assert!(e.to_string().contains("another chain"), "{e}");
	assert_eq!(counts(&db.pool).await, before);
	// Its own chain's block #1 follows.
	assert_eq!(store::write_block(&db.pool, &blocks[1]).await.unwrap(), store::Written::Applied);
	db.close().await;
}

async fn signing_out_ends_one_session_or_all_of_them(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	let charlie = dev::charlie();
	let phone = sign_in(&app, &charlie).await;
	let laptop = sign_in(&app, &charlie).await;
	let dave = sign_in(&app, &dev::dave()).await;
	// Signing out needs a session.
	assert_error(&post(&app, "/v1/auth/logout", json!({})).await, StatusCode::UNAUTHORIZED);
	// One session: the phone's token stops working, the laptop's still works.
	let (status, out) = post_auth(&app, "/v1/auth/logout", "", Some(&phone)).await;
	assert_eq!(status, StatusCode::OK, "{out}");
	assert_eq!(out["sessions_ended"], 1);
	let m = assert_error(&get(&app, "/v1/me", Some(&phone)).await, StatusCode::UNAUTHORIZED);
	assert!(m.contains("signed-out"), "{m}");
	assert_eq!(get(&app, "/v1/me", Some(&laptop)).await.0, StatusCode::OK);
	// A malformed body is refused and ends nothing.
	let m = assert_error(
		&post_auth(&app, "/v1/auth/logout", "{all:", Some(&laptop)).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("JSON"), "{m}");
	assert_eq!(get(&app, "/v1/me", Some(&laptop)).await.0, StatusCode::OK);
	// All of Charlie's sessions; Dave's is not Charlie's to end.
	let again = sign_in(&app, &charlie).await;
	let (status, out) = post_auth(&app, "/v1/auth/logout", r#"{"all": true}"#, Some(&again)).await;
	assert_eq!(status, StatusCode::OK, "{out}");
	assert_eq!(out["sessions_ended"], 2);
	for token in [&laptop, &again] {
		assert_error(&get(&app, "/v1/me", Some(token)).await, StatusCode::UNAUTHORIZED);
	}
	assert_eq!(get(&app, "/v1/me", Some(&dave)).await.0, StatusCode::OK);
	db.close().await;
}

async fn kpi_series_defaults_to_the_latest_periods_at_any_age(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let app = app(&db.pool);
	// A feed whose periods started long ago: thousands of periods by now.
	let (_, feed) = get(&app, "/v1/feeds/0/kpis?from_period=0&to_period=0", None).await;
	let period_ms = feed["period_ms"].as_i64().unwrap();
	sqlx::query("UPDATE kpi_feeds SET first_start_ms = first_start_ms - $1 WHERE feed_id = 0")
		.bind(period_ms * 5_000)
		.execute(&db.pool)
		.await
		.unwrap();
	let (status, latest) = get(&app, "/v1/feeds/0/kpis", None).await;
	assert_eq!(status, StatusCode::OK, "{latest}");
	let current = latest["current_period"].as_i64().unwrap();
	assert!(current >= 5_000, "{current}");
	let points = latest["points"].as_array().unwrap();
	assert_eq!(points.len(), 500);
	assert_eq!(latest["to_period"], current);
	assert_eq!(latest["from_period"], current - 499);
	assert_eq!(points.last().unwrap()["period"], current);
	// One bound: 500 periods from it, or up to it.
	let (status, from) = get(&app, "/v1/feeds/0/kpis?from_period=10", None).await;
	assert_eq!(status, StatusCode::OK, "{from}");
	assert_eq!((from["from_period"].clone(), from["to_period"].clone()), (json!(10), json!(509)));
	let (status, to) = get(&app, "/v1/feeds/0/kpis?to_period=100", None).await;
	assert_eq!(status, StatusCode::OK, "{to}");
	assert_eq!((to["from_period"].clone(), to["to_period"].clone()), (json!(0), json!(100)));
	// Both bounds, too wide: refused, naming the parameter.
	let m = assert_error(
		&get(&app, "/v1/feeds/0/kpis?from_period=0&to_period=500", None).await,
		StatusCode::BAD_REQUEST,
	);
	assert!(m.contains("'to_period'"), "{m}");

	// The issuer's KPI view shows the bond's observed periods and only those, however far
	// apart: three within one window of 500 periods, one thousands of periods later.
	let targets: [i64; 4] = [1, 2, 300, 4_000];
	let terms: String = sqlx::query_scalar("SELECT terms FROM bonds WHERE address = $1")
		.bind(hex32(GREEN_BOND))
		.fetch_one(&db.pool)
		.await
		.unwrap();
	let mut terms: serde_json::Value = serde_json::from_str(&terms).unwrap();
	terms["kpis"][0]["targets"] = targets
		.iter()
		.map(|p| json!({ "observation_period": 1, "feed_period": p, "target": 1_000_000 }))
		.collect();
	sqlx::query("UPDATE bonds SET terms = $1 WHERE address = $2")
		.bind(terms.to_string())
		.bind(hex32(GREEN_BOND))
		.execute(&db.pool)
		.await
		.unwrap();
	let bob = sign_in(&app, &dev::bob()).await;
	let (status, kpis) =
		get(&app, &format!("/v1/issuer/bonds/{}/kpis", hex32(GREEN_BOND)), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{kpis}");
	let shown: Vec<i64> = kpis["kpi_links"][0]["series"]["points"]
		.as_array()
		.unwrap()
		.iter()
		.map(|p| p["period"].as_i64().unwrap())
		.collect();
	assert_eq!(shown, targets, "{kpis}");
	db.close().await;
}

/// `who`'s entry in an issuer's register answer, if it lists `who`.
fn holder(register: &serde_json::Value, who: &str) -> Option<serde_json::Value> {
	register["items"].as_array()?.iter().find(|h| h["holder"] == who).cloned()
}

/// #16 item 11: what an agent or the issuer did to holdings shows where users look: a frozen
/// account and frozen units in the register and the holder's own position, a recovery (with
/// the units on the new account), a forced transfer, a pause, and what the issuer reclaimed.
async fn freezes_recoveries_reclaims_and_pauses_show_in_the_views(engine: Engine) {
	let db = TestDb::new(engine).await;
	seed(&db.pool).await;
	let (charlie, dave, eve, alice) =
		(acc(&dev::charlie()), acc(&dev::dave()), acc(&dev::eve()), acc(&dev::alice()));
	let ed = ed_account();
	let block7 = later_block(
		7,
		vec![
			bond_event(0, "Paused", json!({ "agent": alice })),
			bond_event(
				1,
				"AddressFrozen",
				json!({ "who": charlie, "frozen": true, "agent": alice }),
			),
			bond_event(2, "TokensFrozen", json!({ "who": charlie, "amount": 2 })),
			// Ed's wallet is lost: its unit goes to Eve, the same identity's new account.
			bond_event(3, "Transfer", json!({ "from": ed, "to": eve, "value": 1 })),
			bond_event(
				4,
				"RecoverySuccess",
				json!({ "lost": ed, "new": eve, "units": 1, "agent": alice }),
			),
			// Charlie left 6 × 2 125 of coupon 0 unclaimed; Bob takes it back.
			bond_event(5, "Reclaimed", json!({ "payment": { "Coupon": 0 }, "amount": 12_750 })),
		],
	);
	assert_eq!(store::write_block(&db.pool, &block7).await.unwrap(), store::Written::Applied);
	let app = app(&db.pool);
	let bond = hex32(GREEN_BOND);
	let (status, detail) = get(&app, &format!("/v1/bonds/{bond}"), None).await;
	assert_eq!(status, StatusCode::OK, "{detail}");
	assert_eq!(detail["paused"], true, "{detail}");

	let bob = sign_in(&app, &dev::bob()).await;
	let (status, reg) = get(&app, &format!("/v1/issuer/bonds/{bond}/holders"), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{reg}");
	assert_eq!(holder(&reg, &charlie).unwrap()["frozen"], true, "{reg}");
	assert_eq!(holder(&reg, &charlie).unwrap()["frozen_units"], "2", "{reg}");
	assert_eq!(holder(&reg, &dave).unwrap()["frozen"], false, "{reg}");
	assert_eq!(holder(&reg, &dave).unwrap()["frozen_units"], "0", "{reg}");
	assert_eq!(holder(&reg, &eve).unwrap()["units"], "1", "the recovered unit: {reg}");
	assert!(holder(&reg, &ed).is_none(), "the lost wallet holds nothing: {reg}");
	let recovery = &reg["recoveries"][0];
	assert_eq!((&recovery["lost"], &recovery["new"]), (&json!(ed), &json!(eve)), "{reg}");
	assert_eq!(recovery["units"], "1");
	let (status, obligations) =
		get(&app, &format!("/v1/issuer/bonds/{bond}/obligations"), Some(&bob)).await;
	assert_eq!(status, StatusCode::OK, "{obligations}");
	assert_eq!(obligations["reclaimed"]["coupon:0"], "12750", "{obligations}");
	assert_eq!(obligations["paused"], true);

	// The holder sees its own restrictions.
	let charlie_token = sign_in(&app, &dev::charlie()).await;
	let position = format!("/v1/investor/bonds/{bond}");
	let (_, pos) = get(&app, &position, Some(&charlie_token)).await;
	assert_eq!((&pos["frozen"], &pos["frozen_units"]), (&json!(true), &json!("2")), "{pos}");

	// Unfrozen, unpaused, and a forced transfer: the views follow.
	let block8 = later_block(
		8,
		vec![
			bond_event(0, "Unpaused", json!({ "agent": alice })),
			bond_event(
				1,
				"AddressFrozen",
				json!({ "who": charlie, "frozen": false, "agent": alice }),
			),
			bond_event(2, "TokensUnfrozen", json!({ "who": charlie, "amount": 2 })),
			bond_event(3, "Transfer", json!({ "from": dave, "to": eve, "value": 1 })),
			bond_event(
				4,
				"ForcedTransfer",
				json!({ "agent": alice, "from": dave, "to": eve, "value": 1 }),
			),
		],
	);
	assert_eq!(store::write_block(&db.pool, &block8).await.unwrap(), store::Written::Applied);
	let (_, detail) = get(&app, &format!("/v1/bonds/{bond}"), None).await;
	assert_eq!(detail["paused"], false, "{detail}");
	let (_, reg) = get(&app, &format!("/v1/issuer/bonds/{bond}/holders"), Some(&bob)).await;
	assert_eq!(holder(&reg, &charlie).unwrap()["frozen"], false, "{reg}");
	assert_eq!(holder(&reg, &charlie).unwrap()["frozen_units"], "0", "{reg}");
	assert_eq!(holder(&reg, &eve).unwrap()["units"], "2", "{reg}");
	let (_, pos) = get(&app, &position, Some(&charlie_token)).await;
	assert_eq!((&pos["frozen"], &pos["frozen_units"]), (&json!(false), &json!("0")), "{pos}");
	assert_eq!(reg["forced_transfers"][0]["from"], json!(dave), "{reg}");
	db.close().await;
}
