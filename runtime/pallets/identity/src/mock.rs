//! Test runtime: `frame_system` and the identity registry, a settable clock, and a demo cast
//! registered at genesis.

use crate as pallet_citybond_identity;
use crate::{
	ClaimKind, CountryCode, GenesisIdentity, GenesisRegistrar, InvestorCategory, Lei, Role,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, Contains, UnixTime},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test
	{
		System: frame_system,
		Identity: pallet_citybond_identity,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The registrar appointed at genesis.
pub const REGISTRAR: u64 = 1;
/// A second account, appointed registrar by some tests.
pub const OTHER_REGISTRAR: u64 = 2;
/// The municipality: an issuer with an LEI, registered at genesis.
pub const ISSUER: u64 = 10;
/// A professional investor with a KYC claim, registered at genesis.
pub const INVESTOR: u64 = 20;
/// An account without an identity.
pub const STRANGER: u64 = 30;
/// An account exempt from `CheckIdentity`, without an identity.
pub const EXEMPT: u64 = 99;

/// 2025-01-01T00:00:00Z in milliseconds: the clock when each test starts.
pub const START: u64 = 1_735_689_600_000;
/// A day in milliseconds.
pub const DAY: u64 = 86_400_000;
/// When the genesis investor's KYC claim expires: a year after `START`.
pub const KYC_EXPIRY: u64 = START + 365 * DAY;

/// A valid LEI (GLEIF's own).
pub const LEI_A: Lei = Lei(*b"5493001KJTIIGC8Y1R12");
/// Another valid LEI.
pub const LEI_B: Lei = Lei(*b"529900T8BM49AURSDO55");
/// Germany.
pub const DE: CountryCode = CountryCode(*b"DE");
/// France.
pub const FR: CountryCode = CountryCode(*b"FR");

parameter_types! {
	/// The wall clock in milliseconds since the Unix epoch; tests move it with `Now::set`.
	pub static Now: u64 = START;
	/// The accounts holding a governance office; tests set it with `GovernorSet::set`.
	pub static GovernorSet: Vec<u64> = Vec::new();
}

/// The accounts in [`GovernorSet`].
pub struct Governors;
impl Contains<u64> for Governors {
	fn contains(who: &u64) -> bool {
		GovernorSet::get().contains(who)
	}
}

/// A clock that reads [`Now`].
pub struct MockTime;
impl UnixTime for MockTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(Now::get())
	}
}

/// Only [`EXEMPT`] may transact without an identity.
pub struct ExemptAccounts;
impl Contains<u64> for ExemptAccounts {
	fn contains(who: &u64) -> bool {
		*who == EXEMPT
	}
}

impl pallet_citybond_identity::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type Time = MockTime;
	type IdentityExempt = ExemptAccounts;
	type Governors = Governors;
	type MaxRegistrars = ConstU32<3>;
	type MaxClaims = ConstU32<3>;
	type MaxCustomClaimIdLen = ConstU32<8>;
	type WeightInfo = ();
}

/// Externalities with the demo cast: [`REGISTRAR`] (in `DE`), [`ISSUER`] (an organisation with
/// [`LEI_A`]) and [`INVESTOR`] (professional, KYC valid until [`KYC_EXPIRY`]). The clock is at
/// [`START`] and the block number is 1, so events are recorded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		identity: pallet_citybond_identity::GenesisConfig {
			registrars: vec![GenesisRegistrar { account: REGISTRAR, lei: None, jurisdiction: DE }],
			identities: vec![
				GenesisIdentity {
					account: ISSUER,
					registrar: REGISTRAR,
					roles: vec![Role::Issuer],
					lei: Some(LEI_A),
					jurisdiction: DE,
					category: None,
					claims: vec![],
				},
				GenesisIdentity {
					account: INVESTOR,
					registrar: REGISTRAR,
					roles: vec![Role::Investor],
					lei: None,
					jurisdiction: FR,
					category: Some(InvestorCategory::Professional),
					claims: vec![(ClaimKind::Kyc, KYC_EXPIRY)],
				},
			],
		},
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		Now::set(START);
		System::set_block_number(1);
	});
	ext
}

/// Runs `test` on [`new_test_ext`], then checks the registry's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Identity::do_try_state().unwrap();
	});
}
