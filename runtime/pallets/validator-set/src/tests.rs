//! Tests of the validator set: governance alone changes it, within its bounds, and the session
//! pallet receives a new set only after a change.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use pallet_session::SessionManager;
use sp_runtime::DispatchError;

fn run(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		ValidatorSet::do_try_state().unwrap();
	});
}

#[test]
fn genesis_set_is_sorted_and_given_to_the_first_session() {
	run(|| {
		assert_eq!(ValidatorSet::validators(), vec![10, 20, 30]);
		assert_eq!(
			<ValidatorSet as SessionManager<u64>>::new_session_genesis(0),
			Some(vec![10, 20, 30])
		);
	});
}

#[test]
fn governance_adds_a_validator_for_the_next_session() {
	run(|| {
		assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session(1), None);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 15));
		System::assert_last_event(Event::ValidatorAdded { validator: 15 }.into());
		assert_eq!(
			<ValidatorSet as SessionManager<u64>>::new_session(2),
			Some(vec![10, 15, 20, 30])
		);
		System::assert_last_event(Event::ValidatorSetPlanned { session: 2, validators: 4 }.into());
		// Taken once: the next rotation keeps the set.
		assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session(3), None);
	});
}

#[test]
fn governance_removes_a_validator_for_the_next_session() {
	run(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 20));
		System::assert_last_event(Event::ValidatorRemoved { validator: 20 }.into());
		assert_eq!(<ValidatorSet as SessionManager<u64>>::new_session(2), Some(vec![10, 30]));
	});
}

#[test]
fn calls_fail_for_a_signed_origin() {
	run(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(10), 15),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(10), 20),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn add_fails_for_a_validator_already_in_the_set() {
	run(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 20),
			Error::<Test>::AlreadyValidator
		);
	});
}

#[test]
fn add_fails_when_the_set_is_full() {
	run(|| {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 40));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 50),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn remove_fails_for_an_account_outside_the_set() {
	run(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 99),
			Error::<Test>::NotValidator
		);
	});
}

#[test]
fn remove_fails_below_the_minimum() {
	run(|| {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 10));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 20),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(ValidatorSet::validators(), vec![20, 30]);
	});
}
