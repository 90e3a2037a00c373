//! Weights for `pallet_citybond_issuance`.
//!
//! NOT YET MEASURED on this machine: these are the upgrades pallet's measured storage-write
//! figure (6.9 µs plus the writes) and the identity pallet's measured read costs, applied to the
//! reads and writes each call does. `bench/weights.sh` lists this pallet; run it (a
//! `runtime-benchmarks` node build) to replace this file with measurements.
//! `instantiate_checks` is what `instantiate` adds to `pallet-contracts`' own benchmarked
//! `instantiate` weight (which the runtime adds, with the caller's gas limit).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs, dead_code)]
#![allow(clippy::unnecessary_cast, clippy::identity_op)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// The weight of each call of `pallet_citybond_issuance`.
pub trait WeightInfo {
	fn approve_code(l: u32) -> Weight;
	fn revoke_code() -> Weight;
	fn instantiate_checks() -> Weight;
}

/// Estimated weights, with storage costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Issuance::ApprovedCode` (r:1 w:1), `Issuance::ApprovedCount` (r:1 w:1)
	/// Proof: `Issuance::ApprovedCode` (`max_size`: Some(133)), `Issuance::ApprovedCount` (4)
	fn approve_code(l: u32) -> Weight {
		Weight::from_parts(12_000_000, 3_600)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(l.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Issuance::ApprovedCode` (r:1 w:1), `Issuance::ApprovedCount` (r:1 w:1)
	fn revoke_code() -> Weight {
		Weight::from_parts(12_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Identity::Identities` (r:1 w:0), `Issuance::ApprovedCode` (r:1 w:0)
	/// Proof: `Identity::Identities` (`max_size`: Some(709))
	fn instantiate_checks() -> Weight {
		Weight::from_parts(15_000_000, 4_700)
			.saturating_add(T::DbWeight::get().reads(2_u64))
	}
}

/// The same estimates with ParityDB's storage costs, for mocks and tests.
impl WeightInfo for () {
	fn approve_code(l: u32) -> Weight {
		Weight::from_parts(12_000_000, 3_600)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(l.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn revoke_code() -> Weight {
		Weight::from_parts(12_000_000, 3_600)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn instantiate_checks() -> Weight {
		Weight::from_parts(15_000_000, 4_700)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
	}
}
