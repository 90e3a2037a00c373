//! `pallet-citybond-kpi-oracle`: signed digital-twin readings become KPIs.
//!
//! - Roles come from the identity registry: a role counts only while the identity is active, so
//!   suspending an operator's identity stops its reports counting at once.
//! - Governance (`GovernanceOrigin`: root or two thirds of the council) appoints, retires and
//!   re-keys every feed's operators and resolves disputes. Issuers create feeds for their bonds
//!   but appoint no operators: the party paid by a feed's numbers does not choose who measures
//!   them. An operator may rotate its own key.
//! - Minimums: a period lasts at least two blocks (6 s), reports may be at least one block
//!   (3 s) old, a challenge window lasts at least one block. These are what the chain can
//!   enforce, not business values: a bond's terms refuse a feed whose report age and challenge
//!   window leave no time for verification before the observation date.
//! - An issuer's feed holds a deposit of 100 CBT until it is retired and removed, and an issuer
//!   owns at most 64 feeds at once, so no issuer fills the 1,024 feeds the chain allows.
//! - Bounds: 1,024 feeds of up to 16 operators; up to 64 transitions (`Final` or `Missing`)
//!   per block, so time-driven work stays small next to a block's weight (see the README's
//!   benchmark figures).

use super::GovernanceOrigin;
use crate::{
	AccountId, Balances, Identity, Runtime, RuntimeEvent, RuntimeHoldReason, Timestamp,
	MILLI_SECS_PER_BLOCK, UNIT,
};
use frame_support::traits::{ConstU128, ConstU32, ConstU64};
use pallet_citybond_identity::Role;

/// The oracle's roles, read from the identity registry.
pub struct IdentityRoles;

impl pallet_citybond_kpi_oracle::RoleCheck<AccountId> for IdentityRoles {
	fn is_issuer(who: &AccountId) -> bool {
		Identity::has_role(who, Role::Issuer)
	}
	fn is_auditor(who: &AccountId) -> bool {
		Identity::has_role(who, Role::Auditor)
	}
	fn is_oracle_operator(who: &AccountId) -> bool {
		Identity::has_role(who, Role::OracleOperator)
	}
}

impl pallet_citybond_kpi_oracle::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = GovernanceOrigin;
	type Roles = IdentityRoles;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type FeedDeposit = ConstU128<{ 100 * UNIT }>;
	type MaxFeedsPerOwner = ConstU32<64>;
	type Time = Timestamp;
	type MaxFeeds = ConstU32<1024>;
	type MaxOperatorsPerFeed = ConstU32<16>;
	type MaxKeyHistory = ConstU32<8>;
	type MaxAttestations = ConstU32<8>;
	type MaxPendingFinalizations = ConstU32<1024>;
	type MaxTransitionsPerBlock = ConstU32<64>;
	type MinPeriodLength = ConstU64<{ 2 * MILLI_SECS_PER_BLOCK }>;
	type MinReportAge = ConstU64<MILLI_SECS_PER_BLOCK>;
	type MinChallengeWindow = ConstU64<MILLI_SECS_PER_BLOCK>;
	type MaxDescriptionLen = ConstU32<256>;
	type MaxEntityIdLen = ConstU32<256>;
	type MaxAttributeLen = ConstU32<64>;
	type WeightInfo = pallet_citybond_kpi_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmarks::Helper;
}

#[cfg(feature = "runtime-benchmarks")]
pub(crate) mod benchmarks {
	use crate::{AccountId, Runtime};
	use pallet_citybond_identity::{
		CountryCode, Identities, IdentityInfo, IdentityStatus, InvestorCategory, Role, Roles,
	};

	/// Gives generated benchmark accounts their roles by writing identities directly, and
	/// moves `pallet_timestamp`'s clock.
	pub struct Helper;

	fn grant(who: &AccountId, role: Role) {
		Identities::<Runtime>::mutate(who, |identity| match identity {
			Some(identity) => identity.roles = identity.roles.with(role),
			None => {
				*identity = Some(IdentityInfo {
					status: IdentityStatus::Active,
					roles: Roles::from_roles(&[role]),
					lei: None,
					jurisdiction: CountryCode(*b"NL"),
					category: (role == Role::Investor).then_some(InvestorCategory::Retail),
					registered_by: None,
					claims: Default::default(),
				})
			}
		});
	}

	impl pallet_citybond_issuance::BenchmarkHelper<AccountId> for Helper {
		fn make_issuer(who: &AccountId) {
			grant(who, Role::Issuer);
		}
	}

	impl pallet_citybond_kpi_oracle::BenchmarkHelper<AccountId> for Helper {
		fn make_issuer(who: &AccountId) {
			grant(who, Role::Issuer);
		}
		fn make_auditor(who: &AccountId) {
			grant(who, Role::Auditor);
		}
		fn make_oracle_operator(who: &AccountId) {
			grant(who, Role::OracleOperator);
		}
		fn set_time(now: pallet_citybond_kpi_oracle::Moment) {
			pallet_timestamp::Now::<Runtime>::put(now);
		}
	}
}
