//! Tests of the upgrade authorization: governance alone authorizes, always with the version
//! check, and the code must hash to what was authorized.

use crate::mock::*;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;
use sp_runtime::{traits::Hash, DispatchError};

#[test]
fn governance_authorizes_an_upgrade_with_the_version_check() {
	new_test_ext().execute_with(|| {
		let code_hash = H256::repeat_byte(7);
		assert_ok!(Upgrades::authorize_upgrade(RuntimeOrigin::root(), code_hash));
		System::assert_last_event(
			frame_system::Event::UpgradeAuthorized { code_hash, check_version: true }.into(),
		);
	});
}

#[test]
fn authorize_fails_for_a_signed_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Upgrades::authorize_upgrade(RuntimeOrigin::signed(1), H256::repeat_byte(7)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn applying_code_other_than_the_authorized_fails() {
	new_test_ext().execute_with(|| {
		let code = b"not the authorized runtime".to_vec();
		let other = <Test as frame_system::Config>::Hashing::hash(b"the authorized runtime");
		assert_ok!(Upgrades::authorize_upgrade(RuntimeOrigin::root(), other));
		assert_noop!(
			System::apply_authorized_upgrade(RuntimeOrigin::signed(1), code),
			frame_system::Error::<Test>::Unauthorized
		);
	});
}
