//! Test runtime: `frame_system`, `pallet_balances` (for feed deposits) and the KPI oracle, a
//! settable clock, a role table standing in for the identity registry, and operator keys derived
//! from fixed seeds.

// The mock computes times with plain arithmetic on small constants.
#![allow(clippy::arithmetic_side_effects)]

use crate as pallet_citybond_kpi_oracle;
use crate::{
	FeedId, FeedMetadata, FeedParams, FeedSpec, Moment, OperatorKey, OperatorSignature,
	PeriodIndex, PeriodSchedule, ReportPayload, RoleCheck, Value,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchResultWithPostInfo,
	parameter_types,
	traits::{ConstU32, ConstU64, Hooks, UnixTime},
	BoundedVec,
};
use frame_system::EnsureRoot;
use sp_core::{ed25519, Pair, H256};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{BuildStorage, Permill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test
	{
		System: frame_system,
		Balances: pallet_balances,
		KpiOracle: pallet_citybond_kpi_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

/// What an issuer's feed holds.
pub const DEPOSIT: u64 = 100;
/// What [`ISSUER`] starts with: enough for three feeds' deposits.
pub const ISSUER_FUNDS: u64 = 3 * DEPOSIT + 50;
/// What [`OTHER_ISSUER`] starts with: enough for one feed's deposit, not two.
pub const OTHER_ISSUER_FUNDS: u64 = DEPOSIT + 50;

/// The municipality: an issuer.
pub const ISSUER: u64 = 1;
/// Another issuer.
pub const OTHER_ISSUER: u64 = 2;
/// Oracle operators (accounts holding the role); their keys come from [`pair`].
pub const OPERATOR_A: u64 = 11;
/// An oracle operator.
pub const OPERATOR_B: u64 = 12;
/// An oracle operator.
pub const OPERATOR_C: u64 = 13;
/// An oracle operator.
pub const OPERATOR_D: u64 = 14;
/// An oracle operator, in no feed unless a test adds it.
pub const OPERATOR_E: u64 = 15;
/// An auditor.
pub const AUDITOR: u64 = 21;
/// Another auditor.
pub const OTHER_AUDITOR: u64 = 22;
/// A third auditor.
pub const THIRD_AUDITOR: u64 = 23;
/// An account without roles that relays reports.
pub const RELAYER: u64 = 50;
/// An account without roles.
pub const STRANGER: u64 = 99;

/// 2025-01-01T00:00:00Z in milliseconds: the clock when each test starts.
pub const START: Moment = 1_735_689_600_000;
/// An hour in milliseconds.
pub const HOUR: Moment = 3_600_000;
/// A day in milliseconds.
pub const DAY: Moment = 24 * HOUR;
/// When period 0 of a default feed starts: an hour after [`START`]. Periods last a day.
pub const FIRST_START: Moment = START + HOUR;
/// The maximum report age of a default feed.
pub const MAX_AGE: Moment = 2 * DAY;
/// The challenge window of a default feed.
pub const CHALLENGE_WINDOW: Moment = 3 * DAY;
/// The shortest period a feed may have.
pub const MIN_PERIOD: Moment = HOUR;
/// The shortest maximum report age.
pub const MIN_REPORT_AGE: Moment = 10 * 60_000;
/// The shortest challenge window.
pub const MIN_CHALLENGE_WINDOW: Moment = 20 * 60_000;

parameter_types! {
	/// The wall clock in milliseconds since the Unix epoch; tests move it with `Now::set`.
	pub static Now: u64 = START;
	/// Accounts holding the issuer role.
	pub static IssuerAccounts: Vec<u64> = vec![ISSUER, OTHER_ISSUER];
	/// Accounts holding the auditor role.
	pub static AuditorAccounts: Vec<u64> = vec![AUDITOR, OTHER_AUDITOR, THIRD_AUDITOR];
	/// Accounts holding the oracle-operator role.
	pub static OperatorAccounts: Vec<u64> =
		vec![OPERATOR_A, OPERATOR_B, OPERATOR_C, OPERATOR_D, OPERATOR_E];
}

/// A clock that reads [`Now`].
pub struct MockTime;
impl UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(Now::get())
	}
}

/// Roles from the tables above.
pub struct MockRoles;
impl RoleCheck<u64> for MockRoles {
	fn is_issuer(who: &u64) -> bool {
		IssuerAccounts::get().contains(who)
	}
	fn is_auditor(who: &u64) -> bool {
		AuditorAccounts::get().contains(who)
	}
	fn is_oracle_operator(who: &u64) -> bool {
		OperatorAccounts::get().contains(who)
	}
}

/// Grants roles by adding to the tables, and sets [`Now`].
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockBenchmarkHelper {
	fn make_issuer(who: &u64) {
		IssuerAccounts::mutate(|accounts| accounts.push(*who));
	}
	fn make_auditor(who: &u64) {
		AuditorAccounts::mutate(|accounts| accounts.push(*who));
	}
	fn make_oracle_operator(who: &u64) {
		OperatorAccounts::mutate(|accounts| accounts.push(*who));
	}
	fn set_time(now: Moment) {
		Now::set(now);
	}
}

impl pallet_citybond_kpi_oracle::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type Roles = MockRoles;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type FeedDeposit = ConstU64<DEPOSIT>;
	type MaxFeedsPerOwner = ConstU32<3>;
	type Time = MockTime;
	type MaxFeeds = ConstU32<4>;
	type MaxOperatorsPerFeed = ConstU32<5>;
	type MaxKeyHistory = ConstU32<3>;
	type MaxAttestations = ConstU32<2>;
	type MaxPendingFinalizations = ConstU32<4>;
	type MaxTransitionsPerBlock = ConstU32<3>;
	type MinPeriodLength = ConstU64<MIN_PERIOD>;
	type MinReportAge = ConstU64<MIN_REPORT_AGE>;
	type MinChallengeWindow = ConstU64<MIN_CHALLENGE_WINDOW>;
	type MaxDescriptionLen = ConstU32<64>;
	type MaxEntityIdLen = ConstU32<64>;
	type MaxAttributeLen = ConstU32<32>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Externalities with an empty oracle, the role tables reset, the clock at [`START`], block
/// number 1 (so events are recorded), and an in-memory keystore for the benchmarks' signing.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ISSUER, ISSUER_FUNDS), (OTHER_ISSUER, OTHER_ISSUER_FUNDS)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		Now::set(START);
		IssuerAccounts::set(vec![ISSUER, OTHER_ISSUER]);
		AuditorAccounts::set(vec![AUDITOR, OTHER_AUDITOR, THIRD_AUDITOR]);
		OperatorAccounts::set(vec![OPERATOR_A, OPERATOR_B, OPERATOR_C, OPERATOR_D, OPERATOR_E]);
		System::set_block_number(1);
	});
	ext
}

/// Runs `test` on [`new_test_ext`], then checks the oracle's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		KpiOracle::do_try_state().unwrap();
	});
}

/// The key pair of an account, from the seed `[account; 32]`.
pub fn pair(account: u64) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[account as u8; 32])
}

/// The public key of [`pair`].
pub fn key(account: u64) -> OperatorKey {
	pair(account).public()
}

/// A feed measuring energy saved in kWh with 3 decimals: daily periods from [`FIRST_START`],
/// reports up to [`MAX_AGE`] old, values 0..=1,000,000.000, outliers beyond 5 % of the median, a
/// challenge window of [`CHALLENGE_WINDOW`], `quorum` of the given operators (with their
/// [`key`]s).
pub fn spec(operators: &[u64], quorum: u32) -> FeedSpec<Test> {
	FeedSpec {
		metadata: FeedMetadata {
			description: BoundedVec::truncate_from(b"Energy saved by the town hall".to_vec()),
			entity_id: BoundedVec::truncate_from(b"urn:ngsi-ld:Building:town-hall".to_vec()),
			attribute: BoundedVec::truncate_from(b"energySaved".to_vec()),
			unit: BoundedVec::truncate_from(b"KWH".to_vec()),
			decimals: 3,
		},
		params: FeedParams {
			schedule: PeriodSchedule { first_start: FIRST_START, length: DAY },
			quorum,
			max_report_age: MAX_AGE,
			min_value: 0,
			max_value: 1_000_000_000,
			outlier_tolerance: Permill::from_percent(5),
			challenge_window: CHALLENGE_WINDOW,
		},
		operators: BoundedVec::truncate_from(
			operators.iter().map(|operator| (*operator, key(*operator))).collect(),
		),
	}
}

/// [`ISSUER`] creates a feed from `spec` without its operators, then governance appoints them
/// from period 0 on (the only way an issuer's feed gets operators). Returns the feed's id.
pub fn create(mut spec: FeedSpec<Test>) -> FeedId {
	let feed = crate::NextFeedId::<Test>::get();
	let operators = core::mem::take(&mut spec.operators);
	KpiOracle::create_feed(RuntimeOrigin::signed(ISSUER), Box::new(spec)).unwrap();
	for (operator, key) in operators {
		KpiOracle::add_operator(RuntimeOrigin::root(), feed, operator, key, 0).unwrap();
	}
	feed
}

/// Creates the default feed with operators A, B and C and a quorum of 2.
pub fn default_feed() -> FeedId {
	create(spec(&[OPERATOR_A, OPERATOR_B, OPERATOR_C], 2))
}

/// When `period` of a feed with the default schedule starts.
pub fn period_start(period: PeriodIndex) -> Moment {
	FIRST_START + Moment::from(period) * DAY
}

/// When `period` of a feed with the default schedule ends.
pub fn period_end(period: PeriodIndex) -> Moment {
	period_start(period + 1)
}

/// A report of `value` for `period` of `feed`, observed over the whole period.
pub fn payload(feed: FeedId, period: PeriodIndex, value: Value) -> ReportPayload {
	ReportPayload {
		feed,
		period,
		value,
		window_start: period_start(period),
		window_end: period_end(period),
		payload_hash: H256::repeat_byte(0xaa),
		devices_hash: H256::repeat_byte(0xbb),
	}
}

/// `operator`'s signature over `report` for this chain.
pub fn sign(operator: u64, report: &ReportPayload) -> OperatorSignature {
	pair(operator).sign(&KpiOracle::report_message(report))
}

/// Submits `report` signed by `operator`, from `operator`'s own account.
pub fn submit_signed(operator: u64, report: ReportPayload) -> DispatchResultWithPostInfo {
	let signature = sign(operator, &report);
	KpiOracle::submit_report(
		RuntimeOrigin::signed(operator),
		Box::new(report),
		key(operator),
		signature,
	)
}

/// Submits `operator`'s report of `value` for `period` of `feed`.
pub fn submit(
	operator: u64,
	feed: FeedId,
	period: PeriodIndex,
	value: Value,
) -> DispatchResultWithPostInfo {
	submit_signed(operator, payload(feed, period, value))
}

/// Moves the clock to `now` and runs the next block's `on_initialize`.
pub fn next_block_at(now: Moment) {
	Now::set(now);
	let block = System::block_number() + 1;
	System::set_block_number(block);
	KpiOracle::on_initialize(block);
}
