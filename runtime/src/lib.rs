//! # CityBond runtime
//!
//! The runtime of CityBond's permissioned chain, on which municipalities issue tokenized green
//! bonds whose coupons follow measured KPIs.
//!
//! ## Overview
//!
//! - Block production by Aura, finality by GRANDPA; the validator set changes only through
//!   governance (`ValidatorSet`), and `Session` rotates the authorities to it.
//! - Native token `CBT` (12 decimals) pays transaction fees and storage deposits only. Bond money
//!   never moves in CBT: it moves in the cash token, an ink! contract.
//! - Governance is a council (`Council`, pallet-collective, members kept by `CouncilMembership`):
//!   two thirds of it (or root, in the test presets) appoint registrars, admit contract
//!   deployers and change the council. See [`configs::governance`].
//! - ink! contracts run on `pallet-contracts`. Uploading code and instantiating contracts is
//!   reserved to the members of `ContractDeployers` (changed by governance), not to any signed
//!   account.
//! - Only accounts with an active identity in the registry (`Identity`, pallet
//!   `pallet-citybond-identity`) may sign transactions; others are refused at validation with
//!   `InvalidTransaction::Custom(100)`, "account is not a registered identity". The sudo key is
//!   the one exemption, so a chain whose registry is broken can still be repaired.
//! - Digital-twin KPIs arrive through the KPI oracle (`KpiOracle`, pallet
//!   `pallet-citybond-kpi-oracle`): ed25519-signed operator reports, a quorum and median, a
//!   challenge window for auditors, and `Missing` periods.
//! - Contracts read identities and KPIs through the CityBond chain extension
//!   ([`chain_extension`]).
//! - Every call an extrinsic may carry must be on an allow-list ([`configs::CityBondCallFilter`]);
//!   anything not listed is refused.
//!
//! ## Chain parameters
//!
//! | parameter | value | why |
//! | --- | --- | --- |
//! | block time | 3 s | settlement feels immediate; GRANDPA finalizes a block or two behind |
//! | SS58 prefix | 42 | the generic Substrate prefix, so standard tooling shows familiar addresses until a prefix of our own is registered |
//! | token | `CBT`, 12 decimals | fees and deposits only |
//!
//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (Alice, Bob, Charlie
//! and Dave validate: four, so that finality survives one of them being down).
//! Both are test presets and have a sudo key.

#![cfg_attr(not(feature = "std"), no_std)]
// The `#[frame_support::runtime]` and `impl_runtime_apis!` macros expand to code these lints
// flag; our own code below follows them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Before `apis`, which expands the benchmark list macros this module defines.
pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod chain_extension;
pub mod configs;
pub mod genesis_config_presets;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, used by the node, which does not need to know the runtime's call type.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The keys a validator holds: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		/// Block authoring key.
		pub aura: Aura,
		/// Finality voting key.
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` with every change to runtime logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("citybond"),
	impl_name: Cow::Borrowed("citybond"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time in milliseconds. Changing it after genesis would break slot calculation.
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
/// Aura slot duration; one block per slot.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Decimals of the native token `CBT`.
pub const TOKEN_DECIMALS: u8 = 12;
/// Symbol of the native token.
pub const TOKEN_SYMBOL: &str = "CBT";
/// One whole `CBT` in its smallest unit.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a `CBT`.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of a `CBT`.
pub const MICRO_UNIT: Balance = 1_000_000;
/// The minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Signature of an extrinsic.
pub type Signature = MultiSignature;
/// An account on chain: a 32-byte public key (sr25519 or ed25519).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in the smallest unit of `CBT`.
pub type Balance = u128;
/// Index of a transaction of an account.
pub type Nonce = u32;
/// Hash of a block or of anything else.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A signed block.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order for every extrinsic.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	// Early, so nothing else is spent on a transaction from an account without an identity.
	pallet_citybond_identity::CheckIdentity<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on the next runtime upgrade.
type Migrations = ();

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	// The validator set and the session pallet come before Aura and GRANDPA: the session's
	// genesis hands them their first authorities, and each block rotates sessions before Aura
	// checks its slot.
	#[runtime::pallet_index(7)]
	pub type ValidatorSet = pallet_citybond_validator_set;

	#[runtime::pallet_index(8)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(10)]
	pub type Contracts = pallet_contracts;

	#[runtime::pallet_index(11)]
	pub type ContractDeployers = pallet_membership<Instance1>;

	#[runtime::pallet_index(12)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(13)]
	pub type CouncilMembership = pallet_membership<Instance2>;

	#[runtime::pallet_index(14)]
	pub type Upgrades = pallet_citybond_upgrades;

	#[runtime::pallet_index(15)]
	pub type Issuance = pallet_citybond_issuance;

	#[runtime::pallet_index(20)]
	pub type Identity = pallet_citybond_identity;

	#[runtime::pallet_index(21)]
	pub type KpiOracle = pallet_citybond_kpi_oracle;
}
