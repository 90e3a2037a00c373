//! `pallet-contracts`: the ink! contract host, configured for a permissioned chain.
//!
//! - Only members of `ContractDeployers` may upload code or instantiate it directly. Issuers
//!   instantiate code governance approved through `pallet-citybond-issuance` (see
//!   [`ContractsHost`]); once instantiated, any account the call filter admits may call a
//!   contract.
//! - No unstable host functions; contracts cannot dispatch runtime calls (`CallFilter = Nothing`).
//!   They read identities and KPIs through the read-only CityBond chain extension
//!   ([`crate::chain_extension`]).
//! - Storage is paid for with deposits (see [`contract_deposit`]): a contract that stores
//!   more holds more of its caller's `CBT`, released when the storage is freed.

use crate::{
	AccountId, Balance, Balances, BlockNumber, ContractDeployers, Hash, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeHoldReason, Timestamp, MICRO_UNIT, MILLI_UNIT,
};
use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, Nothing, Randomness},
};
use frame_support::{traits::Contains, weights::Weight};
use frame_system::EnsureSignedBy;
use pallet_citybond_identity::Role;
use pallet_contracts::{CollectEvents, DebugInfo, WeightInfo as _};
use sp_runtime::{DispatchError, Perbill};

/// Storage deposit for `items` storage entries holding `bytes` bytes in all:
/// 0.02 CBT per entry plus 0.0001 CBT per byte (so 1 KiB costs about 0.1 CBT).
pub const fn contract_deposit(items: u32, bytes: u32) -> Balance {
	(items as Balance) * 20 * MILLI_UNIT + (bytes as Balance) * 100 * MICRO_UNIT
}

/// Randomness for `seal_random`, which our contracts must not use: on a chain whose block
/// authors are known validators, any on-chain "randomness" is predictable and steerable. It
/// returns an all-zero seed, so a contract that relied on it would be obviously wrong in tests.
pub struct NoRandomness;

impl Randomness<Hash, BlockNumber> for NoRandomness {
	fn random(_subject: &[u8]) -> (Hash, BlockNumber) {
		(Hash::zero(), 0)
	}
}

parameter_types! {
	/// Deposit per storage entry.
	pub const DepositPerItem: Balance = contract_deposit(1, 0);
	/// Deposit per stored byte.
	pub const DepositPerByte: Balance = contract_deposit(0, 1);
	/// Deposit limit of a call that names none: room for 1 KiB of new storage.
	pub const DefaultDepositLimit: Balance = contract_deposit(16, 1024);
	/// Execution limits and costs: the pallet's benchmarked defaults.
	pub Schedule: pallet_contracts::Schedule<Runtime> = Default::default();
	/// Share of a code's deposit locked when a contract sets that code as its own.
	pub CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
}

impl pallet_contracts::Config for Runtime {
	type Time = Timestamp;
	type Randomness = NoRandomness;
	type Currency = Balances;
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CallFilter = Nothing;
	type WeightPrice = pallet_transaction_payment::Pallet<Self>;
	type WeightInfo = pallet_contracts::weights::SubstrateWeight<Self>;
	type ChainExtension = crate::chain_extension::CityBondExtension;
	type Schedule = Schedule;
	type CallStack = [pallet_contracts::Frame<Self>; 5];
	type DepositPerByte = DepositPerByte;
	type DefaultDepositLimit = DefaultDepositLimit;
	type DepositPerItem = DepositPerItem;
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type AddressGenerator = pallet_contracts::DefaultAddressGenerator;
	type MaxCodeLen = ConstU32<{ 123 * 1024 }>;
	type MaxStorageKeyLen = ConstU32<128>;
	type MaxTransientStorageSize = ConstU32<{ 1024 * 1024 }>;
	type MaxDelegateDependencies = ConstU32<32>;
	type UnsafeUnstableInterface = ConstBool<false>;
	type MaxDebugBufferLen = ConstU32<{ 2 * 1024 * 1024 }>;
	type UploadOrigin = EnsureSignedBy<ContractDeployers, AccountId>;
	type InstantiateOrigin = EnsureSignedBy<ContractDeployers, AccountId>;
	type Migrations = ();
	type Debug = ();
	type Environment = ();
	type ApiVersion = ();
	type Xcm = ();
}

/// The accounts that may issue now: an active identity with the `Issuer` role.
pub struct ActiveIssuers;

impl Contains<AccountId> for ActiveIssuers {
	fn contains(who: &AccountId) -> bool {
		crate::Identity::has_role(who, Role::Issuer)
	}
}

/// `pallet-citybond-issuance`'s contract host: `pallet-contracts`, called as the issuer, with no
/// endowment. A reverting constructor is `Contracts::ContractReverted`, as in
/// `Contracts::instantiate`.
pub struct ContractsHost;

impl pallet_citybond_issuance::Instantiate<AccountId, Hash, Balance> for ContractsHost {
	fn weight(data_len: u32, salt_len: u32) -> Weight {
		<Runtime as pallet_contracts::Config>::WeightInfo::instantiate(data_len, salt_len)
	}

	fn instantiate(
		origin: AccountId,
		gas_limit: Weight,
		storage_deposit_limit: Option<Balance>,
		code_hash: Hash,
		data: alloc::vec::Vec<u8>,
		salt: alloc::vec::Vec<u8>,
	) -> (Result<AccountId, DispatchError>, Weight) {
		let output = pallet_contracts::Pallet::<Runtime>::bare_instantiate(
			origin,
			0,
			gas_limit,
			storage_deposit_limit,
			pallet_contracts::Code::Existing(code_hash),
			data,
			salt,
			DebugInfo::Skip,
			CollectEvents::Skip,
		);
		let result = output.result.and_then(|created| {
			if created.result.did_revert() {
				Err(pallet_contracts::Error::<Runtime>::ContractReverted.into())
			} else {
				Ok(created.account_id)
			}
		});
		(result, output.gas_consumed)
	}
}

impl pallet_citybond_issuance::Config for Runtime {
	type GovernanceOrigin = super::GovernanceOrigin;
	type Issuers = ActiveIssuers;
	type Balance = Balance;
	type Contracts = ContractsHost;
	type MaxApprovedCode = ConstU32<64>;
	type MaxLabelLen = ConstU32<128>;
	type WeightInfo = pallet_citybond_issuance::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::kpi_oracle::benchmarks::Helper;
}
