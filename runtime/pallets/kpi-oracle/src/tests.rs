//! Tests of the KPI oracle: feeds and operators, report checks, the KPI lifecycle, the bounded
//! per-block transitions, and the ed25519 edge cases of `sp_io::crypto::ed25519_verify`.

// Tests compute times and values with plain arithmetic on small constants.
#![allow(clippy::arithmetic_side_effects)]

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::{ed25519, Pair, H256};
use sp_runtime::{DispatchError, Permill};

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// The oracle's events so far, oldest first.
fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::KpiOracle(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The stored status of a period's KPI (not the status as of now; see `KpiOracle::kpi`).
fn stored_status(feed: FeedId, period: PeriodIndex) -> Option<KpiStatus> {
	Kpis::<Test>::get(feed, period).map(|record| record.status)
}

/// When reports for `period` of a default feed stop being accepted.
fn deadline(period: PeriodIndex) -> Moment {
	period_end(period) + MAX_AGE
}

/// Submits `report` signed by `signer` and naming its public key, from `submitter`.
fn submit_as(
	submitter: u64,
	signer: &ed25519::Pair,
	report: ReportPayload,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let signature = signer.sign(&KpiOracle::report_message(&report));
	KpiOracle::submit_report(signed(submitter), Box::new(report), signer.public(), signature)
}

/// A feed spec with the operator list replaced by `operators`.
fn spec_with_keys(operators: &[(u64, OperatorKey)], quorum: u32) -> FeedSpec<Test> {
	let mut feed_spec = spec(&[], quorum);
	feed_spec.operators = BoundedVec::truncate_from(operators.to_vec());
	feed_spec
}

/// Governance creating `feed_spec` (operators included) fails with `error`.
fn assert_create_fails(feed_spec: FeedSpec<Test>, error: Error<Test>) {
	assert_noop!(KpiOracle::create_feed(root(), Box::new(feed_spec)), error);
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

/// Makes period 0 of `feed` `Provisional` with A, B and C reporting 100, 102 and 150 (quorum 3
/// feeds: median 102) or A and B reporting 100 and 102 (quorum 2 feeds: median 101). Returns
/// the challenge end.
fn provisional_period_zero(feed: FeedId) -> Moment {
	Now::set(period_end(0) + HOUR);
	assert_ok!(submit(OPERATOR_A, feed, 0, 100_000));
	assert_ok!(submit(OPERATOR_B, feed, 0, 102_000));
	if KpiOracle::feed(feed).unwrap().params.quorum == 3 {
		assert_ok!(submit(OPERATOR_C, feed, 0, 150_000));
	}
	assert_eq!(stored_status(feed, 0), Some(KpiStatus::Provisional));
	period_end(0) + HOUR + CHALLENGE_WINDOW
}

/// Adds the little-endian 256-bit integers `a` and `b`, dropping the final carry.
fn add_le_256(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
	let mut sum = [0u8; 32];
	let mut carry = 0u16;
	for index in 0..32 {
		let total = u16::from(a[index]) + u16::from(b[index]) + carry;
		sum[index] = (total & 0xff) as u8;
		carry = total >> 8;
	}
	sum
}

/// The order of the Edwards25519 prime-order subgroup, little-endian:
/// l = 2^252 + 27742317777372353535851937790883648493.
const GROUP_ORDER: [u8; 32] = [
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// Encodings that are not canonical: y = p, y = p + 1 (which decodes as y = 1), y = 2^255 - 1,
/// and the sign bit set where x = 0 (y = 1 and y = -1), and y = p with the sign bit.
fn non_canonical_keys() -> Vec<[u8; 32]> {
	let mut y_p = [0xff; 32];
	y_p[0] = 0xed;
	y_p[31] = 0x7f;
	let mut y_p_plus_one = y_p;
	y_p_plus_one[0] = 0xee;
	let mut y_max = [0xff; 32];
	y_max[31] = 0x7f;
	let mut one_with_sign = [0u8; 32];
	one_with_sign[0] = 0x01;
	one_with_sign[31] = 0x80;
	let mut minus_one_with_sign = [0xff; 32];
	minus_one_with_sign[0] = 0xec;
	let mut y_p_with_sign = y_p;
	y_p_with_sign[31] = 0xff;
	vec![y_p, y_p_plus_one, y_max, one_with_sign, minus_one_with_sign, y_p_with_sign]
}

// --- pure helpers ------------------------------------------------------------------------------

#[test]
fn the_median_of_an_even_count_is_the_midpoint_rounded_half_to_even() {
	assert_eq!(median(&[]), None);
	assert_eq!(median(&[7]), Some(7));
	assert_eq!(median(&[1, 2, 3]), Some(2));
	assert_eq!(median(&[-5, -3, 0, 8, 9]), Some(0));
	assert_eq!(median(&[10, 20, 30, 40]), Some(25));
	assert_eq!(median(&[-40, -10]), Some(-25));
	// Half units go to the even neighbour: up as often as down.
	assert_eq!(median(&[1, 2]), Some(2));
	assert_eq!(median(&[2, 3]), Some(2));
	assert_eq!(median(&[-3, -2]), Some(-2));
	assert_eq!(median(&[-2, -1]), Some(-2));
	assert_eq!(median(&[-1, 0]), Some(0));
	// No overflow at the ends of the range.
	assert_eq!(median(&[i128::MIN, i128::MAX]), Some(0));
	assert_eq!(median(&[i128::MAX - 1, i128::MAX]), Some(i128::MAX - 1));
	assert_eq!(median(&[i128::MIN, i128::MIN + 1]), Some(i128::MIN));
	assert_eq!(median(&[i128::MAX, i128::MAX]), Some(i128::MAX));
}

#[test]
fn the_median_is_symmetric_and_fewer_than_half_cannot_leave_the_honest_range() {
	// Symmetric: negating every value negates the median (half units round to even both ways).
	for a in -7i128..=7 {
		for b in a..=7 {
			assert_eq!(median(&[-b, -a]), median(&[a, b]).map(|m| -m), "{a} {b}");
		}
	}
	// Three honest reports near 100; any one or two (of five) colluders, however extreme, and
	// the median stays in [99, 101].
	let honest = [99, 100, 101];
	for colluders in [vec![i128::MIN], vec![i128::MAX], vec![0, 0], vec![1_000_000, 1_000_000]] {
		let mut all: Vec<i128> = honest.iter().copied().chain(colluders.clone()).collect();
		all.sort();
		let m = median(&all).unwrap();
		assert!((99..=101).contains(&m), "{colluders:?} moved the median to {m}");
	}
	// Two of four colluding low move it only half way from the nearest honest value.
	assert_eq!(median(&[0, 0, 100, 102]), Some(50));
}

#[test]
fn schedule_maps_periods_to_times_and_back() {
	let schedule = PeriodSchedule { first_start: FIRST_START, length: DAY };
	assert_eq!(schedule.start(0), Some(FIRST_START));
	assert_eq!(schedule.end(0), Some(FIRST_START + DAY));
	assert_eq!(schedule.start(3), Some(FIRST_START + 3 * DAY));
	assert_eq!(schedule.current(START), 0);
	assert_eq!(schedule.current(FIRST_START), 0);
	assert_eq!(schedule.current(FIRST_START + DAY - 1), 0);
	assert_eq!(schedule.current(FIRST_START + DAY), 1);
	let huge = PeriodSchedule { first_start: u64::MAX - DAY, length: DAY };
	assert_eq!(huge.start(0), Some(u64::MAX - DAY));
	assert_eq!(huge.end(0), Some(u64::MAX));
	assert_eq!(huge.end(1), None);
}

#[test]
fn outliers_are_measured_against_the_median_magnitude() {
	let params = spec(&[], 1).params;
	// 5 % of 1,000 is 50.
	assert!(!params.is_outlier(1_050, 1_000));
	assert!(params.is_outlier(1_051, 1_000));
	assert!(!params.is_outlier(-1_050, -1_000));
	assert!(params.is_outlier(-949, -1_000));
	// With a median of 0 every other value is an outlier.
	assert!(params.is_outlier(1, 0));
	// No overflow at the extremes.
	assert!(params.is_outlier(i128::MAX, i128::MIN));
	assert!(!params.is_outlier(i128::MIN, i128::MIN));
	let everything = FeedParams { outlier_tolerance: Permill::from_percent(100), ..params };
	assert!(!everything.is_outlier(0, i128::MIN));
}

// --- ed25519 rules -----------------------------------------------------------------------------

#[test]
fn rfc8032_test_vector_verifies_through_the_runtime_interface() {
	new_test_ext().execute_with(|| {
		let seed = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
			.unwrap();
		let pair = ed25519::Pair::from_seed_slice(&seed).unwrap();
		assert_eq!(
			hex::encode(pair.public().0),
			"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
		);
		let signature = pair.sign(b"");
		assert_eq!(
			hex::encode(signature.0),
			concat!(
				"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555",
				"fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
			)
		);
		assert!(sp_io::crypto::ed25519_verify(&signature, b"", &pair.public()));
		assert!(!sp_io::crypto::ed25519_verify(&signature, b"x", &pair.public()));
	});
}

/// The message layout, byte for byte, and a signature made by an independent RFC 8032
/// implementation (a 60-line Python reference, run off chain) over it with the seed `[11; 32]`
/// (operator A's). The oracle service's signer must reproduce both.
#[test]
fn report_message_has_the_documented_layout_and_signature() {
	build_and_execute(|| {
		let report = payload(0, 0, -12_345);
		assert_eq!(report.window_start, 1_735_693_200_000);
		assert_eq!(report.window_end, 1_735_779_600_000);
		assert_eq!(KpiOracle::genesis_hash(), H256::repeat_byte(69));
		let message = KpiOracle::report_message(&report);
		assert_eq!(message.len(), 151);
		assert_eq!(
			hex::encode(&message),
			concat!(
				"43495459424f4e442f4b50492f7631",
				"4545454545454545454545454545454545454545454545454545454545454545",
				"00000000",
				"00000000",
				"c7cfffffffffffffffffffffffffffff",
				"806a601f94010000",
				"80c6862494010000",
				"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			)
		);
		assert_eq!(&message[..15], &REPORT_TAG[..]);
		assert_eq!(
			hex::encode(key(OPERATOR_A).0),
			"66be7e332c7a453332bd9d0a7f7db055f5c5ef1a06ada66d98b39fb6810c473a"
		);
		assert_eq!(
			hex::encode(sign(OPERATOR_A, &report).0),
			concat!(
				"db7b1f9d846a6944563c7c701dd000ce3c5c493ecfc5d41e8f84acd61be99f21",
				"3d2f3aa1e1eea9f8a4627237ad840bee61e5f29e0865a61881511d6bdbd7220b",
			)
		);
	});
}

#[test]
fn small_order_key_verifies_a_trivial_signature_on_any_message() {
	new_test_ext().execute_with(|| {
		// R = the identity, S = 0: under a key of small order the cofactored ZIP 215 equation
		// [8][S]B = [8]R + [8][k]A holds for every message.
		let mut trivial = [0u8; 64];
		trivial[0] = 0x01;
		let trivial = ed25519::Signature::from_raw(trivial);
		for point in SMALL_ORDER_POINTS {
			let weak = ed25519::Public::from_raw(point);
			assert!(sp_io::crypto::ed25519_verify(&trivial, b"value: 1000", &weak));
			assert!(sp_io::crypto::ed25519_verify(&trivial, b"value: 9999", &weak));
			assert_eq!(check_operator_key(&point), Err(KeyError::SmallOrder));
		}
	});
}

#[test]
fn operator_key_check_refuses_non_canonical_encodings_and_accepts_real_keys() {
	for encoding in non_canonical_keys() {
		assert!(!is_canonical_point_encoding(&encoding), "{}", hex::encode(encoding));
		assert_eq!(check_operator_key(&encoding), Err(KeyError::NonCanonical));
	}
	for account in [OPERATOR_A, OPERATOR_B, 111, 250] {
		assert_eq!(check_operator_key(&key(account).0), Ok(()));
	}
	// y = p - 1 is canonical, but it is the point of order 2.
	let mut minus_one = [0xff; 32];
	minus_one[0] = 0xec;
	minus_one[31] = 0x7f;
	assert!(is_canonical_point_encoding(&minus_one));
	assert_eq!(check_operator_key(&minus_one), Err(KeyError::SmallOrder));
}

#[test]
fn submit_report_fails_when_signature_s_is_not_canonical() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		let report = payload(feed, 0, 100_000);
		let message = KpiOracle::report_message(&report);
		let signature = sign(OPERATOR_A, &report);
		// S + l is the same scalar, written non-canonically: the malleated twin of a valid
		// signature. ZIP 215 (like RFC 8032 and dalek) refuses it.
		let mut malleated = signature.0;
		let s: [u8; 32] = signature.0[32..].try_into().unwrap();
		malleated[32..].copy_from_slice(&add_le_256(&s, &GROUP_ORDER));
		let malleated = ed25519::Signature::from_raw(malleated);
		assert!(sp_io::crypto::ed25519_verify(&signature, &message, &key(OPERATOR_A)));
		assert!(!sp_io::crypto::ed25519_verify(&malleated, &message, &key(OPERATOR_A)));

		assert_noop!(
			KpiOracle::submit_report(
				signed(OPERATOR_A),
				Box::new(report),
				key(OPERATOR_A),
				malleated
			),
			Error::<Test>::InvalidSignature
		);
		assert_ok!(KpiOracle::submit_report(
			signed(OPERATOR_A),
			Box::new(report),
			key(OPERATOR_A),
			signature
		));
	});
}

// --- feeds -------------------------------------------------------------------------------------

#[test]
fn create_feed_by_issuer_then_governance_appoints_operators_and_the_first_deadline_queues() {
	build_and_execute(|| {
		let feed = default_feed();
		assert_eq!(feed, 0);
		assert_eq!(NextFeedId::<Test>::get(), 1);
		let info = KpiOracle::feed(feed).unwrap();
		assert_eq!(info.owner, Some(ISSUER));
		assert_eq!(info.operators, 3);
		assert_eq!(info.params, spec(&[], 2).params);
		assert_eq!(info.metadata, spec(&[], 2).metadata);
		for operator in [OPERATOR_A, OPERATOR_B, OPERATOR_C] {
			assert_eq!(KeyOwners::<Test>::get(key(operator)), Some(operator));
			let operator_info = FeedOperators::<Test>::get(feed, operator).unwrap();
			assert_eq!(operator_info.key_for(0), Some(key(operator)));
			assert_eq!(operator_info.retired_from, None);
		}
		assert_eq!(
			DeadlineQueue::<Test>::get().to_vec(),
			vec![Scheduled { due: deadline(0), feed, period: 0 }]
		);
		assert_eq!(NextDue::<Test>::get(), Some(deadline(0)));
		assert!(events().contains(&Event::FeedCreated {
			feed,
			owner: Some(ISSUER),
			params: spec(&[], 2).params,
			operators: 0,
		}));
		System::assert_last_event(
			Event::OperatorAdded {
				feed,
				operator: OPERATOR_C,
				key: key(OPERATOR_C),
				from_period: 0,
			}
			.into(),
		);
		// Nothing is decided yet.
		assert_eq!(KpiOracle::kpi(feed, 0), None);
		assert_eq!(KpiOracle::current_period(feed), Some(0));
		Now::set(period_start(3) + 1);
		assert_eq!(KpiOracle::current_period(feed), Some(3));
		assert_eq!(KpiOracle::current_period(7), None);
	});
}

#[test]
fn the_feed_owner_cannot_appoint_retire_or_rekey_its_operators() {
	build_and_execute(|| {
		// The issuer is paid by the feed's numbers: it names no operators at creation...
		assert_noop!(
			KpiOracle::create_feed(signed(ISSUER), Box::new(spec(&[OPERATOR_A], 1))),
			Error::<Test>::OperatorsAppointedByGovernance
		);
		assert_ok!(KpiOracle::create_feed(signed(ISSUER), Box::new(spec(&[], 2))));
		let feed = 0;
		assert_eq!(KpiOracle::feed(feed).unwrap().owner, Some(ISSUER));
		assert_eq!(KpiOracle::feed(feed).unwrap().operators, 0);
		// ...appoints none later...
		assert_noop!(
			KpiOracle::add_operator(signed(ISSUER), feed, OPERATOR_A, key(OPERATOR_A), 0),
			DispatchError::BadOrigin
		);
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_A, key(OPERATOR_A), 0));
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_B, key(OPERATOR_B), 0));
		// ...retires none...
		assert_noop!(
			KpiOracle::retire_operator(signed(ISSUER), feed, OPERATOR_B, 1),
			DispatchError::BadOrigin
		);
		// ...and re-keys none, not even to a key of an operator it controls.
		assert_noop!(
			KpiOracle::rotate_key(signed(ISSUER), feed, OPERATOR_A, key(OPERATOR_D), 1),
			Error::<Test>::NotOperatorItself
		);
		// Nothing the owner tried changed the operators.
		let a = FeedOperators::<Test>::get(feed, OPERATOR_A).unwrap();
		assert_eq!((a.keys.len(), a.retired_from), (1, None));
		assert_eq!(FeedOperators::<Test>::get(feed, OPERATOR_B).unwrap().retired_from, None);
		assert_eq!(KpiOracle::feed(feed).unwrap().operators, 2);
	});
}

#[test]
fn operator_changes_take_effect_only_from_a_period_that_has_not_started() {
	build_and_execute(|| {
		let feed = create(spec(&[OPERATOR_A], 1));
		// Before the schedule starts, period 0 has not started: from 0 is fine.
		assert_eq!(Now::get(), START);
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_B, key(OPERATOR_B), 0));
		// A period starts at its first millisecond: from then on it is closed to changes.
		Now::set(FIRST_START);
		assert_noop!(
			KpiOracle::add_operator(root(), feed, OPERATOR_C, key(OPERATOR_C), 0),
			Error::<Test>::FromPeriodInPast
		);
		Now::set(period_start(2) - 1);
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_C, key(OPERATOR_C), 2));
		Now::set(period_start(2));
		for from in [0, 1, 2] {
			assert_noop!(
				KpiOracle::add_operator(root(), feed, OPERATOR_D, key(OPERATOR_D), from),
				Error::<Test>::FromPeriodInPast
			);
			assert_noop!(
				KpiOracle::retire_operator(root(), feed, OPERATOR_B, from),
				Error::<Test>::FromPeriodInPast
			);
			assert_noop!(
				KpiOracle::rotate_key(signed(OPERATOR_A), feed, OPERATOR_A, key(111), from),
				Error::<Test>::FromPeriodInPast
			);
		}
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_D, key(OPERATOR_D), 3));
		assert_ok!(KpiOracle::retire_operator(root(), feed, OPERATOR_B, 3));
		assert_ok!(KpiOracle::rotate_key(signed(OPERATOR_A), feed, OPERATOR_A, key(111), 3));
	});
}

#[test]
fn create_feed_by_governance_has_no_owner() {
	build_and_execute(|| {
		assert_ok!(KpiOracle::create_feed(RuntimeOrigin::root(), Box::new(spec(&[OPERATOR_A], 1))));
		assert_eq!(KpiOracle::feed(0).unwrap().owner, None);
		// Only governance appoints its operators.
		assert_noop!(
			KpiOracle::add_operator(signed(ISSUER), 0, OPERATOR_B, key(OPERATOR_B), 0),
			DispatchError::BadOrigin
		);
		assert_ok!(KpiOracle::add_operator(
			RuntimeOrigin::root(),
			0,
			OPERATOR_B,
			key(OPERATOR_B),
			0
		));
	});
}

#[test]
fn create_feed_fails_for_caller_without_issuer_role() {
	build_and_execute(|| {
		assert_noop!(
			KpiOracle::create_feed(signed(STRANGER), Box::new(spec(&[OPERATOR_A], 1))),
			Error::<Test>::NotIssuer
		);
		assert_noop!(
			KpiOracle::create_feed(RuntimeOrigin::none(), Box::new(spec(&[OPERATOR_A], 1))),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn create_feed_fails_with_malformed_metadata() {
	build_and_execute(|| {
		let base = || spec(&[OPERATOR_A, OPERATOR_B], 2);

		let mut feed_spec = base();
		feed_spec.metadata.entity_id = BoundedVec::new();
		assert_create_fails(feed_spec, Error::<Test>::EmptyEntityId);

		let mut feed_spec = base();
		feed_spec.metadata.attribute = BoundedVec::new();
		assert_create_fails(feed_spec, Error::<Test>::EmptyAttribute);

		for unit in [&b"kwh"[..], b"K", b"", b"K-H"] {
			let mut feed_spec = base();
			feed_spec.metadata.unit = BoundedVec::truncate_from(unit.to_vec());
			assert_create_fails(feed_spec, Error::<Test>::MalformedUnit);
		}

		let mut feed_spec = base();
		feed_spec.metadata.decimals = MAX_DECIMALS + 1;
		assert_create_fails(feed_spec, Error::<Test>::TooManyDecimals);

		// Two-character codes and digits are fine (`P1` is percent).
		let mut feed_spec = base();
		feed_spec.metadata.unit = BoundedVec::truncate_from(b"P1".to_vec());
		feed_spec.metadata.decimals = MAX_DECIMALS;
		assert_ok!(KpiOracle::create_feed(root(), Box::new(feed_spec)));
	});
}

#[test]
fn create_feed_fails_with_invalid_rules() {
	build_and_execute(|| {
		let base = || spec(&[OPERATOR_A, OPERATOR_B], 2);

		let mut feed_spec = base();
		feed_spec.params.schedule.length = 0;
		assert_create_fails(feed_spec, Error::<Test>::PeriodTooShort);

		let mut feed_spec = base();
		feed_spec.params.schedule.length = MIN_PERIOD - 1;
		assert_create_fails(feed_spec, Error::<Test>::PeriodTooShort);

		let mut feed_spec = base();
		feed_spec.params.schedule.first_start = START - 1;
		assert_create_fails(feed_spec, Error::<Test>::ScheduleStartsInPast);

		let mut feed_spec = base();
		feed_spec.params.max_report_age = MIN_REPORT_AGE - 1;
		assert_create_fails(feed_spec, Error::<Test>::ReportAgeTooShort);

		let mut feed_spec = base();
		feed_spec.params.challenge_window = MIN_CHALLENGE_WINDOW - 1;
		assert_create_fails(feed_spec, Error::<Test>::ChallengeWindowTooShort);

		// Exactly the minimums are fine.
		let mut feed_spec = spec(&[], 2);
		feed_spec.params.schedule.length = MIN_PERIOD;
		feed_spec.params.max_report_age = MIN_REPORT_AGE;
		feed_spec.params.challenge_window = MIN_CHALLENGE_WINDOW;
		assert_ok!(KpiOracle::create_feed(signed(ISSUER), Box::new(feed_spec)));

		let mut feed_spec = base();
		feed_spec.params.min_value = 10;
		feed_spec.params.max_value = 9;
		assert_create_fails(feed_spec, Error::<Test>::InvalidBounds);

		let mut feed_spec = base();
		feed_spec.params.schedule.first_start = u64::MAX - DAY;
		assert_create_fails(feed_spec, Error::<Test>::PeriodOutOfRange);

		for quorum in [0, 3] {
			let mut feed_spec = base();
			feed_spec.params.quorum = quorum;
			assert_create_fails(feed_spec, Error::<Test>::InvalidQuorum);
		}

		// A schedule may start right now.
		let mut feed_spec = base();
		feed_spec.params.schedule.first_start = START;
		assert_ok!(KpiOracle::create_feed(root(), Box::new(feed_spec)));
	});
}

#[test]
fn create_feed_fails_with_duplicate_operator() {
	build_and_execute(|| {
		assert_create_fails(
			spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_A], 2),
			Error::<Test>::DuplicateOperator,
		);
	});
}

#[test]
fn create_feed_fails_for_operator_without_role() {
	build_and_execute(|| {
		assert_create_fails(spec(&[OPERATOR_A, STRANGER], 1), Error::<Test>::NotOracleOperator);
	});
}

#[test]
fn create_feed_fails_with_small_order_key() {
	build_and_execute(|| {
		for point in SMALL_ORDER_POINTS {
			assert_create_fails(
				spec_with_keys(&[(OPERATOR_A, OperatorKey::from_raw(point))], 1),
				Error::<Test>::WeakKey,
			);
		}
	});
}

#[test]
fn create_feed_fails_with_non_canonical_key() {
	build_and_execute(|| {
		for encoding in non_canonical_keys() {
			assert_create_fails(
				spec_with_keys(&[(OPERATOR_A, OperatorKey::from_raw(encoding))], 1),
				Error::<Test>::NonCanonicalKey,
			);
		}
	});
}

#[test]
fn create_feed_fails_when_key_belongs_to_another_account() {
	build_and_execute(|| {
		default_feed();
		assert_create_fails(
			spec_with_keys(&[(OPERATOR_D, key(OPERATOR_A))], 1),
			Error::<Test>::KeyInUse,
		);
		// Two operators of one feed cannot share a key either.
		assert_create_fails(
			spec_with_keys(&[(OPERATOR_D, key(OPERATOR_D)), (OPERATOR_E, key(OPERATOR_D))], 1),
			Error::<Test>::KeyInUse,
		);
		// An operator may use its own key in several feeds.
		assert_ok!(KpiOracle::create_feed(root(), Box::new(spec(&[OPERATOR_A], 1))));
		assert_eq!(KpiOracle::feed(1).unwrap().operators, 1);
	});
}

#[test]
fn create_feed_fails_when_feed_limit_is_reached() {
	build_and_execute(|| {
		for _ in 0..3 {
			default_feed();
		}
		assert_ok!(KpiOracle::create_feed(root(), Box::new(spec(&[OPERATOR_A], 1))));
		assert_eq!(Feeds::<Test>::count(), 4);
		assert_create_fails(spec(&[OPERATOR_A], 1), Error::<Test>::TooManyFeeds);
	});
}

// --- operators and keys ------------------------------------------------------------------------

#[test]
fn add_operator_by_governance_joins_from_the_given_period() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_start(1) + HOUR);
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_D, key(OPERATOR_D), 2));
		System::assert_last_event(
			Event::OperatorAdded {
				feed,
				operator: OPERATOR_D,
				key: key(OPERATOR_D),
				from_period: 2,
			}
			.into(),
		);
		assert_eq!(KpiOracle::feed(feed).unwrap().operators, 4);

		// D signs from period 2 on, not before.
		Now::set(period_end(2) + HOUR);
		assert_noop!(submit(OPERATOR_D, feed, 1, 100_000), Error::<Test>::KeyNotValidForPeriod);
		assert_ok!(submit(OPERATOR_D, feed, 2, 100_000));
	});
}

#[test]
fn add_operator_fails_for_bad_requests() {
	build_and_execute(|| {
		let feed = default_feed();
		assert_noop!(
			KpiOracle::add_operator(signed(ISSUER), feed, OPERATOR_D, key(OPERATOR_D), 0),
			DispatchError::BadOrigin
		);
		assert_noop!(
			KpiOracle::add_operator(root(), 9, OPERATOR_D, key(OPERATOR_D), 0),
			Error::<Test>::UnknownFeed
		);
		assert_noop!(
			KpiOracle::add_operator(root(), feed, OPERATOR_A, key(OPERATOR_D), 0),
			Error::<Test>::DuplicateOperator
		);
		assert_noop!(
			KpiOracle::add_operator(root(), feed, STRANGER, key(STRANGER), 0),
			Error::<Test>::NotOracleOperator
		);
		assert_noop!(
			KpiOracle::add_operator(root(), feed, OPERATOR_D, key(OPERATOR_A), 0),
			Error::<Test>::KeyInUse
		);
		Now::set(period_start(2));
		assert_noop!(
			KpiOracle::add_operator(root(), feed, OPERATOR_D, key(OPERATOR_D), 2),
			Error::<Test>::FromPeriodInPast
		);

		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_D, key(OPERATOR_D), 3));
		assert_ok!(KpiOracle::add_operator(root(), feed, OPERATOR_E, key(OPERATOR_E), 3));
		OperatorAccounts::mutate(|accounts| accounts.push(16));
		assert_noop!(
			KpiOracle::add_operator(root(), feed, 16, key(16), 3),
			Error::<Test>::TooManyOperators
		);
	});
}

#[test]
fn retired_operator_reports_are_refused_from_the_retirement_period() {
	build_and_execute(|| {
		let feed = default_feed();
		assert_ok!(KpiOracle::retire_operator(root(), feed, OPERATOR_C, 1));
		System::assert_last_event(
			Event::OperatorRetired { feed, operator: OPERATOR_C, from_period: 1 }.into(),
		);
		assert_noop!(
			KpiOracle::retire_operator(root(), feed, OPERATOR_C, 2),
			Error::<Test>::OperatorRetired
		);
		assert_noop!(
			KpiOracle::retire_operator(root(), feed, OPERATOR_D, 1),
			Error::<Test>::UnknownOperator
		);
		assert_noop!(
			KpiOracle::retire_operator(signed(OPERATOR_A), feed, OPERATOR_B, 1),
			DispatchError::BadOrigin
		);

		Now::set(period_end(1) + HOUR);
		assert_ok!(submit(OPERATOR_C, feed, 0, 100_000));
		assert_noop!(submit(OPERATOR_C, feed, 1, 100_000), Error::<Test>::OperatorRetired);
		// Retired operators still count towards `n` and keep their history.
		assert_eq!(KpiOracle::feed(feed).unwrap().operators, 3);
		assert_eq!(KpiOracle::verify_report(feed, 0, &OPERATOR_C), Some(true));
	});
}

#[test]
fn rotate_key_switches_keys_from_the_given_period_and_old_reports_stay_verifiable() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		assert_ok!(submit(OPERATOR_A, feed, 0, 100_000));

		// The operator rotates its own key from period 2 (period 1 is running).
		assert_ok!(KpiOracle::rotate_key(signed(OPERATOR_A), feed, OPERATOR_A, key(111), 2));
		System::assert_last_event(
			Event::KeyRotated {
				feed,
				operator: OPERATOR_A,
				old_key: key(OPERATOR_A),
				new_key: key(111),
				from_period: 2,
			}
			.into(),
		);
		assert_eq!(KeyOwners::<Test>::get(key(111)), Some(OPERATOR_A));

		Now::set(period_end(2) + HOUR);
		// Period 1 is still signed with the old key, period 2 with the new one.
		assert_ok!(submit(OPERATOR_A, feed, 1, 100_000));
		assert_noop!(submit(OPERATOR_A, feed, 2, 100_000), Error::<Test>::KeyNotValidForPeriod);
		assert_noop!(
			submit_as(OPERATOR_A, &pair(111), payload(feed, 1, 100_000)),
			Error::<Test>::KeyNotValidForPeriod
		);
		assert_ok!(submit_as(OPERATOR_A, &pair(111), payload(feed, 2, 100_000)));

		// Old reports name the key they were signed with and still verify.
		assert_eq!(KpiOracle::report(feed, 0, &OPERATOR_A).unwrap().key, key(OPERATOR_A));
		assert_eq!(KpiOracle::verify_report(feed, 0, &OPERATOR_A), Some(true));
		assert_eq!(KpiOracle::verify_report(feed, 2, &OPERATOR_A), Some(true));
		assert_eq!(KpiOracle::verify_report(feed, 2, &OPERATOR_B), None);
	});
}

#[test]
fn rotate_key_fails_for_bad_requests() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_start(1));
		assert_noop!(
			KpiOracle::rotate_key(signed(STRANGER), feed, OPERATOR_A, key(111), 2),
			Error::<Test>::NotOperatorItself
		);
		assert_noop!(
			KpiOracle::rotate_key(signed(OPERATOR_B), feed, OPERATOR_A, key(111), 2),
			Error::<Test>::NotOperatorItself
		);
		assert_noop!(
			KpiOracle::rotate_key(root(), feed, OPERATOR_D, key(111), 2),
			Error::<Test>::UnknownOperator
		);
		assert_noop!(
			KpiOracle::rotate_key(root(), feed, OPERATOR_A, key(111), 1),
			Error::<Test>::FromPeriodInPast
		);
		assert_noop!(
			KpiOracle::rotate_key(root(), feed, OPERATOR_A, key(OPERATOR_A), 2),
			Error::<Test>::KeyUnchanged
		);
		assert_noop!(
			KpiOracle::rotate_key(root(), feed, OPERATOR_A, key(OPERATOR_B), 2),
			Error::<Test>::KeyInUse
		);
		assert_noop!(
			KpiOracle::rotate_key(
				root(),
				feed,
				OPERATOR_A,
				OperatorKey::from_raw(SMALL_ORDER_POINTS[6]),
				2
			),
			Error::<Test>::WeakKey
		);

		// Governance may rotate too; the feed's owner may not.
		assert_noop!(
			KpiOracle::rotate_key(signed(ISSUER), feed, OPERATOR_A, key(111), 2),
			Error::<Test>::NotOperatorItself
		);
		assert_ok!(KpiOracle::rotate_key(root(), feed, OPERATOR_A, key(111), 2));
		assert_noop!(
			KpiOracle::rotate_key(RuntimeOrigin::root(), feed, OPERATOR_A, key(112), 2),
			Error::<Test>::RotationTooEarly
		);
		assert_ok!(KpiOracle::rotate_key(RuntimeOrigin::root(), feed, OPERATOR_A, key(112), 3));
		// MaxKeyHistory is 3, the first key included.
		assert_noop!(
			KpiOracle::rotate_key(signed(OPERATOR_A), feed, OPERATOR_A, key(113), 4),
			Error::<Test>::TooManyKeys
		);

		assert_ok!(KpiOracle::retire_operator(root(), feed, OPERATOR_B, 5));
		assert_noop!(
			KpiOracle::rotate_key(signed(OPERATOR_B), feed, OPERATOR_B, key(114), 5),
			Error::<Test>::OperatorRetired
		);
		assert_ok!(KpiOracle::rotate_key(signed(OPERATOR_B), feed, OPERATOR_B, key(114), 4));
	});
}

// --- reports -----------------------------------------------------------------------------------

#[test]
fn submit_report_by_relayer_records_operator_and_submitter() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		let report = payload(feed, 0, 100_000);
		let info = submit_as(RELAYER, &pair(OPERATOR_A), report).unwrap();
		// Charged as a report that does not complete the quorum.
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::submit_report()));

		let stored = KpiOracle::report(feed, 0, &OPERATOR_A).unwrap();
		assert_eq!(stored.payload, report);
		assert_eq!(stored.key, key(OPERATOR_A));
		assert_eq!(stored.submitter, RELAYER);
		assert_eq!(stored.submitted_at, period_end(0) + HOUR);
		assert_eq!(Rounds::<Test>::get(feed, 0).len(), 1);
		System::assert_last_event(
			Event::ReportAccepted {
				feed,
				period: 0,
				operator: OPERATOR_A,
				submitter: RELAYER,
				key: key(OPERATOR_A),
				value: 100_000,
				window_start: period_start(0),
				window_end: period_end(0),
				payload_hash: H256::repeat_byte(0xaa),
				devices_hash: H256::repeat_byte(0xbb),
				readings: 1,
			}
			.into(),
		);
	});
}

#[test]
fn submit_report_fails_with_forged_signature() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		let report = payload(feed, 0, 100_000);
		// Signed by B, claimed as A's.
		let forged = sign(OPERATOR_B, &report);
		assert_noop!(
			KpiOracle::submit_report(signed(RELAYER), Box::new(report), key(OPERATOR_A), forged),
			Error::<Test>::InvalidSignature
		);
		// Signed by A, value changed afterwards.
		let signature = sign(OPERATOR_A, &report);
		let tampered = ReportPayload { value: 100_001, ..report };
		assert_noop!(
			KpiOracle::submit_report(
				signed(RELAYER),
				Box::new(tampered),
				key(OPERATOR_A),
				signature
			),
			Error::<Test>::InvalidSignature
		);
	});
}

#[test]
fn submit_report_fails_when_replayed_for_another_feed_or_period() {
	build_and_execute(|| {
		let feed = default_feed();
		let other_feed = default_feed();
		Now::set(period_end(1) + HOUR);
		let report = payload(feed, 0, 100_000);
		let signature = sign(OPERATOR_A, &report);

		let other_feed_report = ReportPayload { feed: other_feed, ..report };
		assert_noop!(
			KpiOracle::submit_report(
				signed(OPERATOR_A),
				Box::new(other_feed_report),
				key(OPERATOR_A),
				signature
			),
			Error::<Test>::InvalidSignature
		);
		let other_period_report = payload(feed, 1, 100_000);
		assert_noop!(
			KpiOracle::submit_report(
				signed(OPERATOR_A),
				Box::new(other_period_report),
				key(OPERATOR_A),
				signature
			),
			Error::<Test>::InvalidSignature
		);
		assert_ok!(KpiOracle::submit_report(
			signed(OPERATOR_A),
			Box::new(report),
			key(OPERATOR_A),
			signature
		));
	});
}

#[test]
fn submit_report_fails_when_signed_for_another_chain() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		let report = payload(feed, 0, 100_000);
		let other_chain = H256::repeat_byte(0x01);
		let signature = pair(OPERATOR_A).sign(&report.signing_payload(&other_chain));
		assert_noop!(
			KpiOracle::submit_report(
				signed(OPERATOR_A),
				Box::new(report),
				key(OPERATOR_A),
				signature
			),
			Error::<Test>::InvalidSignature
		);
	});
}

#[test]
fn submit_report_fails_when_replayed_or_repeated() {
	build_and_execute(|| {
		let feed = create(spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C], 3));
		Now::set(period_end(0) + HOUR);
		let report = payload(feed, 0, 100_000);
		let signature = sign(OPERATOR_A, &report);
		let resubmit = || {
			KpiOracle::submit_report(signed(RELAYER), Box::new(report), key(OPERATOR_A), signature)
		};
		assert_ok!(resubmit());
		// The same signed report again.
		assert_noop!(resubmit(), Error::<Test>::DuplicateReport);
		// A second, different report by the same operator for the same period.
		assert_noop!(submit(OPERATOR_A, feed, 0, 100_500), Error::<Test>::DuplicateReport);

		assert_ok!(submit(OPERATOR_B, feed, 0, 100_000));
		assert_ok!(submit(OPERATOR_C, feed, 0, 100_000));
		// Once the period has a KPI, nothing more is accepted for it.
		assert_noop!(resubmit(), Error::<Test>::PeriodAlreadyDecided);
	});
}

#[test]
fn submit_report_fails_when_stale() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + MAX_AGE);
		assert_noop!(submit(OPERATOR_A, feed, 0, 100_000), Error::<Test>::StaleReport);
		Now::set(period_end(0) + MAX_AGE - 1);
		assert_ok!(submit(OPERATOR_A, feed, 0, 100_000));
		// Age counts from the window's end, not the period's.
		let mut early_window = payload(feed, 0, 100_000);
		early_window.window_end = period_start(0) + HOUR;
		assert_noop!(submit_signed(OPERATOR_B, early_window), Error::<Test>::StaleReport);
	});
}

#[test]
fn submit_report_fails_with_future_window_or_open_period() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_start(1) + HOUR);
		// Period 1 is running: a window up to its end lies in the future.
		assert_noop!(submit(OPERATOR_A, feed, 1, 100_000), Error::<Test>::FutureWindow);
		// A window that has ended, in a period that has not.
		let mut partial = payload(feed, 1, 100_000);
		partial.window_end = period_start(1) + HOUR;
		assert_noop!(submit_signed(OPERATOR_A, partial), Error::<Test>::PeriodNotClosed);
	});
}

#[test]
fn submit_report_fails_with_window_outside_the_period() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(1) + HOUR);
		let mut early = payload(feed, 1, 100_000);
		early.window_start = period_start(1) - 1;
		assert_noop!(submit_signed(OPERATOR_A, early), Error::<Test>::WindowOutsidePeriod);
		// The window of period 0 claimed for period 1.
		let mut shifted = payload(feed, 0, 100_000);
		shifted.period = 1;
		assert_noop!(submit_signed(OPERATOR_A, shifted), Error::<Test>::WindowOutsidePeriod);
		let mut empty = payload(feed, 1, 100_000);
		empty.window_start = empty.window_end;
		assert_noop!(submit_signed(OPERATOR_A, empty), Error::<Test>::InvalidWindow);
	});
}

#[test]
fn submit_report_fails_with_value_out_of_bounds() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		assert_noop!(submit(OPERATOR_A, feed, 0, 1_000_000_001), Error::<Test>::ValueOutOfBounds);
		assert_noop!(submit(OPERATOR_A, feed, 0, -1), Error::<Test>::ValueOutOfBounds);
		assert_ok!(submit(OPERATOR_A, feed, 0, 1_000_000_000));
		assert_ok!(submit(OPERATOR_B, feed, 0, 0));
	});
}

#[test]
fn submit_report_fails_with_unknown_key_or_feed() {
	build_and_execute(|| {
		let feed = default_feed();
		let other_feed = create(spec(&[OPERATOR_D], 1));
		Now::set(period_end(0) + HOUR);
		// Never registered.
		assert_noop!(
			submit_as(OPERATOR_E, &pair(OPERATOR_E), payload(feed, 0, 100_000)),
			Error::<Test>::UnknownKey
		);
		// Registered, for another feed.
		assert_noop!(submit(OPERATOR_D, feed, 0, 100_000), Error::<Test>::UnknownKey);
		assert_ok!(submit(OPERATOR_D, other_feed, 0, 100_000));
		assert_noop!(submit(OPERATOR_A, 9, 0, 100_000), Error::<Test>::UnknownFeed);
	});
}

#[test]
fn submit_report_fails_when_operator_lost_its_role() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		OperatorAccounts::mutate(|accounts| accounts.retain(|account| *account != OPERATOR_A));
		assert_noop!(submit(OPERATOR_A, feed, 0, 100_000), Error::<Test>::NotOracleOperator);
	});
}

// --- lifecycle ---------------------------------------------------------------------------------

#[test]
fn quorum_makes_a_provisional_median_with_spread_and_outliers() {
	build_and_execute(|| {
		let feed = create(spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C], 3));
		let now = period_end(0) + HOUR;
		Now::set(now);
		assert_ok!(submit(OPERATOR_A, feed, 0, 100_000));
		assert_ok!(submit(OPERATOR_B, feed, 0, 102_000));
		assert_eq!(KpiOracle::kpi(feed, 0), None);
		let info = submit(OPERATOR_C, feed, 0, 150_000).unwrap();
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::submit_report_reaching_quorum()));

		let challenge_end = now + CHALLENGE_WINDOW;
		let record = KpiOracle::kpi(feed, 0).unwrap();
		assert_eq!(record.status, KpiStatus::Provisional);
		assert_eq!(record.value, Some(102_000));
		assert_eq!(record.median, Some(102_000));
		assert_eq!(record.readings, 3);
		assert_eq!(record.spread, 50_000);
		// 150 is 48 away from 102; 5 % of 102 is 5.1.
		assert_eq!(record.outliers.to_vec(), vec![OPERATOR_C]);
		assert_eq!(record.decided_at, now);
		assert_eq!(record.challenge_end, challenge_end);
		assert!(Rounds::<Test>::get(feed, 0).is_empty());
		assert_eq!(
			FinalizationQueue::<Test>::get().to_vec(),
			vec![Scheduled { due: challenge_end, feed, period: 0 }]
		);
		System::assert_last_event(
			Event::KpiProvisional {
				feed,
				period: 0,
				value: 102_000,
				status: KpiStatus::Provisional,
				readings: 3,
				spread: 50_000,
				outliers: BoundedVec::truncate_from(vec![OPERATOR_C]),
				challenge_end,
			}
			.into(),
		);
	});
}

#[test]
fn even_quorum_takes_the_midpoint_of_the_middle_values() {
	build_and_execute(|| {
		let feed = create(spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C, OPERATOR_D], 4));
		Now::set(period_end(0) + HOUR);
		for (operator, value) in
			[(OPERATOR_C, 30), (OPERATOR_A, 10), (OPERATOR_D, 40), (OPERATOR_B, 20)]
		{
			assert_ok!(submit(operator, feed, 0, value));
		}
		let record = KpiOracle::kpi(feed, 0).unwrap();
		assert_eq!(record.value, Some(25));
		assert_eq!(record.spread, 30);
		// 5 % of 25 is 1: everyone is an outlier, in the order they reported.
		assert_eq!(record.outliers.to_vec(), vec![OPERATOR_C, OPERATOR_A, OPERATOR_D, OPERATOR_B]);
	});
}

#[test]
fn negative_values_aggregate_like_any_other() {
	build_and_execute(|| {
		let mut feed_spec = spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C], 3);
		feed_spec.params.min_value = -1_000;
		feed_spec.params.max_value = 1_000;
		let feed = create(feed_spec);
		Now::set(period_end(0) + HOUR);
		assert_ok!(submit(OPERATOR_A, feed, 0, -500));
		assert_ok!(submit(OPERATOR_B, feed, 0, -300));
		assert_ok!(submit(OPERATOR_C, feed, 0, 200));
		let record = KpiOracle::kpi(feed, 0).unwrap();
		assert_eq!(record.value, Some(-300));
		assert_eq!(record.spread, 700);
		assert_eq!(record.outliers.to_vec(), vec![OPERATOR_A, OPERATOR_C]);
	});
}

#[test]
fn provisional_kpi_becomes_final_after_the_challenge_window() {
	build_and_execute(|| {
		let feed = create(spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C], 3));
		let challenge_end = provisional_period_zero(feed);

		next_block_at(challenge_end - 1);
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Provisional));
		assert_eq!(KpiOracle::kpi(feed, 0).unwrap().status, KpiStatus::Provisional);

		// Reads are right at once, before any block records the transition.
		Now::set(challenge_end);
		assert_eq!(KpiOracle::kpi(feed, 0).unwrap().status, KpiStatus::Final);
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Provisional));

		next_block_at(challenge_end);
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Final));
		assert!(events().contains(&Event::KpiFinalized {
			feed,
			period: 0,
			value: Some(102_000),
			status: KpiStatus::Final,
		}));
		assert!(FinalizationQueue::<Test>::get().is_empty());
	});
}

#[test]
fn auditors_attest_during_the_window() {
	build_and_execute(|| {
		let feed = default_feed();
		provisional_period_zero(feed);
		assert_ok!(KpiOracle::attest(signed(AUDITOR), feed, 0));
		System::assert_last_event(
			Event::KpiAttested { feed, period: 0, auditor: AUDITOR, value: Some(101_000) }.into(),
		);
		assert_noop!(KpiOracle::attest(signed(AUDITOR), feed, 0), Error::<Test>::AlreadyAttested);
		assert_ok!(KpiOracle::attest(signed(OTHER_AUDITOR), feed, 0));
		assert_noop!(
			KpiOracle::attest(signed(THIRD_AUDITOR), feed, 0),
			Error::<Test>::TooManyAttestations
		);
		assert_noop!(KpiOracle::attest(signed(STRANGER), feed, 0), Error::<Test>::NotAuditor);
		assert_noop!(KpiOracle::attest(signed(AUDITOR), feed, 5), Error::<Test>::UnknownKpi);
		assert_eq!(
			KpiOracle::kpi(feed, 0).unwrap().attestations.to_vec(),
			vec![AUDITOR, OTHER_AUDITOR]
		);
		// Attesting does not change the status.
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Provisional));
	});
}

#[test]
fn dispute_holds_the_kpi_until_governance_upholds_it() {
	build_and_execute(|| {
		let feed = default_feed();
		let challenge_end = provisional_period_zero(feed);
		let reason = H256::repeat_byte(0x42);
		assert_ok!(KpiOracle::dispute(signed(AUDITOR), feed, 0, reason));
		System::assert_last_event(
			Event::KpiDisputed {
				feed,
				period: 0,
				auditor: AUDITOR,
				reason_hash: reason,
				value: Some(101_000),
				status: KpiStatus::Disputed,
			}
			.into(),
		);
		let dispute = Kpis::<Test>::get(feed, 0).unwrap().dispute.unwrap();
		assert_eq!((dispute.auditor, dispute.reason_hash), (AUDITOR, reason));
		assert_noop!(
			KpiOracle::dispute(signed(OTHER_AUDITOR), feed, 0, reason),
			Error::<Test>::AlreadyDisputed
		);
		assert_noop!(
			KpiOracle::attest(signed(OTHER_AUDITOR), feed, 0),
			Error::<Test>::AlreadyDisputed
		);

		// The window passes: a disputed KPI does not become final on its own.
		next_block_at(challenge_end);
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Disputed));
		assert_eq!(KpiOracle::kpi(feed, 0).unwrap().status, KpiStatus::Disputed);
		assert_noop!(KpiOracle::settle(signed(STRANGER), feed, 0), Error::<Test>::NothingToSettle);

		assert_noop!(
			KpiOracle::resolve_dispute(signed(ISSUER), feed, 0, Resolution::Uphold),
			DispatchError::BadOrigin
		);
		assert_ok!(KpiOracle::resolve_dispute(RuntimeOrigin::root(), feed, 0, Resolution::Uphold));
		System::assert_last_event(
			Event::DisputeResolved {
				feed,
				period: 0,
				resolution: Resolution::Uphold,
				value: Some(101_000),
				status: KpiStatus::Final,
			}
			.into(),
		);
		let record = KpiOracle::kpi(feed, 0).unwrap();
		assert_eq!((record.status, record.value), (KpiStatus::Final, Some(101_000)));
		assert_noop!(
			KpiOracle::resolve_dispute(RuntimeOrigin::root(), feed, 0, Resolution::Void),
			Error::<Test>::NotDisputed
		);
	});
}

#[test]
fn governance_replaces_a_disputed_value_within_bounds() {
	build_and_execute(|| {
		let feed = default_feed();
		provisional_period_zero(feed);
		assert_ok!(KpiOracle::dispute(signed(AUDITOR), feed, 0, H256::repeat_byte(1)));
		assert_noop!(
			KpiOracle::resolve_dispute(
				RuntimeOrigin::root(),
				feed,
				0,
				Resolution::Replace(1_000_000_001)
			),
			Error::<Test>::ValueOutOfBounds
		);
		assert_ok!(KpiOracle::resolve_dispute(
			RuntimeOrigin::root(),
			feed,
			0,
			Resolution::Replace(95_000)
		));
		let record = KpiOracle::kpi(feed, 0).unwrap();
		assert_eq!(record.status, KpiStatus::Final);
		assert_eq!(record.value, Some(95_000));
		assert_eq!(record.median, Some(101_000));
		assert_eq!(record.resolution, Some(Resolution::Replace(95_000)));
	});
}

#[test]
fn governance_voids_a_disputed_kpi() {
	build_and_execute(|| {
		let feed = default_feed();
		provisional_period_zero(feed);
		assert_ok!(KpiOracle::dispute(signed(AUDITOR), feed, 0, H256::repeat_byte(1)));
		assert_ok!(KpiOracle::resolve_dispute(RuntimeOrigin::root(), feed, 0, Resolution::Void));
		System::assert_last_event(
			Event::DisputeResolved {
				feed,
				period: 0,
				resolution: Resolution::Void,
				value: None,
				status: KpiStatus::Voided,
			}
			.into(),
		);
		let record = KpiOracle::kpi(feed, 0).unwrap();
		assert_eq!(
			(record.status, record.value, record.median),
			(KpiStatus::Voided, None, Some(101_000))
		);
	});
}

#[test]
fn dispute_fails_outside_the_window_or_by_non_auditor() {
	build_and_execute(|| {
		let feed = default_feed();
		let challenge_end = provisional_period_zero(feed);
		let reason = H256::repeat_byte(0x42);
		assert_noop!(
			KpiOracle::dispute(signed(STRANGER), feed, 0, reason),
			Error::<Test>::NotAuditor
		);
		assert_noop!(
			KpiOracle::dispute(signed(AUDITOR), feed, 1, reason),
			Error::<Test>::UnknownKpi
		);
		// The window has ended, though no block has recorded `Final` yet.
		Now::set(challenge_end);
		assert_noop!(
			KpiOracle::dispute(signed(AUDITOR), feed, 0, reason),
			Error::<Test>::ChallengeWindowClosed
		);
		assert_noop!(
			KpiOracle::attest(signed(AUDITOR), feed, 0),
			Error::<Test>::ChallengeWindowClosed
		);
		next_block_at(challenge_end);
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Final));
		assert_noop!(
			KpiOracle::dispute(signed(AUDITOR), feed, 0, reason),
			Error::<Test>::ChallengeWindowClosed
		);
	});
}

#[test]
fn period_without_quorum_becomes_missing_at_its_deadline() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		assert_ok!(submit(OPERATOR_A, feed, 0, 100_000));

		next_block_at(deadline(0) - 1);
		assert_eq!(stored_status(feed, 0), None);
		assert_eq!(KpiOracle::kpi(feed, 0), None);

		next_block_at(deadline(0));
		let record = Kpis::<Test>::get(feed, 0).unwrap();
		assert_eq!(record.status, KpiStatus::Missing);
		assert_eq!((record.value, record.readings), (None, 1));
		assert_eq!(record.decided_at, deadline(0));
		assert!(Rounds::<Test>::get(feed, 0).is_empty());
		System::assert_last_event(
			Event::KpiMissing { feed, period: 0, status: KpiStatus::Missing, readings: 1 }.into(),
		);
		// The partial evidence stays.
		assert_eq!(KpiOracle::verify_report(feed, 0, &OPERATOR_A), Some(true));
		assert_noop!(submit(OPERATOR_B, feed, 0, 100_000), Error::<Test>::StaleReport);
		assert_eq!(
			DeadlineQueue::<Test>::get().to_vec(),
			vec![Scheduled { due: deadline(1), feed, period: 1 }]
		);

		// A period nobody reported on reads `Missing` once its deadline has passed, and a block
		// records it.
		Now::set(deadline(1));
		assert_eq!(KpiOracle::kpi(feed, 1).unwrap().status, KpiStatus::Missing);
		next_block_at(deadline(1));
		System::assert_last_event(
			Event::KpiMissing { feed, period: 1, status: KpiStatus::Missing, readings: 0 }.into(),
		);
	});
}

#[test]
fn transitions_per_block_are_bounded_and_processed_in_time_order() {
	build_and_execute(|| {
		let feeds = [default_feed(), default_feed(), default_feed()];
		let missing =
			|| events().iter().filter(|event| matches!(event, Event::KpiMissing { .. })).count();
		// The chain was idle for two periods: six deadlines are due, one per feed a block.
		next_block_at(deadline(1));
		assert_eq!(missing(), 3);
		for feed in feeds {
			assert_eq!(stored_status(feed, 0), Some(KpiStatus::Missing));
			assert_eq!(stored_status(feed, 1), None);
			// Reads do not wait for the queue.
			assert_eq!(KpiOracle::kpi(feed, 1).unwrap().status, KpiStatus::Missing);
		}
		assert_eq!(NextDue::<Test>::get(), Some(deadline(1)));

		next_block_at(deadline(1) + 1);
		assert_eq!(missing(), 6);
		assert_eq!(NextDue::<Test>::get(), Some(deadline(2)));

		// Nothing due: a block does nothing.
		next_block_at(deadline(2) - 1);
		assert_eq!(missing(), 6);
	});
}

#[test]
fn a_feed_far_behind_catches_up_a_period_a_block_without_starving_the_others() {
	build_and_execute(|| {
		let behind = default_feed();
		// Another feed whose period 0 reaches its deadline with `behind`'s period 3.
		let mut later_spec = spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C], 2);
		later_spec.params.schedule.first_start = period_start(3);
		let other = create(later_spec);
		// Five of `behind`'s deadlines are due, all earlier than `other`'s first, and the block
		// has room for three transitions: `other` is served in the first block all the same.
		next_block_at(deadline(4));
		assert_eq!(stored_status(behind, 0), Some(KpiStatus::Missing));
		assert_eq!(stored_status(other, 0), Some(KpiStatus::Missing));
		assert_eq!(stored_status(behind, 1), None);
		// Then `behind` catches up one period a block.
		for period in 1..=4 {
			next_block_at(deadline(4) + Moment::from(period));
			assert_eq!(stored_status(behind, period), Some(KpiStatus::Missing));
			assert_eq!(stored_status(behind, period + 1), None);
		}
	});
}

#[test]
fn finalizations_and_deadlines_share_the_per_block_budget() {
	build_and_execute(|| {
		let mut feed_spec = spec(&[OPERATOR_A], 1);
		feed_spec.params.max_report_age = 10 * DAY;
		feed_spec.params.challenge_window = HOUR;
		let feed = create(feed_spec);
		Now::set(period_end(1) + HOUR);
		assert_ok!(submit(OPERATOR_A, feed, 0, 1));
		assert_ok!(submit(OPERATOR_A, feed, 1, 1));
		// Two windows end at `period_end(1) + 2 h`; periods 0 and 1 reach their deadlines at
		// `period_end(p) + 10 d` (KPIs exist, so nothing to mark), period 2 is never reported.
		let later = period_end(2) + 10 * DAY;
		next_block_at(later);
		// Finalizations are due first: both run, then one deadline (period 0).
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Final));
		assert_eq!(stored_status(feed, 1), Some(KpiStatus::Final));
		assert_eq!(DeadlineQueue::<Test>::get()[0].period, 1);
		// One deadline of a feed per block: period 1's (a KPI, nothing to mark), then 2's.
		next_block_at(later + 1);
		assert_eq!(DeadlineQueue::<Test>::get()[0].period, 2);
		assert_eq!(stored_status(feed, 2), None);
		next_block_at(later + 2);
		assert_eq!(stored_status(feed, 2), Some(KpiStatus::Missing));
	});
}

#[test]
fn settle_records_a_final_kpi_the_full_queue_could_not_hold() {
	build_and_execute(|| {
		let mut feed_spec = spec(&[OPERATOR_A], 1);
		feed_spec.params.max_report_age = 10 * DAY;
		feed_spec.params.challenge_window = 10 * DAY;
		let feed = create(feed_spec);
		let now = period_end(4) + HOUR;
		Now::set(now);
		for period in 0..5 {
			assert_ok!(submit(OPERATOR_A, feed, period, 1_000));
		}
		// MaxPendingFinalizations is 4: the fifth window end was not queued.
		let queue = FinalizationQueue::<Test>::get();
		assert_eq!(queue.len(), 4);
		assert!(queue.iter().all(|item| item.period != 4));

		assert_noop!(KpiOracle::settle(signed(STRANGER), feed, 4), Error::<Test>::NothingToSettle);
		Now::set(now + 10 * DAY);
		assert_eq!(KpiOracle::kpi(feed, 4).unwrap().status, KpiStatus::Final);
		assert_eq!(stored_status(feed, 4), Some(KpiStatus::Provisional));
		assert_ok!(KpiOracle::settle(signed(STRANGER), feed, 4));
		assert_eq!(stored_status(feed, 4), Some(KpiStatus::Final));
		System::assert_last_event(
			Event::KpiFinalized { feed, period: 4, value: Some(1_000), status: KpiStatus::Final }
				.into(),
		);
		assert_noop!(KpiOracle::settle(signed(STRANGER), feed, 4), Error::<Test>::NothingToSettle);
	});
}

#[test]
fn settle_records_a_missing_period_once() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(deadline(0) - 1);
		assert_noop!(KpiOracle::settle(signed(STRANGER), feed, 0), Error::<Test>::NothingToSettle);
		assert_noop!(KpiOracle::settle(signed(STRANGER), 9, 0), Error::<Test>::UnknownFeed);
		Now::set(deadline(0));
		assert_ok!(KpiOracle::settle(signed(STRANGER), feed, 0));
		assert_eq!(stored_status(feed, 0), Some(KpiStatus::Missing));
		// The queued deadline finds the period decided and only moves on.
		next_block_at(deadline(0));
		let missing_zero = events()
			.iter()
			.filter(|event| matches!(event, Event::KpiMissing { period: 0, .. }))
			.count();
		assert_eq!(missing_zero, 1);
		assert_eq!(DeadlineQueue::<Test>::get()[0].period, 1);
	});
}

// --- invariants --------------------------------------------------------------------------------

#[test]
fn try_state_detects_a_round_that_reached_its_quorum() {
	new_test_ext().execute_with(|| {
		let feed = default_feed();
		Now::set(period_end(0) + HOUR);
		assert_ok!(submit(OPERATOR_A, feed, 0, 1));
		assert_ok!(KpiOracle::do_try_state());
		Rounds::<Test>::mutate(feed, 0, |round| {
			round.try_push(Reading { operator: OPERATOR_B, value: 1 }).unwrap();
		});
		assert!(KpiOracle::do_try_state().is_err());
	});
}

#[test]
fn try_state_detects_a_stale_next_due() {
	new_test_ext().execute_with(|| {
		default_feed();
		assert_ok!(KpiOracle::do_try_state());
		NextDue::<Test>::put(deadline(0) + 1);
		assert!(KpiOracle::do_try_state().is_err());
	});
}

// --- deposits, bounds, retirement and removal --------------------------------------------------

fn held(who: u64) -> u64 {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::FeedDeposit.into(), &who)
}

#[test]
fn an_issuers_feed_holds_a_deposit_and_an_issuer_owns_a_bounded_number() {
	build_and_execute(|| {
		let first = default_feed();
		assert_eq!(held(ISSUER), DEPOSIT);
		assert_eq!(FeedDeposits::<Test>::get(first), Some(DEPOSIT));
		assert_eq!(KpiOracle::feed(first).unwrap().owner, Some(ISSUER));
		assert_eq!(OwnerFeedCount::<Test>::get(ISSUER), 1);
		// Governance's feeds hold nothing.
		assert_ok!(KpiOracle::create_feed(root(), Box::new(spec(&[OPERATOR_A], 1))));
		assert_eq!(FeedDeposits::<Test>::get(first + 1), None);

		default_feed();
		default_feed();
		assert_eq!((held(ISSUER), OwnerFeedCount::<Test>::get(ISSUER)), (3 * DEPOSIT, 3));
		// MaxFeedsPerOwner is 3: a fourth is refused, the owner's bound checked (and named)
		// before the chain's.
		assert_noop!(
			KpiOracle::create_feed(signed(ISSUER), Box::new(spec(&[], 1))),
			Error::<Test>::TooManyFeedsForOwner
		);
	});
}

#[test]
fn an_issuer_that_cannot_pay_the_deposit_creates_no_feed() {
	build_and_execute(|| {
		assert_ok!(KpiOracle::create_feed(signed(OTHER_ISSUER), Box::new(spec(&[], 1))));
		assert_eq!(held(OTHER_ISSUER), DEPOSIT);
		assert_noop!(
			KpiOracle::create_feed(signed(OTHER_ISSUER), Box::new(spec(&[], 1))),
			Error::<Test>::CannotHoldDeposit
		);
		assert_eq!(Feeds::<Test>::count(), 1);
	});
}

#[test]
fn a_retired_feed_has_no_later_periods_and_once_settled_is_removed_returning_the_deposit() {
	build_and_execute(|| {
		let feed = default_feed();
		Now::set(period_start(1) + HOUR);
		// Only its owner (an issuer still) or governance retire it, from a period not started.
		for who in [STRANGER, OTHER_ISSUER, OPERATOR_A] {
			assert_noop!(KpiOracle::retire_feed(signed(who), feed, 2), Error::<Test>::NotFeedOwner);
		}
		assert_noop!(
			KpiOracle::retire_feed(signed(ISSUER), feed, 1),
			Error::<Test>::FromPeriodInPast
		);
		assert_ok!(KpiOracle::retire_feed(signed(ISSUER), feed, 2));
		System::assert_last_event(Event::FeedRetired { feed, from_period: 2 }.into());
		assert_noop!(KpiOracle::retire_feed(root(), feed, 3), Error::<Test>::FeedRetired);
		// Not removable while it has periods to decide.
		assert_noop!(KpiOracle::remove_feed(signed(STRANGER), feed), Error::<Test>::FeedNotSettled);

		// Period 1 is decided and disputed; period 2 does not exist.
		Now::set(period_end(2) + HOUR);
		assert_ok!(submit(OPERATOR_A, feed, 1, 100_000));
		assert_ok!(submit(OPERATOR_B, feed, 1, 100_000));
		assert_noop!(submit(OPERATOR_C, feed, 2, 100_000), Error::<Test>::FeedRetired);
		assert_ok!(KpiOracle::dispute(signed(AUDITOR), feed, 1, H256::repeat_byte(1)));
		// One deadline of a feed per block: periods 0 and 1 take two blocks.
		next_block_at(deadline(2) + CHALLENGE_WINDOW);
		assert!(DeadlineQueue::<Test>::get().iter().any(|item| item.feed == feed));
		next_block_at(deadline(2) + CHALLENGE_WINDOW + 1);
		assert_eq!(KpiOracle::kpi(feed, 0).unwrap().status, KpiStatus::Missing);
		assert_eq!(KpiOracle::kpi(feed, 2), None, "a retired feed's later period reads no KPI");
		assert!(DeadlineQueue::<Test>::get().iter().all(|item| item.feed != feed));
		// Past every deadline and window, but a dispute is open.
		assert_noop!(KpiOracle::remove_feed(signed(STRANGER), feed), Error::<Test>::FeedNotSettled);
		assert_ok!(KpiOracle::resolve_dispute(root(), feed, 1, Resolution::Uphold));

		assert_ok!(KpiOracle::remove_feed(signed(STRANGER), feed));
		System::assert_last_event(
			Event::FeedRemoved { feed, deposit: Some((ISSUER, DEPOSIT)) }.into(),
		);
		assert_eq!(held(ISSUER), 0);
		assert_eq!(Balances::free_balance(ISSUER), ISSUER_FUNDS);
		assert_eq!(OwnerFeedCount::<Test>::get(ISSUER), 0);
		assert_eq!(Feeds::<Test>::count(), 0);
		assert_eq!(FeedOperators::<Test>::iter_prefix(feed).count(), 0);
		// The evidence stays: the KPI and the reports behind it.
		assert_eq!(KpiOracle::kpi(feed, 1).unwrap().status, KpiStatus::Final);
		assert_eq!(KpiOracle::verify_report(feed, 1, &OPERATOR_A), Some(true));
		assert_noop!(KpiOracle::remove_feed(signed(STRANGER), feed), Error::<Test>::UnknownFeed);
	});
}

#[test]
fn a_feed_retired_before_it_starts_is_removed_at_once_and_frees_its_owners_place() {
	build_and_execute(|| {
		let feeds = [default_feed(), default_feed(), default_feed()];
		assert_noop!(
			KpiOracle::create_feed(signed(ISSUER), Box::new(spec(&[], 1))),
			Error::<Test>::TooManyFeedsForOwner
		);
		assert_noop!(
			KpiOracle::remove_feed(signed(ISSUER), feeds[0]),
			Error::<Test>::FeedNotRetired
		);
		// An owner that lost the Issuer role no longer retires its feed; governance does.
		IssuerAccounts::mutate(|accounts| accounts.retain(|who| *who != ISSUER));
		assert_noop!(KpiOracle::retire_feed(signed(ISSUER), feeds[0], 0), Error::<Test>::NotIssuer);
		assert_ok!(KpiOracle::retire_feed(root(), feeds[0], 0));
		IssuerAccounts::mutate(|accounts| accounts.push(ISSUER));
		assert_ok!(KpiOracle::remove_feed(signed(ISSUER), feeds[0]));
		assert_eq!(held(ISSUER), 2 * DEPOSIT);
		assert_ok!(KpiOracle::create_feed(signed(ISSUER), Box::new(spec(&[], 1))));
		// The remaining feeds' deadlines still come due.
		next_block_at(deadline(0));
		assert_eq!(stored_status(feeds[1], 0), Some(KpiStatus::Missing));
	});
}
