//! Weights for `pallet_citybond_identity`.
//!
//! PLACEHOLDERS WRITTEN BY HAND, NOT MEASURED. Regenerate this file before production with
//! `benchmark pallet` on the reference hardware, e.g.:
//!
//! ```text
//! citybond-node benchmark pallet --runtime <citybond_runtime.wasm> \
//!     --pallet pallet_citybond_identity --extrinsic '*' --steps 50 --repeat 20 \
//!     --output runtime/pallets/identity/src/weights.rs \
//!     --template <polkadot-sdk>/substrate/.maintain/frame-weight-template.hbs
//! ```
//!
//! Until then the figures below are deliberately generous guesses: each call's storage accesses
//! are counted from the code (worst case: full registrar list, an identity with `MaxClaims`
//! claims), plus a flat 50 µs of computation and a proof size sized for an identity record with
//! 16 claims and a list of 32 registrars.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_citybond_identity`.
pub trait WeightInfo {
	fn register_identity() -> Weight;
	fn set_roles() -> Weight;
	fn add_claim() -> Weight;
	fn revoke_claim() -> Weight;
	fn suspend() -> Weight;
	fn reactivate() -> Weight;
	fn revoke() -> Weight;
	fn appoint_registrar() -> Weight;
	fn remove_registrar() -> Weight;
	fn check_identity() -> Weight;
}

/// Weights for `pallet_citybond_identity` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	/// Storage: `Identity::CounterForIdentities` (r:1 w:1)
	fn register_identity() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn set_roles() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn add_claim() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn revoke_claim() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn suspend() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn reactivate() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn revoke() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:1)
	/// Storage: `Identity::Identities` (r:1 w:1)
	/// Storage: `Identity::CounterForIdentities` (r:1 w:1)
	fn appoint_registrar() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:1)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn remove_registrar() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Identity::Identities` (r:1 w:0)
	fn check_identity() -> Weight {
		Weight::from_parts(10_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	/// Storage: `Identity::CounterForIdentities` (r:1 w:1)
	fn register_identity() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn set_roles() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn add_claim() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn revoke_claim() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn suspend() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn reactivate() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn revoke() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:1)
	/// Storage: `Identity::Identities` (r:1 w:1)
	/// Storage: `Identity::CounterForIdentities` (r:1 w:1)
	fn appoint_registrar() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage: `Identity::Registrars` (r:1 w:1)
	/// Storage: `Identity::Identities` (r:1 w:1)
	fn remove_registrar() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	/// Storage: `Identity::Identities` (r:1 w:0)
	fn check_identity() -> Weight {
		Weight::from_parts(10_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
	}
}
