//! The pallets `benchmark pallet` measures on this runtime (node built with
//! `--features runtime-benchmarks`; see `bench/weights.sh`).

// `frame_system`'s benchmarks need nothing from the runtime.
impl frame_system_benchmarking::Config for crate::Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_citybond_identity, Identity]
	[pallet_citybond_kpi_oracle, KpiOracle]
	[pallet_citybond_validator_set, ValidatorSet]
	[pallet_citybond_upgrades, Upgrades]
	[pallet_citybond_issuance, Issuance]
);
