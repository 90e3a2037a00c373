//! Weights for `pallet_citybond_upgrades`.
//!
//! Replaced by `bench/weights.sh` with measured figures; until it has run for this pallet this is
//! its one storage write plus 20 µs.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// The weight of each call of `pallet_citybond_upgrades`.
pub trait WeightInfo {
	fn authorize_upgrade() -> Weight;
}

/// Weights with storage costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn authorize_upgrade() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same with ParityDB's storage costs, for mocks and tests.
impl WeightInfo for () {
	fn authorize_upgrade() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
