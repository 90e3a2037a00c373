//! Test runtime: `frame_system` and the issuance pallet, governed by root, with a contract
//! host that records what it was asked to create.

use crate as pallet_citybond_issuance;
use core::cell::RefCell;
use frame_support::{derive_impl, traits::ConstU32, weights::Weight};
use frame_system::EnsureRoot;
use sp_core::H256;
use sp_runtime::{BuildStorage, DispatchError};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test
	{
		System: frame_system,
		Issuance: pallet_citybond_issuance,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// An account with an active identity holding the `Issuer` role.
pub const ISSUER: u64 = 1;
/// An account without the `Issuer` role (an investor, say).
pub const INVESTOR: u64 = 2;
/// Code whose constructor reverts.
pub const REVERTING: H256 = H256::repeat_byte(0xee);
/// The gas a constructor uses in this mock.
pub const GAS_USED: Weight = Weight::from_parts(1_000_000, 100);

/// One contract creation the pallet asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Created {
	pub origin: u64,
	pub code_hash: H256,
	pub data: Vec<u8>,
	pub salt: Vec<u8>,
	pub storage_deposit_limit: Option<u128>,
}

thread_local! {
	/// What the contract host was asked to create, in order.
	pub static CREATED: RefCell<Vec<Created>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
	/// Set by the benchmarks' helper: every account is an issuer.
	pub static BENCHMARK_ISSUERS: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Issuers: `ISSUER` only (every account once a benchmark asked for its caller).
pub struct Issuers;
impl frame_support::traits::Contains<u64> for Issuers {
	fn contains(who: &u64) -> bool {
		*who == ISSUER || BENCHMARK_ISSUERS.with(|all| all.get())
	}
}

/// A contract host that records each creation and answers addresses 1000, 1001, ...; code
/// `REVERTING` fails as `pallet-contracts` fails a reverting constructor.
pub struct Host;
impl pallet_citybond_issuance::Instantiate<u64, H256, u128> for Host {
	fn weight(data_len: u32, _salt_len: u32) -> Weight {
		Weight::from_parts(5_000_000, 0).saturating_add(Weight::from_parts(u64::from(data_len), 0))
	}

	fn instantiate(
		origin: u64,
		_gas_limit: Weight,
		storage_deposit_limit: Option<u128>,
		code_hash: H256,
		data: Vec<u8>,
		salt: Vec<u8>,
	) -> (Result<u64, DispatchError>, Weight) {
		if code_hash == REVERTING {
			// Like a constructor that wrote storage, then reverted.
			sp_io::storage::set(b"constructor wrote this", b"before reverting");
			return (Err(DispatchError::Other("ContractReverted")), GAS_USED);
		}
		let address = CREATED.with(|created| {
			let mut created = created.borrow_mut();
			created.push(Created { origin, code_hash, data, salt, storage_deposit_limit });
			999_u64.saturating_add(created.len() as u64)
		});
		(Ok(address), GAS_USED)
	}
}

impl pallet_citybond_issuance::Config for Test {
	type GovernanceOrigin = EnsureRoot<u64>;
	type Issuers = Issuers;
	type Balance = u128;
	type Contracts = Host;
	type MaxApprovedCode = ConstU32<3>;
	type MaxLabelLen = ConstU32<16>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Issuers;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_citybond_issuance::BenchmarkHelper<u64> for Issuers {
	fn make_issuer(_who: &u64) {
		// The benchmark's caller is not `ISSUER`: benchmark tests accept every account.
		BENCHMARK_ISSUERS.with(|all| all.set(true));
	}
}

/// Empty storage at block 1 (so events are recorded).
pub fn new_test_ext() -> sp_io::TestExternalities {
	CREATED.with(|created| created.borrow_mut().clear());
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
