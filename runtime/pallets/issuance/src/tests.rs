//! Tests of code approval and issuance: who may approve, who may instantiate what, and that a
//! refusal stores nothing.

use crate::{mock::*, ApprovedCode, ApprovedCount, Error, Event, Instantiate, WeightInfo};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResultWithPostInfo, Pays},
	weights::Weight,
};
use sp_core::H256;
use sp_runtime::{
	traits::{BadOrigin, Dispatchable},
	DispatchError, StateVersion,
};

const BOND: H256 = H256::repeat_byte(0xb0);
const OTHER: H256 = H256::repeat_byte(0x07);
const GAS: Weight = Weight::from_parts(50_000_000, 10_000);

fn approve(hash: H256) {
	assert_ok!(Issuance::approve_code(RuntimeOrigin::root(), hash, b"green_bond".to_vec()));
}

fn issue(who: u64, hash: H256) -> DispatchResultWithPostInfo {
	Issuance::instantiate(RuntimeOrigin::signed(who), GAS, Some(7), hash, vec![1, 2, 3], vec![9])
}

/// Asserts that `result` is a refusal with `error` and that it changed no storage.
fn assert_refused(call: impl FnOnce() -> DispatchResultWithPostInfo, error: Error<Test>) {
	let before = sp_io::storage::root(StateVersion::V1);
	let refusal = call().unwrap_err();
	assert_eq!(refusal.error, DispatchError::from(error));
	assert_eq!(sp_io::storage::root(StateVersion::V1), before, "a refusal stored something");
}

/// What an `instantiate` that reached the contract host is charged: the checks, the host's
/// base weight for 3 bytes of data and 1 of salt, and the gas the constructor used.
fn charged() -> Weight {
	<() as WeightInfo>::instantiate_checks()
		.saturating_add(<Host as Instantiate<u64, H256, u128>>::weight(3, 1))
		.saturating_add(GAS_USED)
}

fn created() -> Vec<Created> {
	CREATED.with(|created| created.borrow().clone())
}

#[test]
fn governance_approves_and_revokes_code() {
	new_test_ext().execute_with(|| {
		approve(BOND);
		let approval = ApprovedCode::<Test>::get(BOND).unwrap();
		assert_eq!(approval.label.to_vec(), b"green_bond".to_vec());
		assert_eq!(approval.approved_at, 1);
		assert_eq!(ApprovedCount::<Test>::get(), 1);
		System::assert_last_event(
			Event::CodeApproved {
				code_hash: BOND,
				label: b"green_bond".to_vec().try_into().unwrap(),
			}
			.into(),
		);

		assert_ok!(Issuance::revoke_code(RuntimeOrigin::root(), BOND));
		assert!(ApprovedCode::<Test>::get(BOND).is_none());
		assert_eq!(ApprovedCount::<Test>::get(), 0);
		System::assert_last_event(Event::CodeRevoked { code_hash: BOND }.into());
	});
}

#[test]
fn only_governance_approves_or_revokes() {
	new_test_ext().execute_with(|| {
		for who in [ISSUER, INVESTOR] {
			assert_noop!(
				Issuance::approve_code(RuntimeOrigin::signed(who), BOND, b"mine".to_vec()),
				BadOrigin
			);
		}
		approve(BOND);
		assert_noop!(Issuance::revoke_code(RuntimeOrigin::signed(ISSUER), BOND), BadOrigin);
		assert!(ApprovedCode::<Test>::get(BOND).is_some());
	});
}

#[test]
fn approvals_are_bounded_and_labelled() {
	new_test_ext().execute_with(|| {
		let root = RuntimeOrigin::root;
		assert_noop!(Issuance::approve_code(root(), BOND, vec![]), Error::<Test>::EmptyLabel);
		assert_noop!(
			Issuance::approve_code(root(), BOND, vec![b'x'; 17]),
			Error::<Test>::LabelTooLong
		);
		assert_ok!(Issuance::approve_code(root(), BOND, vec![b'x'; 16]));
		assert_noop!(
			Issuance::approve_code(root(), BOND, b"again".to_vec()),
			Error::<Test>::AlreadyApproved
		);
		approve(H256::repeat_byte(1));
		approve(H256::repeat_byte(2));
		assert_noop!(
			Issuance::approve_code(root(), H256::repeat_byte(3), b"fourth".to_vec()),
			Error::<Test>::TooManyApproved
		);
		// Revoking makes room; revoking what is not approved is refused.
		assert_noop!(Issuance::revoke_code(root(), OTHER), Error::<Test>::CodeNotApproved);
		assert_ok!(Issuance::revoke_code(root(), H256::repeat_byte(1)));
		approve(H256::repeat_byte(3));
		assert_eq!(ApprovedCount::<Test>::get(), 3);
	});
}

#[test]
fn an_issuer_instantiates_approved_code_as_itself() {
	new_test_ext().execute_with(|| {
		approve(BOND);
		let post = issue(ISSUER, BOND).unwrap();
		assert_eq!(
			created(),
			vec![Created {
				origin: ISSUER,
				code_hash: BOND,
				data: vec![1, 2, 3],
				salt: vec![9],
				storage_deposit_limit: Some(7),
			}]
		);
		System::assert_last_event(
			Event::Issued { issuer: ISSUER, code_hash: BOND, contract: 1000 }.into(),
		);
		// Charged for the checks, the host's base weight and the gas used, not the whole limit.
		assert_eq!(post.actual_weight, Some(charged()));
		assert!(charged().all_lt(GAS));
		assert_eq!(post.pays_fee, Pays::Yes);
	});
}

#[test]
fn unapproved_or_revoked_code_is_refused() {
	new_test_ext().execute_with(|| {
		approve(BOND);
		assert_refused(|| issue(ISSUER, OTHER), Error::<Test>::CodeNotApproved);
		assert_ok!(Issuance::revoke_code(RuntimeOrigin::root(), BOND));
		assert_refused(|| issue(ISSUER, BOND), Error::<Test>::CodeNotApproved);
		assert!(created().is_empty());
	});
}

#[test]
fn accounts_without_the_issuer_role_are_refused() {
	new_test_ext().execute_with(|| {
		approve(BOND);
		assert_refused(|| issue(INVESTOR, BOND), Error::<Test>::NotAnIssuer);
		assert_noop!(
			Issuance::instantiate(RuntimeOrigin::root(), GAS, None, BOND, vec![], vec![]),
			BadOrigin
		);
		assert!(created().is_empty());
	});
}

#[test]
fn a_failing_constructor_fails_the_call_and_charges_the_gas_used() {
	new_test_ext().execute_with(|| {
		approve(REVERTING);
		System::reset_events();
		let before = sp_io::storage::root(StateVersion::V1);
		// Dispatched as a transaction is: what the constructor wrote is rolled back.
		let call = RuntimeCall::Issuance(crate::Call::instantiate {
			gas_limit: GAS,
			storage_deposit_limit: None,
			code_hash: REVERTING,
			data: vec![1, 2, 3],
			salt: vec![9],
		});
		let refused = call.dispatch(RuntimeOrigin::signed(ISSUER)).unwrap_err();
		assert_eq!(refused.error, DispatchError::Other("ContractReverted"));
		assert_eq!(refused.post_info.actual_weight, Some(charged()));
		assert_eq!(sp_io::storage::get(b"constructor wrote this"), None);
		assert_eq!(sp_io::storage::root(StateVersion::V1), before);
		assert!(System::events().is_empty(), "a refused issue left an event");
		assert!(created().is_empty());
	});
}
