//! # CityBond runtime upgrades
//!
//! Governance, not only root, authorizes runtime upgrades.
//!
//! ## Overview
//!
//! `frame_system` upgrades a runtime in two steps: root authorizes a code hash
//! (`System::authorize_upgrade`), then anyone supplies the code
//! (`System::apply_authorized_upgrade`), which is applied only if it hashes to the authorized
//! hash, keeps the spec name and raises the spec version. On CityBond root exists only through
//! sudo in the test presets, so this pallet gives the first step to `Config::GovernanceOrigin`
//! (two thirds of the council): [`authorize_upgrade`](Pallet::authorize_upgrade). The checks of
//! the second step stay `frame_system`'s, always with the version check: governance cannot
//! downgrade the runtime or replace it with another chain's.
//!
//! ## Interface
//!
//! ### Privileged (`Config::GovernanceOrigin`)
//!
//! - [`authorize_upgrade`](Pallet::authorize_upgrade): authorize the runtime whose code hashes
//!   to `code_hash`. `System::UpgradeAuthorized` records it.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

// The FRAME macros expand into metadata code that calls `expect`.
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
		/// Authorizes upgrades.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Authorize the runtime whose code hashes to `code_hash`; anyone may then apply it with
		/// `System::apply_authorized_upgrade`, which checks the spec name and version. A later
		/// authorization replaces an earlier one.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::authorize_upgrade(), DispatchClass::Operational))]
		pub fn authorize_upgrade(origin: OriginFor<T>, code_hash: T::Hash) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			frame_system::Pallet::<T>::do_authorize_upgrade(code_hash, true);
			Ok(())
		}
	}
}
