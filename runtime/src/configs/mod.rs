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
	System, Timestamp, EXISTENTIAL_DEPOSIT, MICRO_UNIT, SLOT_DURATION, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Contains, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight,
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

/// The longest `System.remark` (or `remark_with_event`) a signed account may make, in bytes.
/// Longer ones are refused with `CallFiltered` (and their fee is charged): room for a hash, an
/// ISIN and a short reference, not a channel for bulk data.
pub const MAX_REMARK_BYTES: usize = 1024;

impl Contains<RuntimeCall> for CityBondCallFilter {
	fn contains(call: &RuntimeCall) -> bool {
		use pallet_balances::Call as B;
		use pallet_contracts::Call as C;
		if let RuntimeCall::System(
			frame_system::Call::remark { remark }
			| frame_system::Call::remark_with_event { remark },
		) = call
		{
			return remark.len() <= MAX_REMARK_BYTES;
		}
		matches!(
			call,
			// Applies only code governance authorized (`Upgrades`).
			RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { .. })
				| RuntimeCall::Timestamp(pallet_timestamp::Call::set { .. })
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
	/// The fee per byte of an extrinsic: 100 micro-CBT, so a kilobyte costs 0.1 CBT and a block
	/// filled with bytes (3.75 MiB for normal extrinsics) about 393 CBT. See the README's fee
	/// figures, which `runtime`'s `fees` tests compute.
	pub const TransactionByteFee: Balance = 100 * MICRO_UNIT;
	/// The fee per picosecond of reference compute: a block's normal compute (0.75 s) costs
	/// 75 CBT, an operator's report (about 0.5 ms) about 0.05 CBT of compute.
	pub const WeightFee: Balance = 100;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = ConstantMultiplier<Balance, WeightFee>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
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

#[cfg(test)]
mod tests {
	use super::*;
	use crate::UNIT;
	use codec::Encode;
	use frame_support::{dispatch::GetDispatchInfo, weights::WeightToFee};
	use sp_runtime::BuildStorage;

	/// Bytes a signed extrinsic adds to its call: address, signature and extensions.
	const ENVELOPE_BYTES: u32 = 110;

	fn remark(bytes: usize) -> RuntimeCall {
		RuntimeCall::System(frame_system::Call::remark { remark: vec![0; bytes] })
	}

	fn with_runtime(test: impl FnOnce()) {
		let storage =
			frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap_or_default();
		sp_io::TestExternalities::new(storage).execute_with(test);
	}

	/// The fee of `call` as a signed extrinsic, and how many of them fit in a block's normal
	/// part (by length and by weight, whichever is fewer).
	fn fee_and_per_block(call: &RuntimeCall) -> (Balance, u128) {
		let info = call.get_dispatch_info();
		let len = u32::try_from(call.encode().len()).unwrap_or(u32::MAX) + ENVELOPE_BYTES;
		let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(len, &info, 0);
		let weights = RuntimeBlockWeights::get();
		let normal = weights.get(DispatchClass::Normal);
		let per_extrinsic = info.total_weight().saturating_add(normal.base_extrinsic);
		let max_weight = normal.max_total.unwrap_or(weights.max_block);
		let by_weight = max_weight.ref_time() / per_extrinsic.ref_time().max(1);
		let by_length =
			u64::from(*RuntimeBlockLength::get().max.get(DispatchClass::Normal)) / u64::from(len);
		(fee, u128::from(by_weight.min(by_length)))
	}

	#[test]
	fn a_block_full_of_remarks_costs_hundreds_of_cbt() {
		with_runtime(|| {
			let (fee, per_block) = fee_and_per_block(&remark(MAX_REMARK_BYTES));
			eprintln!("1 KiB remark: {fee} each, {per_block} a block: {}", fee * per_block);
			// 1,138 bytes at 0.0001 CBT and the base weight: over 0.11 CBT each, ~3,450 a block.
			assert!(fee > UNIT / 10, "a 1 KiB remark costs {fee}");
			assert!(fee * per_block > 350 * UNIT, "a full block costs {}", fee * per_block);
			// Empty remarks fill a block by weight before length, and still cost much.
			let (fee, per_block) = fee_and_per_block(&remark(0));
			eprintln!("empty remark: {fee} each, {per_block} a block: {}", fee * per_block);
			assert!(
				fee * per_block > 100 * UNIT,
				"a block of empty remarks costs {}",
				fee * per_block
			);
		});
	}

	#[test]
	fn a_call_using_a_blocks_whole_compute_costs_75_cbt() {
		with_runtime(|| {
			let normal = RuntimeBlockWeights::get().get(DispatchClass::Normal).max_total;
			let weight = normal.unwrap_or_default();
			let fee = <Runtime as pallet_transaction_payment::Config>::WeightToFee::weight_to_fee(
				&weight,
			);
			assert_eq!(fee, 75 * UNIT);
		});
	}

	#[test]
	fn an_oracle_report_costs_under_a_fifth_of_a_cbt() {
		with_runtime(|| {
			// What an operator pays per period: weight of the quorum-completing report, and a
			// payload of about 250 bytes.
			use pallet_citybond_kpi_oracle::WeightInfo;
			let weight = <Runtime as pallet_citybond_kpi_oracle::Config>::WeightInfo::submit_report_reaching_quorum();
			let info =
				frame_support::dispatch::DispatchInfo { call_weight: weight, ..Default::default() };
			let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(360, &info, 0);
			eprintln!("oracle report: {fee}");
			assert!(fee < UNIT / 5, "a report costs {fee}");
		});
	}

	#[test]
	fn remarks_longer_than_a_kilobyte_are_refused() {
		assert!(CityBondCallFilter::contains(&remark(MAX_REMARK_BYTES)));
		assert!(!CityBondCallFilter::contains(&remark(MAX_REMARK_BYTES + 1)));
		let with_event = |bytes| {
			RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![0; bytes] })
		};
		assert!(CityBondCallFilter::contains(&with_event(MAX_REMARK_BYTES)));
		assert!(!CityBondCallFilter::contains(&with_event(MAX_REMARK_BYTES + 1)));
	}
}
