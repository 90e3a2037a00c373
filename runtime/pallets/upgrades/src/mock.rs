//! Test runtime: `frame_system` and the upgrades pallet, governed by root.

use crate as pallet_citybond_upgrades;
use frame_support::derive_impl;
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test
	{
		System: frame_system,
		Upgrades: pallet_citybond_upgrades,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_citybond_upgrades::Config for Test {
	type GovernanceOrigin = EnsureRoot<u64>;
	type WeightInfo = ();
}

/// Empty storage at block 1 (so events are recorded).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
