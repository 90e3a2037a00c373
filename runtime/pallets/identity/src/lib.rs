//! # CityBond identity and roles registry
//!
//! Who may take part on the CityBond chain, in which roles, and what has been attested about them.
//!
//! ## Overview
//!
//! Every participant of a green bond (the issuing municipality, investors, auditors, the operators
//! of KPI oracles, paying agents) acts from an account that carries an identity. An identity holds:
//!
//! - its [`Roles`]: any of [`Role::Registrar`], [`Role::Issuer`], [`Role::Investor`],
//!   [`Role::Auditor`], [`Role::OracleOperator`] and [`Role::SettlementAgent`];
//! - for organisations, a legal entity identifier ([`Lei`], ISO 17442, check digits verified);
//! - a jurisdiction ([`CountryCode`], an officially assigned ISO 3166-1 alpha-2 code);
//! - for investors, and only for them, an [`InvestorCategory`];
//! - [`Claim`]s (KYC, accreditation, residency, or custom), each attested by a registrar and
//!   valid until its expiry;
//! - a status: [`IdentityStatus::Active`], `Suspended` or `Revoked` (terminal).
//!
//! Registrars write identities; governance appoints and removes registrars. Other pallets, runtime
//! APIs and the contracts chain extension read through [`Pallet::is_active`],
//! [`Pallet::has_role`], [`Pallet::claim_valid`], [`Pallet::jurisdiction`] and
//! [`Pallet::category`], or gate on [`ActiveIdentities`]. The transaction extension
//! [`CheckIdentity`] refuses signed transactions from accounts without an active identity.
//!
//! ## Terminology
//!
//! - **Identity**: the [`IdentityInfo`] record of an account, kept in [`Identities`].
//! - **Active**: an identity whose status is `Active`. Every read helper answers as if identities
//!   that are not active did not exist: a suspended investor has no role, no valid claim, no
//!   jurisdiction and no category until it is reactivated. The full record stays readable from
//!   [`Identities`].
//! - **Registrar**: an account in [`Registrars`]. Its identity is active and holds
//!   [`Role::Registrar`]; the role cannot be granted any other way.
//! - **Claim**: an attestation with an expiry. A claim that has expired or was revoked counts as
//!   absent; nobody needs to remove it (queries take `now`).
//! - **Governance**: whatever `Config::GovernanceOrigin` admits (root, a council, ...).
//!
//! ## Design
//!
//! - **Storage**: one [`IdentityInfo`] per account in the counted map [`Identities`], claims
//!   inside it (at most `MaxClaims`, one per kind), so every check is a single read. Registrars
//!   are a sorted bounded list, [`Registrars`] (at most `MaxRegistrars`), cheap to list and to
//!   search; each registrar's identity mirrors the membership with the `Registrar` role bit, so
//!   `has_role(who, Registrar)` agrees with the list. `try_state` checks that they agree.
//! - **Time**: `Config::Time` is a [`UnixTime`]; the pallet works in milliseconds since the Unix
//!   epoch ([`Moment`]), which is what claim expiries are written in, whatever the runtime's
//!   block time or `pallet_timestamp::Moment` type.
//! - **Registrars stay under governance**: registrars cannot touch a registrar's identity (set its
//!   roles, suspend or revoke it, attest claims about it), so no single registrar can shut the
//!   others out; governance removes a registrar first, after which its identity is an ordinary
//!   one. Appointing an account without an identity registers one for it, with the legal details
//!   governance gives, so governance can always appoint a registrar, even when none is left.
//!
//! ## Interface
//!
//! ### Permissionless
//!
//! None: registering is done for an account, not by it. The read helpers are plain functions.
//!
//! ### Permissioned (a signed registrar)
//!
//! - [`register_identity`](Pallet::register_identity): register an account's identity.
//! - [`set_roles`](Pallet::set_roles): replace an identity's roles and investor category.
//! - [`add_claim`](Pallet::add_claim): attest, or renew, a claim with an expiry.
//! - [`revoke_claim`](Pallet::revoke_claim): withdraw a claim before it expires.
//! - [`suspend`](Pallet::suspend) and [`reactivate`](Pallet::reactivate): freeze and unfreeze.
//! - [`revoke`](Pallet::revoke): withdraw an identity for good.
//!
//! ### Privileged (`Config::GovernanceOrigin`)
//!
//! - [`appoint_registrar`](Pallet::appoint_registrar): make an account a registrar.
//! - [`remove_registrar`](Pallet::remove_registrar): take the registrar role away.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod extension;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::{CheckIdentity, IDENTITY_REQUIRED};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchResult,
	ensure,
	traits::{Contains, UnixTime},
	BoundedVec,
};
use sp_runtime::{traits::StaticLookup, DispatchError};

type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

// The FRAME macros expand `#[pallet::pallet]`, `#[pallet::storage]` and `#[pallet::error]` into
// metadata code that calls `expect`; clippy attributes it to these lines. The pallet's own logic
// lives outside this module (`impl<T: Config> Pallet<T>` below), where the lint applies.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Appoints and removes registrars.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Wall-clock time, for claim expiry. Usually `pallet_timestamp::Pallet<Runtime>`.
		type Time: UnixTime;

		/// Accounts that may sign transactions without an identity (see [`CheckIdentity`]), e.g.
		/// the sudo key or a governance bootstrap account.
		type IdentityExempt: Contains<Self::AccountId>;

		/// Accounts holding a governance office (the council's members): registrars may not
		/// suspend or revoke their identities, since one registrar could otherwise disable
		/// governance by suspending a third of the council. Governance removes a member from
		/// office first; then registrars manage its identity like any other.
		type Governors: Contains<Self::AccountId>;

		/// The most registrars at once.
		#[pallet::constant]
		type MaxRegistrars: Get<u32>;

		/// The most claims one identity holds.
		#[pallet::constant]
		type MaxClaims: Get<u32>;

		/// The longest id of a custom claim, in bytes.
		#[pallet::constant]
		type MaxCustomClaimIdLen: Get<u32>;

		/// Weights of this pallet's calls and of [`CheckIdentity`].
		type WeightInfo: WeightInfo;
	}

	/// The identity of each registered account, whatever its status.
	#[pallet::storage]
	pub type Identities<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, IdentityInfo<T>, OptionQuery>;

	/// The registrars, sorted, without duplicates.
	#[pallet::storage]
	pub type Registrars<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxRegistrars>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Registrars to appoint, each with the legal details of its identity.
		pub registrars: Vec<GenesisRegistrar<T>>,
		/// Identities to register, each by one of `registrars`.
		pub identities: Vec<GenesisIdentity<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A chain spec that breaks the registry's rules must not produce a chain, so genesis
			// goes through the same checks as the calls and stops at the first failure.
			for registrar in &self.registrars {
				if let Err(error) = Pallet::<T>::do_appoint_registrar(
					registrar.account.clone(),
					registrar.lei,
					registrar.jurisdiction,
				) {
					panic!("genesis registrar {:?} rejected: {:?}", registrar.account, error);
				}
			}
			for identity in &self.identities {
				if let Err(error) = Pallet::<T>::do_register_identity(
					&identity.registrar,
					identity.account.clone(),
					identity.lei,
					identity.jurisdiction,
					identity.category,
					Roles::from_roles(&identity.roles),
				) {
					panic!("genesis identity {:?} rejected: {:?}", identity.account, error);
				}
				for (kind, expiry) in &identity.claims {
					// Expiries are checked against the Unix epoch: there is no clock at genesis.
					if let Err(error) = Pallet::<T>::do_add_claim(
						&identity.registrar,
						identity.account.clone(),
						kind.clone(),
						*expiry,
						0,
					) {
						panic!("genesis claim of {:?} rejected: {:?}", identity.account, error);
					}
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An identity was registered, active, by `registrar` (`None`: by governance).
		IdentityRegistered {
			account: T::AccountId,
			registrar: Option<T::AccountId>,
			roles: Roles,
			lei: Option<Lei>,
			jurisdiction: CountryCode,
			category: Option<InvestorCategory>,
		},
		/// An identity's roles and investor category were replaced.
		RolesSet {
			account: T::AccountId,
			registrar: T::AccountId,
			roles: Roles,
			category: Option<InvestorCategory>,
		},
		/// A claim was attested, or renewed, valid until `expiry` (ms since the Unix epoch).
		ClaimAdded {
			account: T::AccountId,
			registrar: T::AccountId,
			kind: ClaimKindOf<T>,
			expiry: Moment,
		},
		/// A claim was withdrawn before its expiry.
		ClaimRevoked { account: T::AccountId, registrar: T::AccountId, kind: ClaimKindOf<T> },
		/// An identity was suspended: status `Suspended`.
		IdentitySuspended { account: T::AccountId, registrar: T::AccountId },
		/// A suspended identity was reactivated: status `Active`.
		IdentityReactivated { account: T::AccountId, registrar: T::AccountId },
		/// An identity was revoked for good: status `Revoked`.
		IdentityRevoked { account: T::AccountId, registrar: T::AccountId },
		/// An account became a registrar; its identity now has these roles and legal details.
		RegistrarAppointed {
			account: T::AccountId,
			roles: Roles,
			lei: Option<Lei>,
			jurisdiction: CountryCode,
		},
		/// An account stopped being a registrar; its identity keeps these roles, still active.
		RegistrarRemoved { account: T::AccountId, roles: Roles },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not a registrar.
		NotRegistrar,
		/// The account already has an identity (revoked identities count: revocation is final).
		AlreadyRegistered,
		/// The account has no identity.
		UnknownIdentity,
		/// The identity is revoked; nothing can change it any more.
		IdentityRevoked,
		/// The identity is suspended.
		IdentitySuspended,
		/// The identity is already suspended.
		AlreadySuspended,
		/// The identity is not suspended, so there is nothing to reactivate.
		NotSuspended,
		/// The LEI is not 18 uppercase alphanumeric characters followed by two digits.
		MalformedLei,
		/// The LEI's check digits are wrong (ISO 7064 MOD 97-10).
		LeiChecksumMismatch,
		/// The country code is not two uppercase ASCII letters.
		MalformedCountryCode,
		/// The country code is not an officially assigned ISO 3166-1 alpha-2 code.
		UnassignedCountryCode,
		/// The roles have bits set that stand for no role.
		UnknownRoleBits,
		/// The `Registrar` role is granted only by appointing a registrar.
		RegistrarRoleReserved,
		/// An investor category was given, but the roles do not include `Investor`.
		CategoryWithoutInvestorRole,
		/// The roles include `Investor`, but no investor category was given.
		InvestorCategoryMissing,
		/// Registrars' identities are managed by governance, not by registrars.
		TargetIsRegistrar,
		/// The identity's account holds a governance office (a council seat): governance
		/// removes it from office before a registrar may suspend or revoke it.
		TargetIsGovernor,
		/// The identity already holds `MaxClaims` claims that are still valid.
		TooManyClaims,
		/// The claim's expiry is not after the current time.
		ClaimExpiryInPast,
		/// A custom claim needs a non-empty id.
		EmptyCustomClaimId,
		/// The identity has no claim of this kind.
		UnknownClaim,
		/// The claim has already expired.
		ClaimExpired,
		/// The claim has already been revoked.
		ClaimAlreadyRevoked,
		/// The account is already a registrar.
		AlreadyRegistrar,
		/// There are already `MaxRegistrars` registrars.
		TooManyRegistrars,
		/// The account is not a registrar, so it cannot be removed as one.
		UnknownRegistrar,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxRegistrars::get() > 0, "MaxRegistrars must allow one registrar");
			assert!(T::MaxClaims::get() > 0, "MaxClaims must allow one claim");
			assert!(T::MaxCustomClaimIdLen::get() > 0, "MaxCustomClaimIdLen must allow one byte");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register `account`'s identity, active, with the given legal details and roles.
		///
		/// The origin must be a signed registrar. `category` is required exactly when `roles`
		/// include `Investor`; `roles` must not include `Registrar`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_identity())]
		pub fn register_identity(
			origin: OriginFor<T>,
			account: AccountIdLookupOf<T>,
			lei: Option<Lei>,
			jurisdiction: CountryCode,
			category: Option<InvestorCategory>,
			roles: Roles,
		) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_register_identity(&registrar, account, lei, jurisdiction, category, roles)
		}

		/// Replace the roles and investor category of `account`'s identity.
		///
		/// The origin must be a signed registrar. Works on suspended identities too.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_roles())]
		pub fn set_roles(
			origin: OriginFor<T>,
			account: AccountIdLookupOf<T>,
			roles: Roles,
			category: Option<InvestorCategory>,
		) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_set_roles(&registrar, account, roles, category)
		}

		/// Attest a claim about `account`, valid until `expiry` (ms since the Unix epoch).
		///
		/// The origin must be a signed registrar. A claim of the same kind is replaced: this is
		/// how claims are renewed. When the identity's claims are full, expired and revoked ones
		/// make room.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::add_claim())]
		pub fn add_claim(
			origin: OriginFor<T>,
			account: AccountIdLookupOf<T>,
			kind: ClaimKindOf<T>,
			expiry: Moment,
		) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_add_claim(&registrar, account, kind, expiry, Self::now())
		}

		/// Withdraw `account`'s claim of `kind` before it expires.
		///
		/// The origin must be a signed registrar.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::revoke_claim())]
		pub fn revoke_claim(
			origin: OriginFor<T>,
			account: AccountIdLookupOf<T>,
			kind: ClaimKindOf<T>,
		) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_revoke_claim(&registrar, account, kind, Self::now())
		}

		/// Suspend `account`'s identity: it keeps its record but counts as absent.
		///
		/// The origin must be a signed registrar.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, account: AccountIdLookupOf<T>) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_suspend(&registrar, account)
		}

		/// Reactivate `account`'s suspended identity.
		///
		/// The origin must be a signed registrar.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::reactivate())]
		pub fn reactivate(origin: OriginFor<T>, account: AccountIdLookupOf<T>) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_reactivate(&registrar, account)
		}

		/// Revoke `account`'s identity for good. The account can never be registered again.
		///
		/// The origin must be a signed registrar.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(origin: OriginFor<T>, account: AccountIdLookupOf<T>) -> DispatchResult {
			let registrar = ensure_signed(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_revoke(&registrar, account)
		}

		/// Make `account` a registrar, with these legal details on its identity.
		///
		/// The origin must be `GovernanceOrigin`. An account without an identity gets one,
		/// holding only the `Registrar` role; an active identity gets the role added and its LEI
		/// and jurisdiction replaced.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::appoint_registrar())]
		pub fn appoint_registrar(
			origin: OriginFor<T>,
			account: AccountIdLookupOf<T>,
			lei: Option<Lei>,
			jurisdiction: CountryCode,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_appoint_registrar(account, lei, jurisdiction)
		}

		/// Stop `account` being a registrar. Its identity stays, active, without the role.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::remove_registrar())]
		pub fn remove_registrar(
			origin: OriginFor<T>,
			account: AccountIdLookupOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let account = T::Lookup::lookup(account)?;
			Self::do_remove_registrar(account)
		}
	}
}

// Read helpers, for other pallets, runtime APIs and the contracts chain extension.
impl<T: Config> Pallet<T> {
	/// The current time in milliseconds since the Unix epoch.
	pub fn now() -> Moment {
		Moment::try_from(T::Time::now().as_millis()).unwrap_or(Moment::MAX)
	}

	/// Whether `who` has an active identity.
	pub fn is_active(who: &T::AccountId) -> bool {
		Self::active_identity(who).is_some()
	}

	/// Whether `who` has an active identity holding `role`.
	pub fn has_role(who: &T::AccountId, role: Role) -> bool {
		Self::active_identity(who).is_some_and(|identity| identity.roles.contains(role))
	}

	/// Whether `who` has an active identity with a claim of `kind` that is neither revoked nor
	/// expired at `now` (ms since the Unix epoch; see [`Pallet::now`]).
	pub fn claim_valid(who: &T::AccountId, kind: &ClaimKindOf<T>, now: Moment) -> bool {
		Self::active_identity(who).is_some_and(|identity| {
			identity.claims.iter().any(|claim| &claim.kind == kind && claim.is_valid_at(now))
		})
	}

	/// The jurisdiction of `who`'s active identity.
	pub fn jurisdiction(who: &T::AccountId) -> Option<[u8; 2]> {
		Self::active_identity(who).map(|identity| identity.jurisdiction.0)
	}

	/// The investor category of `who`'s active identity.
	pub fn category(who: &T::AccountId) -> Option<InvestorCategory> {
		Self::active_identity(who).and_then(|identity| identity.category)
	}

	/// Whether `who` is a registrar.
	pub fn is_registrar(who: &T::AccountId) -> bool {
		Registrars::<T>::get().binary_search(who).is_ok()
	}

	/// Whether `who` may sign transactions: it is exempt, or has an active identity.
	pub fn may_transact(who: &T::AccountId) -> bool {
		T::IdentityExempt::contains(who) || Self::is_active(who)
	}

	fn active_identity(who: &T::AccountId) -> Option<IdentityInfo<T>> {
		Identities::<T>::get(who).filter(|identity| identity.status == IdentityStatus::Active)
	}
}

// The logic of the calls: check everything, then write.
impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_identity(
		registrar: &T::AccountId,
		account: T::AccountId,
		lei: Option<Lei>,
		jurisdiction: CountryCode,
		category: Option<InvestorCategory>,
		roles: Roles,
	) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		ensure!(!Identities::<T>::contains_key(&account), Error::<T>::AlreadyRegistered);
		Self::ensure_grantable(roles, category)?;
		Self::ensure_valid_lei(lei.as_ref())?;
		Self::ensure_valid_jurisdiction(&jurisdiction)?;

		let identity = IdentityInfo {
			status: IdentityStatus::Active,
			roles,
			lei,
			jurisdiction,
			category,
			registered_by: Some(registrar.clone()),
			claims: BoundedVec::new(),
		};
		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::IdentityRegistered {
			account,
			registrar: Some(registrar.clone()),
			roles,
			lei,
			jurisdiction,
			category,
		});
		Ok(())
	}

	pub(crate) fn do_set_roles(
		registrar: &T::AccountId,
		account: T::AccountId,
		roles: Roles,
		category: Option<InvestorCategory>,
	) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		let mut identity = Self::identity_managed_by_registrars(&account)?;
		Self::ensure_grantable(roles, category)?;

		identity.roles = roles;
		identity.category = category;
		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::RolesSet {
			account,
			registrar: registrar.clone(),
			roles,
			category,
		});
		Ok(())
	}

	pub(crate) fn do_add_claim(
		registrar: &T::AccountId,
		account: T::AccountId,
		kind: ClaimKindOf<T>,
		expiry: Moment,
		now: Moment,
	) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		if let ClaimKind::Custom(id) = &kind {
			ensure!(!id.is_empty(), Error::<T>::EmptyCustomClaimId);
		}
		ensure!(expiry > now, Error::<T>::ClaimExpiryInPast);
		let mut identity = Self::identity_managed_by_registrars(&account)?;

		let claim = Claim { kind: kind.clone(), issuer: registrar.clone(), expiry, revoked: false };
		if let Some(existing) = identity.claims.iter_mut().find(|existing| existing.kind == kind) {
			*existing = claim;
		} else {
			if identity.claims.is_full() {
				identity.claims.retain(|existing| existing.is_valid_at(now));
			}
			identity.claims.try_push(claim).map_err(|_| Error::<T>::TooManyClaims)?;
		}

		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::ClaimAdded {
			account,
			registrar: registrar.clone(),
			kind,
			expiry,
		});
		Ok(())
	}

	pub(crate) fn do_revoke_claim(
		registrar: &T::AccountId,
		account: T::AccountId,
		kind: ClaimKindOf<T>,
		now: Moment,
	) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		let mut identity = Self::identity_managed_by_registrars(&account)?;
		let claim = identity
			.claims
			.iter_mut()
			.find(|claim| claim.kind == kind)
			.ok_or(Error::<T>::UnknownClaim)?;
		ensure!(!claim.revoked, Error::<T>::ClaimAlreadyRevoked);
		ensure!(now < claim.expiry, Error::<T>::ClaimExpired);

		claim.revoked = true;
		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::ClaimRevoked { account, registrar: registrar.clone(), kind });
		Ok(())
	}

	pub(crate) fn do_suspend(registrar: &T::AccountId, account: T::AccountId) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		let mut identity = Self::identity_managed_by_registrars(&account)?;
		ensure!(!T::Governors::contains(&account), Error::<T>::TargetIsGovernor);
		ensure!(identity.status != IdentityStatus::Suspended, Error::<T>::AlreadySuspended);

		identity.status = IdentityStatus::Suspended;
		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::IdentitySuspended { account, registrar: registrar.clone() });
		Ok(())
	}

	pub(crate) fn do_reactivate(registrar: &T::AccountId, account: T::AccountId) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		let mut identity = Self::identity_managed_by_registrars(&account)?;
		ensure!(identity.status == IdentityStatus::Suspended, Error::<T>::NotSuspended);

		identity.status = IdentityStatus::Active;
		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::IdentityReactivated { account, registrar: registrar.clone() });
		Ok(())
	}

	pub(crate) fn do_revoke(registrar: &T::AccountId, account: T::AccountId) -> DispatchResult {
		Self::ensure_registrar(registrar)?;
		let mut identity = Self::identity_managed_by_registrars(&account)?;
		ensure!(!T::Governors::contains(&account), Error::<T>::TargetIsGovernor);

		identity.status = IdentityStatus::Revoked;
		Identities::<T>::insert(&account, identity);
		Self::deposit_event(Event::IdentityRevoked { account, registrar: registrar.clone() });
		Ok(())
	}

	pub(crate) fn do_appoint_registrar(
		account: T::AccountId,
		lei: Option<Lei>,
		jurisdiction: CountryCode,
	) -> DispatchResult {
		Self::ensure_valid_lei(lei.as_ref())?;
		Self::ensure_valid_jurisdiction(&jurisdiction)?;
		let mut registrars = Registrars::<T>::get();
		let position = match registrars.binary_search(&account) {
			Ok(_) => return Err(Error::<T>::AlreadyRegistrar.into()),
			Err(position) => position,
		};
		let existing = Identities::<T>::get(&account);
		let created = existing.is_none();
		let identity = match existing {
			None => IdentityInfo {
				status: IdentityStatus::Active,
				roles: Roles::from(Role::Registrar),
				lei,
				jurisdiction,
				category: None,
				registered_by: None,
				claims: BoundedVec::new(),
			},
			Some(mut identity) => {
				match identity.status {
					IdentityStatus::Active => {}
					IdentityStatus::Suspended => return Err(Error::<T>::IdentitySuspended.into()),
					IdentityStatus::Revoked => return Err(Error::<T>::IdentityRevoked.into()),
				}
				identity.roles = identity.roles.with(Role::Registrar);
				identity.lei = lei;
				identity.jurisdiction = jurisdiction;
				identity
			}
		};
		registrars
			.try_insert(position, account.clone())
			.map_err(|_| Error::<T>::TooManyRegistrars)?;

		let roles = identity.roles;
		Registrars::<T>::put(registrars);
		Identities::<T>::insert(&account, identity);
		if created {
			Self::deposit_event(Event::IdentityRegistered {
				account: account.clone(),
				registrar: None,
				roles,
				lei,
				jurisdiction,
				category: None,
			});
		}
		Self::deposit_event(Event::RegistrarAppointed { account, roles, lei, jurisdiction });
		Ok(())
	}

	pub(crate) fn do_remove_registrar(account: T::AccountId) -> DispatchResult {
		let mut registrars = Registrars::<T>::get();
		let position =
			registrars.binary_search(&account).map_err(|_| Error::<T>::UnknownRegistrar)?;
		let identity = Identities::<T>::get(&account).map(|mut identity| {
			identity.roles = identity.roles.without(Role::Registrar);
			identity
		});

		registrars.remove(position);
		Registrars::<T>::put(registrars);
		let roles = identity.as_ref().map_or(Roles::empty(), |identity| identity.roles);
		if let Some(identity) = identity {
			Identities::<T>::insert(&account, identity);
		}
		Self::deposit_event(Event::RegistrarRemoved { account, roles });
		Ok(())
	}

	fn ensure_registrar(who: &T::AccountId) -> DispatchResult {
		ensure!(Self::is_registrar(who), Error::<T>::NotRegistrar);
		Ok(())
	}

	/// The identity of `account`, if registrars may change it: it exists, is not revoked, and is
	/// not a registrar's.
	fn identity_managed_by_registrars(
		account: &T::AccountId,
	) -> Result<IdentityInfo<T>, DispatchError> {
		let identity = Identities::<T>::get(account).ok_or(Error::<T>::UnknownIdentity)?;
		ensure!(identity.status != IdentityStatus::Revoked, Error::<T>::IdentityRevoked);
		ensure!(!identity.roles.contains(Role::Registrar), Error::<T>::TargetIsRegistrar);
		Ok(identity)
	}

	/// Registrars may grant `roles` with `category`: known roles only, not `Registrar`, and a
	/// category exactly for investors.
	fn ensure_grantable(roles: Roles, category: Option<InvestorCategory>) -> DispatchResult {
		ensure!(roles.is_valid(), Error::<T>::UnknownRoleBits);
		ensure!(!roles.contains(Role::Registrar), Error::<T>::RegistrarRoleReserved);
		match (roles.contains(Role::Investor), category.is_some()) {
			(true, false) => Err(Error::<T>::InvestorCategoryMissing.into()),
			(false, true) => Err(Error::<T>::CategoryWithoutInvestorRole.into()),
			_ => Ok(()),
		}
	}

	fn ensure_valid_lei(lei: Option<&Lei>) -> DispatchResult {
		match lei.map(Lei::validate) {
			Some(Err(LeiError::ChecksumMismatch)) => Err(Error::<T>::LeiChecksumMismatch.into()),
			Some(Err(LeiError::WrongLength | LeiError::InvalidCharacter)) => {
				Err(Error::<T>::MalformedLei.into())
			}
			Some(Ok(())) | None => Ok(()),
		}
	}

	fn ensure_valid_jurisdiction(jurisdiction: &CountryCode) -> DispatchResult {
		jurisdiction.validate().map_err(|error| match error {
			CountryCodeError::Malformed => Error::<T>::MalformedCountryCode.into(),
			CountryCodeError::Unassigned => Error::<T>::UnassignedCountryCode.into(),
		})
	}

	/// Checks the registry's invariants:
	///
	/// - registrars are sorted and unique, and each has an active identity with the `Registrar`
	///   role; no other identity holds that role;
	/// - every identity has known roles, a category exactly when it is an investor, a valid
	///   jurisdiction and LEI, and at most one claim per kind;
	/// - the identity counter matches the number of identities.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let registrars = Registrars::<T>::get();
		ensure!(
			registrars.windows(2).all(|pair| pair[0] < pair[1]),
			"registrars are not sorted and unique"
		);
		for registrar in registrars.iter() {
			let identity = Identities::<T>::get(registrar).ok_or("registrar without identity")?;
			ensure!(identity.status == IdentityStatus::Active, "registrar identity not active");
			ensure!(identity.roles.contains(Role::Registrar), "registrar without Registrar role");
		}

		let mut identities: u32 = 0;
		let mut holding_registrar_role: usize = 0;
		for (_, identity) in Identities::<T>::iter() {
			identities = identities.saturating_add(1);
			if identity.roles.contains(Role::Registrar) {
				holding_registrar_role = holding_registrar_role.saturating_add(1);
			}
			ensure!(identity.roles.is_valid(), "identity with unknown role bits");
			ensure!(
				identity.roles.contains(Role::Investor) == identity.category.is_some(),
				"investor category set for a non-investor, or missing for an investor"
			);
			ensure!(identity.jurisdiction.validate().is_ok(), "identity with invalid jurisdiction");
			ensure!(
				identity.lei.is_none_or(|lei| lei.validate().is_ok()),
				"identity with invalid LEI"
			);
			for (index, claim) in identity.claims.iter().enumerate() {
				ensure!(
					identity
						.claims
						.iter()
						.skip(index.saturating_add(1))
						.all(|c| c.kind != claim.kind),
					"two claims of the same kind"
				);
			}
		}
		ensure!(
			holding_registrar_role == registrars.len(),
			"Registrar role held by an account that is not a registrar"
		);
		ensure!(identities == Identities::<T>::count(), "identity counter out of sync");
		Ok(())
	}
}

/// The accounts with an active identity, for gating with [`Contains`] (e.g. in a call filter).
pub struct ActiveIdentities<T>(PhantomData<T>);

impl<T: Config> Contains<T::AccountId> for ActiveIdentities<T> {
	fn contains(who: &T::AccountId) -> bool {
		Pallet::<T>::is_active(who)
	}
}
