//! Governance: a council (pallet-collective) whose members are kept by a membership set.
//!
//! [`GovernanceOrigin`] is what privileged calls require: two thirds of the council, or root.
//! Root exists only through sudo, which only the test presets configure; on a production chain
//! spec without a sudo key, the council alone governs.

use crate::{
	AccountId, BlockNumber, Council, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, MINUTES,
};
use frame_support::{
	parameter_types,
	traits::{ConstU32, EitherOfDiverse},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

/// The council's instance of pallet-collective.
pub type CouncilInstance = pallet_collective::Instance1;
/// The instance of pallet-membership that keeps the council's members.
pub type CouncilMembershipInstance = pallet_membership::Instance2;

/// Privileged origin: at least two thirds of the council, or root.
pub type GovernanceOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilInstance, 2, 3>,
>;

parameter_types! {
	/// How long a motion stays open for votes.
	pub const CouncilMotionDuration: BlockNumber = 30 * MINUTES;
	/// The most a council motion may weigh when executed: half a block.
	pub MaxCouncilProposalWeight: Weight =
		Perbill::from_percent(50) * super::RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<32>;
	type MaxMembers = ConstU32<16>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	// Members change through `CouncilMembership`, which tells the council.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = GovernanceOrigin;
	type KillOrigin = GovernanceOrigin;
	type Consideration = ();
}

/// The council's members: changed by governance itself.
impl pallet_membership::Config<CouncilMembershipInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = GovernanceOrigin;
	type RemoveOrigin = GovernanceOrigin;
	type SwapOrigin = GovernanceOrigin;
	type ResetOrigin = GovernanceOrigin;
	type PrimeOrigin = GovernanceOrigin;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<16>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

/// Runtime upgrades: governance authorizes a code hash; anyone then supplies the code with
/// `System::apply_authorized_upgrade`, which checks the spec name and version.
impl pallet_citybond_upgrades::Config for Runtime {
	type GovernanceOrigin = GovernanceOrigin;
	type WeightInfo = pallet_citybond_upgrades::weights::SubstrateWeight<Runtime>;
}
