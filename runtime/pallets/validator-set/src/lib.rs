//! # CityBond validator set
//!
//! The validators of a permissioned chain change only through governance.
//!
//! ## Overview
//!
//! This pallet keeps the set of accounts that should validate. Governance
//! (`Config::GovernanceOrigin`: on CityBond, root or two thirds of the council) adds and removes
//! them. As `pallet_session`'s `SessionManager`, it hands the set to the session pallet at the
//! next session rotation; the session pallet then moves Aura's and GRANDPA's authorities to the
//! session keys those accounts registered (`Session::set_keys`).
//!
//! ## Terminology
//!
//! - **Validator set**: [`Validators`], the accounts that should validate from the next
//!   rotation on, sorted.
//! - **Rotation**: a session ends every `Period` blocks (the runtime's `ShouldEndSession`). A set
//!   changed during session `n` is planned at the end of `n` and active from session `n + 2`,
//!   as `pallet_session` queues one session ahead; GRANDPA's authority set changes with it.
//!
//! ## Interface
//!
//! ### Privileged (`Config::GovernanceOrigin`)
//!
//! - [`add_validator`](Pallet::add_validator): add an account to the set.
//! - [`remove_validator`](Pallet::remove_validator): remove one, never below
//!   `Config::MinValidators`.
//!
//! An added validator must also register its session keys with `Session::set_keys`; a validator
//! without keys is skipped by the session pallet.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{
	dispatch::DispatchResult,
	ensure,
	traits::{EnsureOrigin, Get},
};
use sp_runtime::traits::StaticLookup;

type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

// The FRAME macros expand into metadata code that calls `expect`; the pallet's own logic lives
// outside this module, where the lint applies.
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

		/// Adds and removes validators.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most validators (at most the consensus pallets' `MaxAuthorities`).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The fewest validators; removals below it are refused, so the chain keeps producing
		/// and finalizing blocks.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The validator set, sorted: the accounts that validate from the next rotation on.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the session pallet last took it.
	#[pallet::storage]
	pub type Changed<T: Config> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of the first sessions; they must also have genesis session keys.
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut validators = self.validators.clone();
			validators.sort();
			validators.dedup();
			// An empty set is the default config (no chain runs on it); any other must meet
			// the minimum.
			assert!(
				validators.is_empty() || validators.len() >= T::MinValidators::get() as usize,
				"fewer genesis validators than MinValidators"
			);
			let validators = BoundedVec::<T::AccountId, T::MaxValidators>::try_from(validators)
				.expect("more genesis validators than MaxValidators");
			Validators::<T>::put(validators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `validator` joins the set at the next rotation.
		ValidatorAdded { validator: T::AccountId },
		/// `validator` leaves the set at the next rotation.
		ValidatorRemoved { validator: T::AccountId },
		/// The session pallet took the set for session `session`, of `validators` validators.
		ValidatorSetPlanned { session: u32, validators: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already in the set.
		AlreadyValidator,
		/// The account is not in the set.
		NotValidator,
		/// The set holds `MaxValidators` already.
		TooManyValidators,
		/// Removing it would leave fewer than `MinValidators`.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinValidators::get() > 0, "MinValidators must be > 0");
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"MinValidators must not exceed MaxValidators"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `validator` to the set; it validates from the next rotation on, once it has
		/// registered session keys.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator())]
		pub fn add_validator(
			origin: OriginFor<T>,
			validator: AccountIdLookupOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let validator = T::Lookup::lookup(validator)?;
			Self::do_add_validator(validator)
		}

		/// Remove `validator` from the set at the next rotation.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator())]
		pub fn remove_validator(
			origin: OriginFor<T>,
			validator: AccountIdLookupOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let validator = T::Lookup::lookup(validator)?;
			Self::do_remove_validator(validator)
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The current validator set.
	pub fn validators() -> Vec<T::AccountId> {
		Validators::<T>::get().into_inner()
	}

	fn do_add_validator(validator: T::AccountId) -> DispatchResult {
		let mut set = Validators::<T>::get();
		let Err(index) = set.binary_search(&validator) else {
			return Err(Error::<T>::AlreadyValidator.into());
		};
		set.try_insert(index, validator.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
		Validators::<T>::put(set);
		Changed::<T>::put(true);
		Self::deposit_event(Event::ValidatorAdded { validator });
		Ok(())
	}

	fn do_remove_validator(validator: T::AccountId) -> DispatchResult {
		let mut set = Validators::<T>::get();
		let index = set.binary_search(&validator).map_err(|_| Error::<T>::NotValidator)?;
		ensure!(
			u32::try_from(set.len()).unwrap_or(u32::MAX) > T::MinValidators::get(),
			Error::<T>::TooFewValidators
		);
		set.remove(index);
		Validators::<T>::put(set);
		Changed::<T>::put(true);
		Self::deposit_event(Event::ValidatorRemoved { validator });
		Ok(())
	}

	/// Invariants: the set is sorted without duplicates and within its bounds.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let set = Validators::<T>::get();
		ensure!(
			set.windows(2).all(|pair| pair[0] < pair[1]),
			"validators not sorted or duplicated"
		);
		ensure!(
			u32::try_from(set.len()).unwrap_or(u32::MAX) >= T::MinValidators::get(),
			"fewer validators than MinValidators"
		);
		Ok(())
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: u32) -> Option<Vec<T::AccountId>> {
		if !Changed::<T>::take() {
			return None;
		}
		let validators = Self::validators();
		Self::deposit_event(Event::ValidatorSetPlanned {
			session: new_index,
			validators: u32::try_from(validators.len()).unwrap_or(u32::MAX),
		});
		Some(validators)
	}

	fn new_session_genesis(_new_index: u32) -> Option<Vec<T::AccountId>> {
		Some(Self::validators())
	}

	fn end_session(_end_index: u32) {}

	fn start_session(_start_index: u32) {}
}
