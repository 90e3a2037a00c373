//! Configuration of each pallet in the runtime.

mod contracts;
pub mod governance;
mod kpi_oracle;
mod validators;

pub use contracts::{contract_deposit, NoRandomness};
pub use governance::GovernanceOrigin;
pub use kpi_oracle::IdentityRoles;

use crate::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	System, Timestamp, EXISTENTIAL_DEPOSIT, SLOT_DURATION, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Contains, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

/// Part of a block's weight that normal (signed) extrinsics may fill; the rest is kept for
/// operational extrinsics and block initialisation.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	/// Runtime version, reported to clients and used by transaction checks.
	pub const Version: RuntimeVersion = VERSION;
	/// One second of compute per 3-second block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// At most 5 MiB per block, 75% of it for normal extrinsics.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * *max
		})
		.build();
	/// Blocks of history that transaction mortality may refer to.
	pub const BlockHashCount: BlockNumber = 2400;
	/// SS58 address prefix; 42 is the generic Substrate prefix.
	pub const SS58Prefix: u16 = 42;
}

/// The allow-list of calls an extrinsic may carry. Anything not listed here is refused with
/// `CallFiltered`, so a pallet added later is closed until it is deliberately opened here.
/// (Root-origin dispatch, e.g. through governance or sudo, is not filtered by FRAME.)
pub struct CityBondCallFilter;

impl Contains<RuntimeCall> for CityBondCallFilter {
	fn contains(call: &RuntimeCall) -> bool {
		use pallet_balances::Call as B;
		use pallet_contracts::Call as C;
		matches!(
			call,
			RuntimeCall::System(
				frame_system::Call::remark { .. }
					| frame_system::Call::remark_with_event { .. }
					// Applies only code governance authorized (`Upgrades`).
					| frame_system::Call::apply_authorized_upgrade { .. }
			) | RuntimeCall::Timestamp(pallet_timestamp::Call::set { .. })
				| RuntimeCall::Grandpa(_)
				| RuntimeCall::Balances(
					B::transfer_allow_death { .. }
						| B::transfer_keep_alive { .. }
						| B::transfer_all { .. }
				) | RuntimeCall::Sudo(_)
				| RuntimeCall::Contracts(
					C::call { .. }
						| C::instantiate { .. }
						| C::instantiate_with_code { .. }
						| C::upload_code { .. }
						| C::remove_code { .. }
				) | RuntimeCall::ContractDeployers(_)
				| RuntimeCall::Council(_)
				| RuntimeCall::CouncilMembership(_)
				| RuntimeCall::Identity(_)
				| RuntimeCall::KpiOracle(_)
				| RuntimeCall::ValidatorSet(_)
				| RuntimeCall::Upgrades(_)
				| RuntimeCall::Issuance(_)
				| RuntimeCall::Session(
					pallet_session::Call::set_keys { .. } | pallet_session::Call::purge_keys { .. }
				)
		)
	}
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type BaseCallFilter = CityBondCallFilter;
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees are not dynamic on a permissioned chain: congestion is handled by admission, not price.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// The accounts allowed to upload and instantiate contract code. Governance manages the set.
impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = GovernanceOrigin;
	type RemoveOrigin = GovernanceOrigin;
	type SwapOrigin = GovernanceOrigin;
	type ResetOrigin = GovernanceOrigin;
	type PrimeOrigin = GovernanceOrigin;
	type MembershipInitialized = ();
	type MembershipChanged = ();
	type MaxMembers = ConstU32<16>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

/// Accounts that may sign transactions without an identity: the sudo key only, which exists in
/// the test presets only (it is root, governance itself there). Council members are not exempt:
/// a member whose identity is suspended or revoked cannot propose, vote or close, like anyone
/// else; what a carried motion dispatches runs as the governance origin and needs no identity.
pub struct IdentityExempt;

impl Contains<AccountId> for IdentityExempt {
	fn contains(who: &AccountId) -> bool {
		pallet_sudo::Key::<Runtime>::get().as_ref() == Some(who)
	}
}

/// The council's members: registrars may not suspend or revoke them (governance removes a
/// member from the council first), so no registrar can disable governance.
pub struct CouncilMembers;

impl Contains<AccountId> for CouncilMembers {
	fn contains(who: &AccountId) -> bool {
		pallet_collective::Members::<Runtime, governance::CouncilInstance>::get().contains(who)
	}
}

/// The identity and roles registry: registrars (appointed by governance) register who may
/// transact and in which roles.
impl pallet_citybond_identity::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = GovernanceOrigin;
	type Time = Timestamp;
	type IdentityExempt = IdentityExempt;
	type Governors = CouncilMembers;
	type MaxRegistrars = ConstU32<16>;
	type MaxClaims = ConstU32<8>;
	type MaxCustomClaimIdLen = ConstU32<32>;
	type WeightInfo = pallet_citybond_identity::weights::SubstrateWeight<Runtime>;
}
