//! Term sheets, offline: the shipped examples are valid and round-trip; every rule refuses a
//! bad sheet with the field named; the `citybond` binary answers with the documented exit codes.

// A test fails by panicking: unwrapping is how these helpers report a broken fixture.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use citybond_cli::{
	term_sheet::{TermSheet, Terms},
	terms_hash,
};
use green_bond_rules::{calendar::Date, daycount::Fraction, schedule::CouponPeriod};
use serde_json::{json, Value};
use std::{path::PathBuf, process::Command};

fn example(name: &str) -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

fn read(name: &str) -> String {
	std::fs::read_to_string(example(name)).unwrap()
}

const TEN_YEAR: &str = "green-bond-10y-act-act-icma.json";
const STEP_DOWN: &str = "sustainability-linked-step-down.json";

fn date(ms: u64) -> (i32, u8, u8) {
	let d = Date::from_unix_millis(ms).unwrap();
	(d.year(), d.month(), d.day())
}

#[test]
fn shipped_examples_are_valid_and_round_trip_through_the_contracts_terms() {
	for name in [TEN_YEAR, STEP_DOWN] {
		let sheet = TermSheet::from_json(&read(name)).unwrap();
		let (terms, _) = sheet.to_terms().unwrap_or_else(|e| panic!("{name}: {e}"));
		// Written back from the contract's terms: the same sheet, field for field.
		let back = TermSheet::from_terms(&terms, 2, |_| 3);
		assert_eq!(back, sheet, "{name}");
		// And the JSON written is the JSON shipped (the examples are in the canonical form).
		let shipped: Value = serde_json::from_str(&read(name)).unwrap();
		let written: Value = serde_json::from_str(&back.to_json()).unwrap();
		assert_eq!(written, shipped, "{name}");
		let (again, _) = back.to_terms().unwrap();
		assert_eq!(again, terms);
		assert_eq!(terms_hash(&again), terms_hash(&terms));
	}
}

#[test]
fn ten_year_act_act_icma_bond_accrues_exactly_half_a_year_each_period() {
	let sheet = TermSheet::from_json(&read(TEN_YEAR)).unwrap();
	let (terms, schedule) = sheet.to_terms().unwrap();
	assert_eq!(schedule.len(), 20);
	let half = Fraction::new(1, 2).unwrap();
	for p in &schedule {
		assert_eq!(p.fraction, half, "period {}", p.index);
	}
	let first: &CouponPeriod = &schedule[0];
	assert_eq!(date(first.accrual_end), (2027, 8, 1));
	// 1 August 2027 is a Sunday: paid on Monday 2 August (modified following), recorded a
	// day before.
	assert_eq!(date(first.payment_date), (2027, 8, 2));
	assert_eq!(date(first.record_date), (2027, 8, 1));
	// 1 February 2037 is a Sunday too: principal and the last coupon are paid on the 2nd.
	let last = schedule.last().unwrap();
	assert_eq!(date(last.accrual_end), (2037, 2, 1));
	assert_eq!(date(last.payment_date), (2037, 2, 2));
	// 3.25 % on 1,000.00 for half a year: 16.25 per bond.
	let coupon =
		green_bond_rules::payout::coupon_per_unit(terms.denomination, terms.coupon_rate_bps, half)
			.unwrap();
	assert_eq!(coupon, 1_625);
}

#[test]
fn the_fixture_terms_round_trip_through_a_term_sheet() {
	// The rules' own sample terms (compressed periods, a KPI, a call, a cap, a tranche).
	let terms: Terms = green_bond_rules::fixture::terms([1; 32], [2; 32], *b"NL");
	terms.validate().unwrap();
	let sheet = TermSheet::from_terms(&terms, 3, |_| 0);
	let (back, _) = TermSheet::from_json(&sheet.to_json()).unwrap().to_terms().unwrap();
	assert_eq!(back, terms);
	assert_eq!(terms_hash(&back), terms_hash(&terms));
}

/// The 10-year example with `pointer` set to `value`.
fn with(name: &str, pointer: &str, value: Value) -> String {
	let mut doc: Value = serde_json::from_str(&read(name)).unwrap();
	*doc.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer}")) = value;
	doc.to_string()
}

#[test]
fn bad_term_sheets_are_refused_with_the_field_named() {
	let cases: Vec<(&str, &str, Value, &str, &str)> = vec![
		// (sheet, pointer, value, field named, words in the problem)
		(TEN_YEAR, "/isin", json!("NLCITYBOND17"), "isin", "check digit"),
		(TEN_YEAR, "/isin", json!("nlcitybond16"), "isin", "two letters"),
		(TEN_YEAR, "/isin", json!("NL123"), "isin", "12 characters"),
		(TEN_YEAR, "/cfi", json!("EBFTFR"), "cfi", "debt"),
		(TEN_YEAR, "/cfi", json!("DZFTFR"), "cfi", "debt group"),
		(TEN_YEAR, "/cfi", json!("dbftfr"), "cfi", "uppercase"),
		(TEN_YEAR, "/issuer", json!("Bob"), "issuer", "SS58"),
		(TEN_YEAR, "/currency", json!("0x1234"), "currency", "SS58"),
		(TEN_YEAR, "/denomination", json!("0"), "denomination", "zero"),
		(TEN_YEAR, "/denomination", json!("1000.001"), "denomination", "more than 2 decimals"),
		(TEN_YEAR, "/denomination", json!("-1000"), "denomination", "negative"),
		(TEN_YEAR, "/issueSize", json!("50000000.50"), "issueSize", "whole number"),
		(TEN_YEAR, "/minimumRaise", json!("0"), "minimumRaise", "zero"),
		(TEN_YEAR, "/minimumRaise", json!("60000000"), "minimumRaise", "exceeds"),
		(TEN_YEAR, "/minimumSubscription", json!("1500"), "minimumSubscription", "whole"),
		(TEN_YEAR, "/minimumSubscription", json!("60000000"), "minimumSubscription", "exceeds"),
		(TEN_YEAR, "/subscriptionEnd", json!("2027-01-04T00:00:00Z"), "subscriptionEnd", "window"),
		(
			TEN_YEAR,
			"/subscriptionEnd",
			json!("2027-02-02T00:00:00Z"),
			"subscriptionEnd",
			"after the issue date",
		),
		(TEN_YEAR, "/issueDate", json!("2027-02-01T12:00:00Z"), "issueDate", "midnight"),
		(
			TEN_YEAR,
			"/maturityDate",
			json!("2027-01-31T00:00:00Z"),
			"maturityDate",
			"not after the issue date",
		),
		(
			TEN_YEAR,
			"/maturityDate",
			json!("2037-02-01T00:00:00.0005Z"),
			"maturityDate",
			"millisecond",
		),
		(TEN_YEAR, "/couponFrequency", json!("Weekly"), "couponFrequency", "SemiAnnual"),
		(
			TEN_YEAR,
			"/couponFrequency",
			json!({"every": "PT0S", "periodsPerYear": 2}),
			"couponFrequency",
			"zero",
		),
		(TEN_YEAR, "/dayCountFraction", json!("ACT/ACT ISDA"), "dayCountFraction", "ACT/ACT ICMA"),
		(
			TEN_YEAR,
			"/businessDayConvention",
			json!("Nearest"),
			"businessDayConvention",
			"ModifiedFollowing",
		),
		(TEN_YEAR, "/recordDateOffset", json!("PT12H"), "recordDateOffset", "whole days"),
		(TEN_YEAR, "/recordDateOffset", json!("P1M"), "line", "fixed length"),
		(TEN_YEAR, "/couponCap", json!("100.01"), "couponCap", "100 %"),
		(TEN_YEAR, "/couponFloor", json!("3.50"), "couponFloor", "exceeds the cap"),
		(TEN_YEAR, "/couponRate", json!("3.255"), "couponRate", "basis points"),
		(TEN_YEAR, "/useOfProceeds", json!([]), "useOfProceeds", "no use-of-proceeds"),
		(
			TEN_YEAR,
			"/useOfProceeds",
			json!(["GreenBuildings", "GreenBuildings"]),
			"useOfProceeds",
			"twice",
		),
		(TEN_YEAR, "/useOfProceeds/0", json!("Coal"), "useOfProceeds[0]", "RenewableEnergy"),
		(
			TEN_YEAR,
			"/documents/framework",
			json!(format!("0x{}", "00".repeat(32))),
			"documents.framework",
			"missing",
		),
		(TEN_YEAR, "/documents/framework", json!("0x1234"), "documents.framework", "32 bytes"),
		(
			TEN_YEAR,
			"/documents/secondPartyOpinion",
			json!(format!("0x{}", "00".repeat(32))),
			"documents.secondPartyOpinion",
			"all zero",
		),
		(
			TEN_YEAR,
			"/callSchedule/0/date",
			json!("2032-03-01T00:00:00Z"),
			"callSchedule",
			"coupon date",
		),
		(TEN_YEAR, "/callSchedule/0/premium", json!("101"), "callSchedule", "100 %"),
		(TEN_YEAR, "/claimPeriod", json!("PT0S"), "claimPeriod", "never claim"),
		(TEN_YEAR, "/investorCaps/0/maxAmount", json!("100000.50"), "investorCaps", "whole number"),
		(
			TEN_YEAR,
			"/investorCaps/0/category",
			json!("Whale"),
			"investorCaps[0].category",
			"Retail",
		),
		(
			TEN_YEAR,
			"/residentPriority/jurisdiction",
			json!("nl"),
			"residentPriority.jurisdiction",
			"uppercase",
		),
		(
			TEN_YEAR,
			"/residentPriority/jurisdiction",
			json!("NLD"),
			"residentPriority.jurisdiction",
			"2 characters",
		),
		(
			TEN_YEAR,
			"/residentPriority/tranche",
			json!("60000000"),
			"residentPriority.tranche",
			"exceeds",
		),
		(STEP_DOWN, "/kpis/0/couponAdjustment", json!("0"), "kpis[].couponAdjustment", "zero"),
		(
			STEP_DOWN,
			"/kpis/0/couponAdjustment",
			json!("-100.01"),
			"kpis[].couponAdjustment",
			"100 %",
		),
		(STEP_DOWN, "/kpis/0/direction", json!("Up"), "kpis[0].direction", "AtOrAbove"),
		(STEP_DOWN, "/kpis/0/targets", json!([]), "kpis[].targets", "no targets"),
		(
			STEP_DOWN,
			"/kpis/0/targets/1/observationPeriod",
			json!(1),
			"kpis[].targets",
			"increasing",
		),
		(
			STEP_DOWN,
			"/kpis/0/targets/1/observationPeriod",
			json!(4),
			"kpis[].targets",
			"last coupon",
		),
		(
			STEP_DOWN,
			"/kpis/0/targets/0/target",
			json!("12500.0001"),
			"kpis[0].targets[0].target",
			"more than 3 decimals",
		),
		(
			STEP_DOWN,
			"/kpis/0/targets/0/observationDate",
			json!("2027-03-01T00:00:00Z"),
			"kpis[].targets[].observationDate",
			"not after the issue date",
		),
		(
			STEP_DOWN,
			"/kpis/0/targets/0/observationDate",
			json!("2030-03-01T00:00:00Z"),
			"kpis[].targets[].observationDate",
			"after the record date",
		),
		(TEN_YEAR, "/coupon", json!("3.25"), "line", "unknown field"),
	];
	for (name, pointer, value, field, words) in cases {
		let text = if pointer == "/coupon" {
			let mut doc: Value = serde_json::from_str(&read(name)).unwrap();
			doc.as_object_mut().unwrap().insert("coupon".into(), value.clone());
			doc.to_string()
		} else {
			with(name, pointer, value.clone())
		};
		let refused = TermSheet::from_json(&text)
			.and_then(|sheet| sheet.to_terms())
			.expect_err(&format!("{pointer} = {value} was accepted"));
		assert!(
			refused.field.starts_with(field) && refused.to_string().contains(words),
			"{pointer} = {value}: expected {field} / {words}, got {refused}"
		);
	}
}

#[test]
fn a_missing_field_is_named() {
	let mut doc: Value = serde_json::from_str(&read(TEN_YEAR)).unwrap();
	doc.as_object_mut().unwrap().remove("maturityDate");
	let refused = TermSheet::from_json(&doc.to_string()).unwrap_err();
	assert!(refused.to_string().contains("missing field `maturityDate`"), "{refused}");
}

fn citybond(args: &[&str]) -> (i32, String, String) {
	let out = Command::new(env!("CARGO_BIN_EXE_citybond")).args(args).output().unwrap();
	(
		out.status.code().unwrap_or(-1),
		String::from_utf8_lossy(&out.stdout).into_owned(),
		String::from_utf8_lossy(&out.stderr).into_owned(),
	)
}

#[test]
fn the_cli_checks_a_term_sheet_and_answers_with_documented_exit_codes() {
	let good = example(TEN_YEAR);
	let (code, out, _) = citybond(&["term-sheet", "check", good.to_str().unwrap()]);
	assert_eq!(code, 0);
	assert!(out.contains("20 coupon periods") && out.contains("2027-08-02"), "{out}");

	let (code, out, _) = citybond(&["term-sheet", "check", "--json", good.to_str().unwrap()]);
	assert_eq!(code, 0);
	let answer: Value = serde_json::from_str(&out).unwrap();
	let sheet = TermSheet::from_json(&read(TEN_YEAR)).unwrap();
	let (terms, _) = sheet.to_terms().unwrap();
	assert_eq!(answer["termsHash"], json!(format!("0x{}", hex::encode(terms_hash(&terms)))));
	assert_eq!(answer["schedule"][0]["baseCouponPerDenomination"], json!("16.25"));
	assert_eq!(answer["schedule"].as_array().unwrap().len(), 20);

	let dir = tempfile::tempdir().unwrap();
	let bad = dir.path().join("bad.json");
	std::fs::write(&bad, with(TEN_YEAR, "/isin", json!("NLCITYBOND17"))).unwrap();
	let (code, out, _) = citybond(&["term-sheet", "check", "--json", bad.to_str().unwrap()]);
	assert_eq!(code, 3, "{out}");
	let answer: Value = serde_json::from_str(&out).unwrap();
	assert_eq!(answer["valid"], json!(false));
	assert_eq!(answer["field"], json!("isin"));

	let (code, _, err) = citybond(&["term-sheet", "check", "/nonexistent/sheet.json"]);
	assert_eq!(code, 1);
	assert!(err.contains("/nonexistent/sheet.json"), "{err}");

	let (code, _, _) = citybond(&["term-sheet", "frobnicate"]);
	assert_eq!(code, 2);
}

#[test]
fn a_template_starts_now_and_passes_the_bonds_rules() {
	const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	let before = chrono::Utc::now();
	let template = ["term-sheet", "template", "--issuer", BOB, "--currency", ALICE];
	let (code, out, err) = citybond(&[&template[..], &["--periods", "3"]].concat());
	assert_eq!(code, 0, "{err}");
	let sheet = TermSheet::from_json(&out).unwrap();
	let (terms, schedule) = sheet.to_terms().unwrap();
	assert_eq!(schedule.len(), 3);
	assert_eq!(sheet.issuer, BOB);
	// Subscriptions are open now and close two minutes from now; the bond is issued 30 s
	// later and pays every 30 s.
	let now = u64::try_from(before.timestamp_millis()).unwrap();
	assert!(terms.subscription_start <= now && now < terms.subscription_end);
	assert!(terms.subscription_end - now <= 120_000 && terms.subscription_end - now > 110_000);
	assert_eq!(terms.issue_date, terms.subscription_end + 30_000);
	assert_eq!(terms.maturity_date, terms.issue_date + 3 * 30_000);

	// What it prints, `term-sheet check` accepts as it is.
	let dir = tempfile::tempdir().unwrap();
	let file = dir.path().join("template.json");
	std::fs::write(&file, &out).unwrap();
	let (code, _, err) = citybond(&["term-sheet", "check", file.to_str().unwrap()]);
	assert_eq!(code, 0, "{err}");

	// Bad choices are refused with the option named.
	let (code, _, err) = citybond(&[&template[..], &["--period", "P6M"]].concat());
	assert_eq!(code, 3);
	assert!(err.contains("--period"), "{err}");
	let (code, _, err) = citybond(&[&template[..], &["--periods", "0"]].concat());
	assert_eq!(code, 3);
	assert!(err.contains("--periods"), "{err}");
	let (code, _, err) = citybond(&[&template[..], &["--isin", "NLCITYBOND25"]].concat());
	assert_eq!(code, 3);
	assert!(err.contains("isin"), "{err}");
}

#[test]
fn key_files_others_may_read_and_json_keystores_are_refused_before_anything_is_sent() {
	use std::os::unix::fs::PermissionsExt;
	let dir = tempfile::tempdir().unwrap();
	let key = dir.path().join("bob.key");
	std::fs::write(&key, "//Bob\n").unwrap();
	std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
	let bond = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	// The URL answers nothing: a refusal must come before any connection.
	let args =
		["--url", "ws://127.0.0.1:1", "--key-file", key.to_str().unwrap(), "bond", "claim", bond];
	let (code, _, err) = citybond(&args);
	assert_eq!(code, 3, "{err}");
	assert!(err.contains("chmod 600"), "{err}");

	std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
	let (code, _, err) = citybond(&args);
	// Now the key is accepted and the unreachable node is the problem.
	assert_eq!(code, 5, "{err}");

	std::fs::write(&key, r#"{"encoded":"...","encoding":{"type":["scrypt","xsalsa20-poly1305"]}}"#)
		.unwrap();
	let (code, _, err) = citybond(&args);
	assert_eq!(code, 3, "{err}");
	assert!(err.contains("JSON keystore"), "{err}");

	let (code, _, err) = citybond(&["--url", "ws://127.0.0.1:1", "bond", "claim", bond]);
	assert_eq!(code, 3, "{err}");
	assert!(err.contains("--suri"), "{err}");

	let (code, _, err) = citybond(&["--suri", "//Bob", "bond", "claim", "not-an-address"]);
	assert_eq!(code, 3, "{err}");
	assert!(err.contains("bond address"), "{err}");
}
