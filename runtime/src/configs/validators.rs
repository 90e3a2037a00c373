//! Governed validators: `ValidatorSet` (pallet-citybond-validator-set) holds the set that
//! governance changes; `Session` (pallet-session) rotates Aura's and GRANDPA's authorities to
//! it every [`SESSION_BLOCKS`] blocks.
//!
//! A validator added by governance registers its session keys (`Session::set_keys`, signed by
//! its account, which needs an identity like any signer); one removed stops authoring and
//! voting when the new set takes effect, at most two sessions (a minute) later.

use super::GovernanceOrigin;
use crate::{AccountId, Balances, BlockNumber, Runtime, RuntimeEvent, SessionKeys};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
};
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

/// Blocks per session: 10 blocks of 3 s, so a change of validators takes effect within a
/// minute.
pub const SESSION_BLOCKS: BlockNumber = 10;

parameter_types! {
	/// Session length.
	pub const Period: BlockNumber = SESSION_BLOCKS;
	/// The first session ends at block `Period`.
	pub const Offset: BlockNumber = 0;
}

impl pallet_citybond_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = GovernanceOrigin;
	// Aura's and GRANDPA's `MaxAuthorities`.
	type MaxValidators = ConstU32<32>;
	// One validator keeps the chain producing and finalizing; tolerating a failure takes four.
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_citybond_validator_set::weights::SubstrateWeight<Runtime>;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
	type SessionManager = crate::ValidatorSet;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// No slashing on a permissioned chain: misbehaving validators are removed by governance.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	// Validators are vetted identities; registering keys costs only the transaction fee.
	type KeyDeposit = ConstU128<0>;
}
