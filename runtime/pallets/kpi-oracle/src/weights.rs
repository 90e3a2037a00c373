//! Weights for `pallet_citybond_kpi_oracle`.
//!
//! PLACEHOLDERS WRITTEN BY HAND, NOT MEASURED. Regenerate this file before production with
//! `benchmark pallet` on the reference hardware, e.g.:
//!
//! ```text
//! citybond-node benchmark pallet --runtime <citybond_runtime.wasm> \
//!     --pallet pallet_citybond_kpi_oracle --extrinsic '*' --steps 50 --repeat 20 \
//!     --output runtime/pallets/kpi-oracle/src/weights.rs \
//!     --template <polkadot-sdk>/substrate/.maintain/frame-weight-template.hbs
//! ```
//!
//! Until then the figures below are deliberately generous guesses: each call's storage accesses
//! are counted from the code in its worst case (a feed with `MaxOperatorsPerFeed` operators, a
//! KPI with full outlier and attestation lists, full queues), plus a flat computation time
//! (50 µs per call, 100 µs for a report, whose ed25519 verification alone is about 50 µs), and a
//! proof size sized for a feed of 32 operators and queues of 256 entries.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_citybond_kpi_oracle`.
pub trait WeightInfo {
	fn create_feed(o: u32, ) -> Weight;
	fn add_operator() -> Weight;
	fn retire_operator() -> Weight;
	fn rotate_key() -> Weight;
	fn submit_report() -> Weight;
	fn submit_report_reaching_quorum() -> Weight;
	fn attest() -> Weight;
	fn dispute() -> Weight;
	fn resolve_dispute() -> Weight;
	fn settle() -> Weight;
	fn process_due(d: u32, f: u32, ) -> Weight;
}

/// Weights for `pallet_citybond_kpi_oracle` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `KpiOracle::CounterForFeeds` (r:1 w:1)
	/// Storage: `KpiOracle::NextFeedId` (r:1 w:1)
	/// Storage: `KpiOracle::DeadlineQueue` (r:1 w:1)
	/// Storage: `KpiOracle::NextDue` (r:1 w:1)
	/// Storage: `KpiOracle::Feeds` (r:0 w:1)
	/// Storage: `KpiOracle::KeyOwners` (r:o w:o)
	/// Storage: `KpiOracle::FeedOperators` (r:0 w:o)
	/// The range of component `o` is `[1, MaxOperatorsPerFeed]`.
	fn create_feed(o: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 8_000)
			.saturating_add(Weight::from_parts(5_000_000, 3_000).saturating_mul(o.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(o.into())))
			.saturating_add(T::DbWeight::get().writes(5_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(o.into())))
	}
	/// Storage: `KpiOracle::Feeds` (r:1 w:1)
	/// Storage: `KpiOracle::FeedOperators` (r:1 w:1)
	/// Storage: `KpiOracle::KeyOwners` (r:1 w:1)
	fn add_operator() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `KpiOracle::Feeds` (r:1 w:0)
	/// Storage: `KpiOracle::FeedOperators` (r:1 w:1)
	fn retire_operator() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `KpiOracle::Feeds` (r:1 w:0)
	/// Storage: `KpiOracle::FeedOperators` (r:1 w:1)
	/// Storage: `KpiOracle::KeyOwners` (r:1 w:1)
	fn rotate_key() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Storage: `KpiOracle::Feeds` (r:1 w:0)
	/// Storage: `KpiOracle::KeyOwners` (r:1 w:0)
	/// Storage: `KpiOracle::FeedOperators` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:0)
	/// Storage: `KpiOracle::Kpis` (r:1 w:0)
	/// Storage: `KpiOracle::Rounds` (r:1 w:1)
	/// Storage: `KpiOracle::Reports` (r:0 w:1)
	fn submit_report() -> Weight {
		Weight::from_parts(100_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Storage: `KpiOracle::Feeds` (r:1 w:0)
	/// Storage: `KpiOracle::KeyOwners` (r:1 w:0)
	/// Storage: `KpiOracle::FeedOperators` (r:1 w:0)
	/// Storage: `Identity::Identities` (r:1 w:0)
	/// Storage: `KpiOracle::Kpis` (r:1 w:1)
	/// Storage: `KpiOracle::Rounds` (r:1 w:1)
	/// Storage: `KpiOracle::Reports` (r:0 w:1)
	/// Storage: `KpiOracle::FinalizationQueue` (r:1 w:1)
	/// Storage: `KpiOracle::NextDue` (r:1 w:1)
	fn submit_report_reaching_quorum() -> Weight {
		Weight::from_parts(150_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Identity::Identities` (r:1 w:0)
	/// Storage: `KpiOracle::Kpis` (r:1 w:1)
	fn attest() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Identity::Identities` (r:1 w:0)
	/// Storage: `KpiOracle::Kpis` (r:1 w:1)
	fn dispute() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `KpiOracle::Feeds` (r:1 w:0)
	/// Storage: `KpiOracle::Kpis` (r:1 w:1)
	fn resolve_dispute() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `KpiOracle::Kpis` (r:1 w:1)
	/// Storage: `KpiOracle::Feeds` (r:1 w:0)
	/// Storage: `KpiOracle::Rounds` (r:1 w:1)
	fn settle() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `KpiOracle::DeadlineQueue` (r:1 w:1)
	/// Storage: `KpiOracle::FinalizationQueue` (r:1 w:1)
	/// Storage: `KpiOracle::NextDue` (r:0 w:1)
	/// Storage: `KpiOracle::Feeds` (r:d w:0)
	/// Storage: `KpiOracle::Kpis` (r:d+f w:d+f)
	/// Storage: `KpiOracle::Rounds` (r:d w:d)
	/// The range of component `d` is `[0, MaxTransitionsPerBlock]`.
	/// The range of component `f` is `[0, MaxTransitionsPerBlock]`.
	fn process_due(d: u32, f: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 8_000)
			.saturating_add(Weight::from_parts(20_000_000, 6_000).saturating_mul(d.into()))
			.saturating_add(Weight::from_parts(15_000_000, 4_000).saturating_mul(f.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(d.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(f.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(d.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(f.into())))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn create_feed(o: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 8_000)
			.saturating_add(Weight::from_parts(5_000_000, 3_000).saturating_mul(o.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(o.into())))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(o.into())))
	}
	fn add_operator() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn retire_operator() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn submit_report() -> Weight {
		Weight::from_parts(100_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn submit_report_reaching_quorum() -> Weight {
		Weight::from_parts(150_000_000, 12_000)
			.saturating_add(RocksDbWeight::get().reads(10_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn attest() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn dispute() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn settle() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn process_due(d: u32, f: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 8_000)
			.saturating_add(Weight::from_parts(20_000_000, 6_000).saturating_mul(d.into()))
			.saturating_add(Weight::from_parts(15_000_000, 4_000).saturating_mul(f.into()))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(d.into())))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(f.into())))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(d.into())))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(f.into())))
	}
}
