//! Tests of the identity registry, its identifier checks and the `CheckIdentity` extension.

// Tests compute times and counts with plain arithmetic on small constants.
#![allow(clippy::arithmetic_side_effects)]

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, dispatch::DispatchInfo, traits::Contains, BoundedVec};
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension, TxBaseImplication},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	BuildStorage, DispatchError,
};

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn roles(list: &[Role]) -> Roles {
	Roles::from_roles(list)
}

fn custom(id: &[u8]) -> ClaimKindOf<Test> {
	ClaimKind::Custom(BoundedVec::try_from(id.to_vec()).unwrap())
}

/// Registers `account` as an auditor in `DE`, by the genesis registrar.
fn register_auditor(account: u64) {
	assert_ok!(Identity::register_identity(
		signed(REGISTRAR),
		account,
		None,
		DE,
		None,
		roles(&[Role::Auditor]),
	));
}

fn appoint(account: u64) {
	assert_ok!(Identity::appoint_registrar(RuntimeOrigin::root(), account, None, DE));
}

fn claim_count(account: u64) -> usize {
	Identities::<Test>::get(account).unwrap().claims.len()
}

// --- identifiers -------------------------------------------------------------------------------

#[test]
fn lei_checksum_accepts_valid_leis() {
	for lei in [
		&b"5493001KJTIIGC8Y1R12"[..],
		b"529900T8BM49AURSDO55",
		b"7LTWFZYICNSX8D621K86",
		b"HWUPKR0MPOU8FGXBT394",
	] {
		assert_eq!(validate_lei(lei), Ok(()), "{:?}", core::str::from_utf8(lei));
		assert!(Lei::parse(lei).is_ok());
	}
}

#[test]
fn lei_checksum_rejects_wrong_check_digits() {
	assert_eq!(validate_lei(b"5493001KJTIIGC8Y1R13"), Err(LeiError::ChecksumMismatch));
	assert_eq!(validate_lei(b"529900T8BM49AURSDO56"), Err(LeiError::ChecksumMismatch));
	// Two characters swapped: the classic typo MOD 97-10 is designed to catch.
	assert_eq!(validate_lei(b"4593001KJTIIGC8Y1R12"), Err(LeiError::ChecksumMismatch));
}

#[test]
fn lei_rejects_wrong_length() {
	assert_eq!(validate_lei(b""), Err(LeiError::WrongLength));
	assert_eq!(validate_lei(b"5493001KJTIIGC8Y1R1"), Err(LeiError::WrongLength));
	assert_eq!(validate_lei(b"5493001KJTIIGC8Y1R120"), Err(LeiError::WrongLength));
	assert_eq!(Lei::parse(b"5493001KJTIIGC8Y1R1"), Err(LeiError::WrongLength));
}

#[test]
fn lei_rejects_lowercase_and_non_alphanumeric_characters() {
	assert_eq!(validate_lei(b"5493001kjtiigc8y1r12"), Err(LeiError::InvalidCharacter));
	assert_eq!(validate_lei(b"5493001KJT-IGC8Y1R12"), Err(LeiError::InvalidCharacter));
	assert_eq!(validate_lei(b"5493001KJTIIGC8Y1R 2"), Err(LeiError::InvalidCharacter));
	// The check digits are digits.
	assert_eq!(validate_lei(b"5493001KJTIIGC8Y1RAB"), Err(LeiError::InvalidCharacter));
}

#[test]
fn country_code_list_is_sorted_without_duplicates() {
	assert!(ASSIGNED_COUNTRY_CODES.windows(2).all(|pair| pair[0] < pair[1]));
	assert!(ASSIGNED_COUNTRY_CODES.iter().flatten().all(u8::is_ascii_uppercase));
}

#[test]
fn country_code_accepts_assigned_and_rejects_unassigned_codes() {
	for code in [*b"AD", *b"DE", *b"FR", *b"GB", *b"US", *b"SS", *b"ZW"] {
		assert_eq!(CountryCode(code).validate(), Ok(()));
	}
	// `UK` and `EU` are reserved, `XK` and `XX` user-assigned, `AN` withdrawn.
	for code in [*b"UK", *b"EU", *b"XK", *b"XX", *b"AN", *b"AA", *b"ZZ"] {
		assert_eq!(CountryCode(code).validate(), Err(CountryCodeError::Unassigned));
	}
	for code in [*b"de", *b"De", *b"D1", *b"  ", [0xC3, 0x84]] {
		assert_eq!(CountryCode(code).validate(), Err(CountryCodeError::Malformed));
	}
}

#[test]
fn roles_bitset_holds_exactly_the_roles_put_in() {
	let set = roles(&[Role::Issuer, Role::SettlementAgent]);
	assert!(set.contains(Role::Issuer) && set.contains(Role::SettlementAgent));
	assert!(!set.contains(Role::Investor) && !set.contains(Role::Registrar));
	assert_eq!(set.iter().collect::<Vec<_>>(), vec![Role::Issuer, Role::SettlementAgent]);
	assert_eq!(set.without(Role::Issuer), Roles::from(Role::SettlementAgent));
	assert_eq!(roles(&Role::ALL).bits(), Roles::KNOWN_BITS);
	assert!(roles(&Role::ALL).is_valid());
	assert!(!Roles::from_bits(0b1000_0000).is_valid());
}

#[test]
fn identifiers_are_text_in_chain_specs() {
	use frame_support::__private::serde_json;
	assert_eq!(serde_json::to_string(&DE).unwrap(), "\"DE\"");
	assert_eq!(serde_json::to_string(&LEI_A).unwrap(), "\"5493001KJTIIGC8Y1R12\"");
	assert_eq!(serde_json::from_str::<Lei>("\"529900T8BM49AURSDO55\"").unwrap(), LEI_B);
	assert!(serde_json::from_str::<CountryCode>("\"DEU\"").is_err());
	assert!(serde_json::from_str::<Lei>("\"5493001KJTIIGC8Y1R1\"").is_err());
}

// --- genesis -----------------------------------------------------------------------------------

#[test]
fn genesis_registers_the_demo_cast() {
	build_and_execute(|| {
		assert_eq!(Registrars::<Test>::get().into_inner(), vec![REGISTRAR]);
		assert!(Identity::has_role(&REGISTRAR, Role::Registrar));
		assert!(Identity::has_role(&ISSUER, Role::Issuer));
		assert_eq!(Identities::<Test>::get(ISSUER).unwrap().lei, Some(LEI_A));
		assert_eq!(Identities::<Test>::get(ISSUER).unwrap().registered_by, Some(REGISTRAR));
		assert_eq!(Identity::category(&INVESTOR), Some(InvestorCategory::Professional));
		assert_eq!(Identity::jurisdiction(&INVESTOR), Some(*b"FR"));
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, START));
		assert_eq!(Identities::<Test>::count(), 3);
	});
}

#[test]
fn genesis_config_round_trips_through_json() {
	use frame_support::__private::serde_json;
	let config = GenesisConfig::<Test> {
		registrars: vec![GenesisRegistrar {
			account: REGISTRAR,
			lei: Some(LEI_A),
			jurisdiction: DE,
		}],
		identities: vec![GenesisIdentity {
			account: INVESTOR,
			registrar: REGISTRAR,
			roles: vec![Role::Investor],
			lei: None,
			jurisdiction: FR,
			category: Some(InvestorCategory::Retail),
			claims: vec![(ClaimKind::Kyc, KYC_EXPIRY), (custom(b"green"), KYC_EXPIRY)],
		}],
	};
	let json = serde_json::to_string(&config).unwrap();
	assert!(json.contains("\"jurisdiction\":\"DE\""), "{json}");
	assert!(json.contains("\"roles\":[\"Investor\"]"), "{json}");
	let back: GenesisConfig<Test> = serde_json::from_str(&json).unwrap();
	assert_eq!(back.identities[0].claims, config.identities[0].claims);
	assert_eq!(back.registrars[0].lei, Some(LEI_A));
}

#[test]
#[should_panic(expected = "genesis identity")]
fn genesis_rejects_identity_with_malformed_lei() {
	let _ = RuntimeGenesisConfig {
		system: Default::default(),
		identity: GenesisConfig {
			registrars: vec![GenesisRegistrar { account: REGISTRAR, lei: None, jurisdiction: DE }],
			identities: vec![GenesisIdentity {
				account: ISSUER,
				registrar: REGISTRAR,
				roles: vec![Role::Issuer],
				lei: Some(Lei(*b"5493001KJTIIGC8Y1R13")),
				jurisdiction: DE,
				category: None,
				claims: vec![],
			}],
		},
	}
	.build_storage();
}

// --- registering -------------------------------------------------------------------------------

#[test]
fn register_identity_stores_active_identity_and_emits_event() {
	build_and_execute(|| {
		let auditor = roles(&[Role::Auditor, Role::OracleOperator]);
		assert_ok!(Identity::register_identity(
			signed(REGISTRAR),
			STRANGER,
			Some(LEI_B),
			DE,
			None,
			auditor,
		));

		let identity = Identities::<Test>::get(STRANGER).unwrap();
		assert_eq!(identity.status, IdentityStatus::Active);
		assert_eq!(identity.registered_by, Some(REGISTRAR));
		assert!(identity.claims.is_empty());
		assert!(Identity::is_active(&STRANGER));
		assert!(Identity::has_role(&STRANGER, Role::OracleOperator));
		assert!(!Identity::has_role(&STRANGER, Role::Investor));
		assert_eq!(Identity::jurisdiction(&STRANGER), Some(*b"DE"));
		assert_eq!(Identity::category(&STRANGER), None);
		assert_eq!(Identities::<Test>::count(), 4);
		System::assert_last_event(
			Event::IdentityRegistered {
				account: STRANGER,
				registrar: Some(REGISTRAR),
				roles: auditor,
				lei: Some(LEI_B),
				jurisdiction: DE,
				category: None,
			}
			.into(),
		);
	});
}

#[test]
fn register_identity_of_natural_person_needs_no_lei() {
	build_and_execute(|| {
		assert_ok!(Identity::register_identity(
			signed(REGISTRAR),
			STRANGER,
			None,
			FR,
			Some(InvestorCategory::Retail),
			roles(&[Role::Investor]),
		));
		assert_eq!(Identity::category(&STRANGER), Some(InvestorCategory::Retail));
		assert_eq!(Identities::<Test>::get(STRANGER).unwrap().lei, None);
	});
}

#[test]
fn register_fails_for_caller_that_is_not_a_registrar() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(signed(ISSUER), STRANGER, None, DE, None, Roles::empty()),
			Error::<Test>::NotRegistrar
		);
		assert_noop!(
			Identity::register_identity(signed(STRANGER), STRANGER, None, DE, None, Roles::empty()),
			Error::<Test>::NotRegistrar
		);
	});
}

#[test]
fn register_fails_for_unsigned_and_root_origins() {
	build_and_execute(|| {
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Identity::register_identity(origin, STRANGER, None, DE, None, Roles::empty()),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn register_fails_for_duplicate_identity() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(signed(REGISTRAR), ISSUER, None, DE, None, Roles::empty()),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn register_fails_for_revoked_account_because_revocation_is_final() {
	build_and_execute(|| {
		assert_ok!(Identity::revoke(signed(REGISTRAR), ISSUER));
		assert_noop!(
			Identity::register_identity(signed(REGISTRAR), ISSUER, None, DE, None, Roles::empty()),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn register_fails_for_malformed_lei() {
	build_and_execute(|| {
		for lei in [*b"5493001kjtiigc8y1r12", *b"5493001KJT-IGC8Y1R12", *b"5493001KJTIIGC8Y1RAB"] {
			assert_noop!(
				Identity::register_identity(
					signed(REGISTRAR),
					STRANGER,
					Some(Lei(lei)),
					DE,
					None,
					Roles::empty(),
				),
				Error::<Test>::MalformedLei
			);
		}
	});
}

#[test]
fn register_fails_for_lei_with_wrong_checksum() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(
				signed(REGISTRAR),
				STRANGER,
				Some(Lei(*b"5493001KJTIIGC8Y1R13")),
				DE,
				None,
				Roles::empty(),
			),
			Error::<Test>::LeiChecksumMismatch
		);
	});
}

#[test]
fn register_fails_for_malformed_country_code() {
	build_and_execute(|| {
		for code in [*b"de", *b"D1", [0, 0]] {
			assert_noop!(
				Identity::register_identity(
					signed(REGISTRAR),
					STRANGER,
					None,
					CountryCode(code),
					None,
					Roles::empty(),
				),
				Error::<Test>::MalformedCountryCode
			);
		}
	});
}

#[test]
fn register_fails_for_unassigned_country_code() {
	build_and_execute(|| {
		for code in [*b"XX", *b"UK", *b"EU"] {
			assert_noop!(
				Identity::register_identity(
					signed(REGISTRAR),
					STRANGER,
					None,
					CountryCode(code),
					None,
					Roles::empty(),
				),
				Error::<Test>::UnassignedCountryCode
			);
		}
	});
}

#[test]
fn register_fails_for_unknown_role_bits() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(
				signed(REGISTRAR),
				STRANGER,
				None,
				DE,
				None,
				Roles::from_bits(0b0100_0010),
			),
			Error::<Test>::UnknownRoleBits
		);
	});
}

#[test]
fn register_fails_when_granting_registrar_role() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(
				signed(REGISTRAR),
				STRANGER,
				None,
				DE,
				None,
				roles(&[Role::Registrar, Role::Auditor]),
			),
			Error::<Test>::RegistrarRoleReserved
		);
	});
}

#[test]
fn register_fails_for_investor_without_category() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(
				signed(REGISTRAR),
				STRANGER,
				None,
				DE,
				None,
				roles(&[Role::Investor]),
			),
			Error::<Test>::InvestorCategoryMissing
		);
	});
}

#[test]
fn register_fails_for_category_without_investor_role() {
	build_and_execute(|| {
		assert_noop!(
			Identity::register_identity(
				signed(REGISTRAR),
				STRANGER,
				None,
				DE,
				Some(InvestorCategory::Institutional),
				roles(&[Role::Issuer]),
			),
			Error::<Test>::CategoryWithoutInvestorRole
		);
	});
}

// --- roles -------------------------------------------------------------------------------------

#[test]
fn set_roles_replaces_roles_and_category() {
	build_and_execute(|| {
		let new_roles = roles(&[Role::Investor, Role::SettlementAgent]);
		assert_ok!(Identity::set_roles(
			signed(REGISTRAR),
			INVESTOR,
			new_roles,
			Some(InvestorCategory::Institutional),
		));
		assert!(Identity::has_role(&INVESTOR, Role::SettlementAgent));
		assert_eq!(Identity::category(&INVESTOR), Some(InvestorCategory::Institutional));
		System::assert_last_event(
			Event::RolesSet {
				account: INVESTOR,
				registrar: REGISTRAR,
				roles: new_roles,
				category: Some(InvestorCategory::Institutional),
			}
			.into(),
		);

		// Dropping the investor role drops the category with it.
		assert_ok!(Identity::set_roles(signed(REGISTRAR), INVESTOR, roles(&[Role::Auditor]), None));
		assert!(!Identity::has_role(&INVESTOR, Role::Investor));
		assert_eq!(Identity::category(&INVESTOR), None);
	});
}

#[test]
fn set_roles_works_on_suspended_identity() {
	build_and_execute(|| {
		assert_ok!(Identity::suspend(signed(REGISTRAR), ISSUER));
		assert_ok!(Identity::set_roles(signed(REGISTRAR), ISSUER, roles(&[Role::Auditor]), None));
		assert!(!Identity::has_role(&ISSUER, Role::Auditor));
		assert_ok!(Identity::reactivate(signed(REGISTRAR), ISSUER));
		assert!(Identity::has_role(&ISSUER, Role::Auditor));
		assert!(!Identity::has_role(&ISSUER, Role::Issuer));
	});
}

#[test]
fn set_roles_fails_for_caller_that_is_not_a_registrar() {
	build_and_execute(|| {
		assert_noop!(
			Identity::set_roles(signed(ISSUER), ISSUER, roles(&[Role::Auditor]), None),
			Error::<Test>::NotRegistrar
		);
	});
}

#[test]
fn set_roles_fails_for_unknown_identity() {
	build_and_execute(|| {
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), STRANGER, roles(&[Role::Auditor]), None),
			Error::<Test>::UnknownIdentity
		);
	});
}

#[test]
fn set_roles_fails_for_revoked_identity() {
	build_and_execute(|| {
		assert_ok!(Identity::revoke(signed(REGISTRAR), ISSUER));
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), ISSUER, roles(&[Role::Auditor]), None),
			Error::<Test>::IdentityRevoked
		);
	});
}

#[test]
fn set_roles_fails_for_registrar_identity() {
	build_and_execute(|| {
		appoint(OTHER_REGISTRAR);
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), OTHER_REGISTRAR, Roles::empty(), None),
			Error::<Test>::TargetIsRegistrar
		);
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), REGISTRAR, Roles::empty(), None),
			Error::<Test>::TargetIsRegistrar
		);
	});
}

#[test]
fn set_roles_fails_when_granting_registrar_role_or_unknown_bits() {
	build_and_execute(|| {
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), ISSUER, roles(&[Role::Registrar]), None),
			Error::<Test>::RegistrarRoleReserved
		);
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), ISSUER, Roles::from_bits(0xFF), None),
			Error::<Test>::UnknownRoleBits
		);
	});
}

#[test]
fn set_roles_fails_when_category_does_not_match_investor_role() {
	build_and_execute(|| {
		assert_noop!(
			Identity::set_roles(signed(REGISTRAR), INVESTOR, roles(&[Role::Investor]), None),
			Error::<Test>::InvestorCategoryMissing
		);
		assert_noop!(
			Identity::set_roles(
				signed(REGISTRAR),
				ISSUER,
				roles(&[Role::Issuer]),
				Some(InvestorCategory::Retail),
			),
			Error::<Test>::CategoryWithoutInvestorRole
		);
	});
}

// --- claims ------------------------------------------------------------------------------------

#[test]
fn add_claim_makes_claim_valid_until_its_expiry() {
	build_and_execute(|| {
		let expiry = START + 30 * DAY;
		assert_ok!(Identity::add_claim(
			signed(REGISTRAR),
			INVESTOR,
			ClaimKind::Accreditation,
			expiry,
		));
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Accreditation, START));
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Accreditation, expiry - 1));
		assert!(!Identity::claim_valid(&INVESTOR, &ClaimKind::Accreditation, expiry));
		assert!(!Identity::claim_valid(&INVESTOR, &ClaimKind::Residency, START));
		System::assert_last_event(
			Event::ClaimAdded {
				account: INVESTOR,
				registrar: REGISTRAR,
				kind: ClaimKind::Accreditation,
				expiry,
			}
			.into(),
		);
	});
}

#[test]
fn expired_claim_counts_as_absent() {
	build_and_execute(|| {
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, KYC_EXPIRY - 1));
		Now::set(KYC_EXPIRY);
		assert!(!Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, Identity::now()));
		// Nobody removed it: the record is still there, it just no longer counts.
		assert_eq!(claim_count(INVESTOR), 1);
	});
}

#[test]
fn add_claim_renews_claim_of_the_same_kind() {
	build_and_execute(|| {
		appoint(OTHER_REGISTRAR);
		let later = KYC_EXPIRY + 365 * DAY;
		assert_ok!(Identity::add_claim(signed(OTHER_REGISTRAR), INVESTOR, ClaimKind::Kyc, later));
		assert_eq!(claim_count(INVESTOR), 1);
		let claim = Identities::<Test>::get(INVESTOR).unwrap().claims[0].clone();
		assert_eq!((claim.issuer, claim.expiry, claim.revoked), (OTHER_REGISTRAR, later, false));
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, KYC_EXPIRY));
	});
}

#[test]
fn add_claim_restores_a_revoked_claim() {
	build_and_execute(|| {
		assert_ok!(Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc));
		assert!(!Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, START));
		assert_ok!(Identity::add_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc, KYC_EXPIRY));
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, START));
	});
}

#[test]
fn custom_claims_are_told_apart_by_id() {
	build_and_execute(|| {
		assert_ok!(Identity::add_claim(signed(REGISTRAR), ISSUER, custom(b"green"), KYC_EXPIRY));
		assert!(Identity::claim_valid(&ISSUER, &custom(b"green"), START));
		assert!(!Identity::claim_valid(&ISSUER, &custom(b"blue"), START));
		assert!(!Identity::claim_valid(&ISSUER, &ClaimKind::Kyc, START));
	});
}

#[test]
fn add_claim_fails_for_expiry_in_the_past() {
	build_and_execute(|| {
		for expiry in [0, START - 1, START] {
			assert_noop!(
				Identity::add_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Residency, expiry),
				Error::<Test>::ClaimExpiryInPast
			);
		}
	});
}

#[test]
fn add_claim_fails_for_empty_custom_claim_id() {
	build_and_execute(|| {
		assert_noop!(
			Identity::add_claim(signed(REGISTRAR), INVESTOR, custom(b""), KYC_EXPIRY),
			Error::<Test>::EmptyCustomClaimId
		);
	});
}

#[test]
fn add_claim_fails_when_claims_are_full() {
	build_and_execute(|| {
		// `MaxClaims` is 3 and the investor already holds KYC.
		assert_ok!(Identity::add_claim(
			signed(REGISTRAR),
			INVESTOR,
			ClaimKind::Accreditation,
			KYC_EXPIRY,
		));
		assert_ok!(Identity::add_claim(
			signed(REGISTRAR),
			INVESTOR,
			ClaimKind::Residency,
			KYC_EXPIRY
		));
		assert_noop!(
			Identity::add_claim(signed(REGISTRAR), INVESTOR, custom(b"green"), KYC_EXPIRY),
			Error::<Test>::TooManyClaims
		);
		// Renewing a claim the identity holds needs no new slot.
		assert_ok!(Identity::add_claim(
			signed(REGISTRAR),
			INVESTOR,
			ClaimKind::Kyc,
			KYC_EXPIRY + 1
		));
	});
}

#[test]
fn add_claim_reuses_the_slots_of_expired_and_revoked_claims() {
	build_and_execute(|| {
		assert_ok!(Identity::add_claim(
			signed(REGISTRAR),
			INVESTOR,
			ClaimKind::Accreditation,
			START + DAY,
		));
		assert_ok!(Identity::add_claim(
			signed(REGISTRAR),
			INVESTOR,
			ClaimKind::Residency,
			KYC_EXPIRY
		));
		assert_ok!(Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Residency));
		Now::set(START + 2 * DAY);

		assert_ok!(Identity::add_claim(signed(REGISTRAR), INVESTOR, custom(b"green"), KYC_EXPIRY));
		let kinds: Vec<_> = Identities::<Test>::get(INVESTOR)
			.unwrap()
			.claims
			.into_iter()
			.map(|claim| claim.kind)
			.collect();
		assert_eq!(kinds, vec![ClaimKind::Kyc, custom(b"green")]);
	});
}

#[test]
fn add_claim_fails_for_caller_that_is_not_a_registrar() {
	build_and_execute(|| {
		assert_noop!(
			Identity::add_claim(signed(INVESTOR), INVESTOR, ClaimKind::Accreditation, KYC_EXPIRY),
			Error::<Test>::NotRegistrar
		);
	});
}

#[test]
fn add_claim_fails_for_unknown_identity() {
	build_and_execute(|| {
		assert_noop!(
			Identity::add_claim(signed(REGISTRAR), STRANGER, ClaimKind::Kyc, KYC_EXPIRY),
			Error::<Test>::UnknownIdentity
		);
	});
}

#[test]
fn add_claim_fails_for_revoked_identity() {
	build_and_execute(|| {
		assert_ok!(Identity::revoke(signed(REGISTRAR), INVESTOR));
		assert_noop!(
			Identity::add_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc, KYC_EXPIRY),
			Error::<Test>::IdentityRevoked
		);
	});
}

#[test]
fn add_claim_fails_for_registrar_identity() {
	build_and_execute(|| {
		assert_noop!(
			Identity::add_claim(signed(REGISTRAR), REGISTRAR, ClaimKind::Kyc, KYC_EXPIRY),
			Error::<Test>::TargetIsRegistrar
		);
	});
}

#[test]
fn revoke_claim_makes_claim_invalid_before_its_expiry() {
	build_and_execute(|| {
		assert_ok!(Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc));
		assert!(!Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, START));
		assert!(Identities::<Test>::get(INVESTOR).unwrap().claims[0].revoked);
		System::assert_last_event(
			Event::ClaimRevoked { account: INVESTOR, registrar: REGISTRAR, kind: ClaimKind::Kyc }
				.into(),
		);
	});
}

#[test]
fn revoke_claim_fails_for_claim_the_identity_does_not_hold() {
	build_and_execute(|| {
		assert_noop!(
			Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Residency),
			Error::<Test>::UnknownClaim
		);
	});
}

#[test]
fn revoke_claim_fails_for_revoked_claim() {
	build_and_execute(|| {
		assert_ok!(Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc));
		assert_noop!(
			Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc),
			Error::<Test>::ClaimAlreadyRevoked
		);
	});
}

#[test]
fn revoke_claim_fails_for_expired_claim() {
	build_and_execute(|| {
		Now::set(KYC_EXPIRY);
		assert_noop!(
			Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc),
			Error::<Test>::ClaimExpired
		);
	});
}

#[test]
fn revoke_claim_fails_for_caller_that_is_not_a_registrar() {
	build_and_execute(|| {
		assert_noop!(
			Identity::revoke_claim(signed(ISSUER), INVESTOR, ClaimKind::Kyc),
			Error::<Test>::NotRegistrar
		);
	});
}

#[test]
fn revoke_claim_fails_for_unknown_or_revoked_identity() {
	build_and_execute(|| {
		assert_noop!(
			Identity::revoke_claim(signed(REGISTRAR), STRANGER, ClaimKind::Kyc),
			Error::<Test>::UnknownIdentity
		);
		assert_ok!(Identity::revoke(signed(REGISTRAR), INVESTOR));
		assert_noop!(
			Identity::revoke_claim(signed(REGISTRAR), INVESTOR, ClaimKind::Kyc),
			Error::<Test>::IdentityRevoked
		);
	});
}

// --- status ------------------------------------------------------------------------------------

#[test]
fn suspended_identity_counts_as_absent_until_reactivated() {
	build_and_execute(|| {
		assert_ok!(Identity::suspend(signed(REGISTRAR), INVESTOR));
		System::assert_last_event(
			Event::IdentitySuspended { account: INVESTOR, registrar: REGISTRAR }.into(),
		);
		assert!(!Identity::is_active(&INVESTOR));
		assert!(!Identity::has_role(&INVESTOR, Role::Investor));
		assert!(!Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, START));
		assert_eq!(Identity::jurisdiction(&INVESTOR), None);
		assert_eq!(Identity::category(&INVESTOR), None);
		assert!(!ActiveIdentities::<Test>::contains(&INVESTOR));

		assert_ok!(Identity::reactivate(signed(REGISTRAR), INVESTOR));
		System::assert_last_event(
			Event::IdentityReactivated { account: INVESTOR, registrar: REGISTRAR }.into(),
		);
		assert!(Identity::has_role(&INVESTOR, Role::Investor));
		assert!(Identity::claim_valid(&INVESTOR, &ClaimKind::Kyc, START));
		assert_eq!(Identity::jurisdiction(&INVESTOR), Some(*b"FR"));
		assert!(ActiveIdentities::<Test>::contains(&INVESTOR));
	});
}

#[test]
fn suspend_fails_for_suspended_identity() {
	build_and_execute(|| {
		assert_ok!(Identity::suspend(signed(REGISTRAR), INVESTOR));
		assert_noop!(
			Identity::suspend(signed(REGISTRAR), INVESTOR),
			Error::<Test>::AlreadySuspended
		);
	});
}

#[test]
fn reactivate_fails_for_identity_that_is_not_suspended() {
	build_and_execute(|| {
		assert_noop!(
			Identity::reactivate(signed(REGISTRAR), INVESTOR),
			Error::<Test>::NotSuspended
		);
	});
}

#[test]
fn revoked_identity_is_final() {
	build_and_execute(|| {
		assert_ok!(Identity::suspend(signed(REGISTRAR), INVESTOR));
		assert_ok!(Identity::revoke(signed(REGISTRAR), INVESTOR));
		System::assert_last_event(
			Event::IdentityRevoked { account: INVESTOR, registrar: REGISTRAR }.into(),
		);
		assert!(!Identity::is_active(&INVESTOR));
		assert_eq!(Identities::<Test>::get(INVESTOR).unwrap().status, IdentityStatus::Revoked);
		for call in [Identity::reactivate, Identity::suspend, Identity::revoke] {
			assert_noop!(call(signed(REGISTRAR), INVESTOR), Error::<Test>::IdentityRevoked);
		}
	});
}

#[test]
fn status_calls_fail_for_unknown_identity() {
	build_and_execute(|| {
		for call in [Identity::suspend, Identity::reactivate, Identity::revoke] {
			assert_noop!(call(signed(REGISTRAR), STRANGER), Error::<Test>::UnknownIdentity);
		}
	});
}

#[test]
fn status_calls_fail_for_caller_that_is_not_a_registrar() {
	build_and_execute(|| {
		for call in [Identity::suspend, Identity::reactivate, Identity::revoke] {
			assert_noop!(call(signed(ISSUER), INVESTOR), Error::<Test>::NotRegistrar);
		}
	});
}

#[test]
fn registrars_cannot_suspend_or_revoke_a_registrar() {
	build_and_execute(|| {
		appoint(OTHER_REGISTRAR);
		for call in [Identity::suspend, Identity::revoke] {
			assert_noop!(
				call(signed(REGISTRAR), OTHER_REGISTRAR),
				Error::<Test>::TargetIsRegistrar
			);
			assert_noop!(call(signed(REGISTRAR), REGISTRAR), Error::<Test>::TargetIsRegistrar);
		}
	});
}

#[test]
fn registrars_cannot_suspend_or_revoke_a_governor_until_it_leaves_office() {
	build_and_execute(|| {
		GovernorSet::set(vec![ISSUER]);
		for call in [Identity::suspend, Identity::revoke] {
			assert_noop!(call(signed(REGISTRAR), ISSUER), Error::<Test>::TargetIsGovernor);
		}
		assert!(Identity::is_active(&ISSUER));
		// Out of office, the account is managed like any other.
		GovernorSet::set(Vec::new());
		assert_ok!(Identity::suspend(signed(REGISTRAR), ISSUER));
		assert!(!Identity::is_active(&ISSUER));
	});
}

// --- registrars --------------------------------------------------------------------------------

#[test]
fn appoint_registrar_registers_identity_for_account_without_one() {
	build_and_execute(|| {
		assert_ok!(Identity::appoint_registrar(
			RuntimeOrigin::root(),
			OTHER_REGISTRAR,
			Some(LEI_B),
			FR
		));
		assert_eq!(Registrars::<Test>::get().into_inner(), vec![REGISTRAR, OTHER_REGISTRAR]);
		let identity = Identities::<Test>::get(OTHER_REGISTRAR).unwrap();
		assert_eq!(identity.roles, Roles::from(Role::Registrar));
		assert_eq!((identity.lei, identity.jurisdiction), (Some(LEI_B), FR));
		assert_eq!(identity.registered_by, None);
		assert!(Identity::has_role(&OTHER_REGISTRAR, Role::Registrar));
		System::assert_has_event(
			Event::IdentityRegistered {
				account: OTHER_REGISTRAR,
				registrar: None,
				roles: Roles::from(Role::Registrar),
				lei: Some(LEI_B),
				jurisdiction: FR,
				category: None,
			}
			.into(),
		);
		System::assert_last_event(
			Event::RegistrarAppointed {
				account: OTHER_REGISTRAR,
				roles: Roles::from(Role::Registrar),
				lei: Some(LEI_B),
				jurisdiction: FR,
			}
			.into(),
		);

		// The new registrar can work at once.
		assert_ok!(Identity::register_identity(
			signed(OTHER_REGISTRAR),
			STRANGER,
			None,
			FR,
			None,
			roles(&[Role::Auditor]),
		));
	});
}

#[test]
fn appoint_registrar_adds_role_to_existing_identity() {
	build_and_execute(|| {
		assert_ok!(Identity::appoint_registrar(RuntimeOrigin::root(), ISSUER, Some(LEI_B), FR));
		let identity = Identities::<Test>::get(ISSUER).unwrap();
		let expected = roles(&[Role::Issuer, Role::Registrar]);
		assert_eq!(identity.roles, expected);
		assert_eq!((identity.lei, identity.jurisdiction), (Some(LEI_B), FR));
		assert_eq!(identity.registered_by, Some(REGISTRAR));
		assert_eq!(Identities::<Test>::count(), 3);
		System::assert_last_event(
			Event::RegistrarAppointed {
				account: ISSUER,
				roles: expected,
				lei: Some(LEI_B),
				jurisdiction: FR,
			}
			.into(),
		);
	});
}

#[test]
fn appoint_registrar_requires_governance_origin() {
	build_and_execute(|| {
		assert_noop!(
			Identity::appoint_registrar(signed(REGISTRAR), OTHER_REGISTRAR, None, DE),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn appoint_registrar_fails_for_registrar() {
	build_and_execute(|| {
		assert_noop!(
			Identity::appoint_registrar(RuntimeOrigin::root(), REGISTRAR, None, DE),
			Error::<Test>::AlreadyRegistrar
		);
	});
}

#[test]
fn appoint_registrar_fails_when_registrars_are_full() {
	build_and_execute(|| {
		// `MaxRegistrars` is 3, one of them appointed at genesis.
		appoint(OTHER_REGISTRAR);
		appoint(3);
		assert_noop!(
			Identity::appoint_registrar(RuntimeOrigin::root(), 4, None, DE),
			Error::<Test>::TooManyRegistrars
		);
	});
}

#[test]
fn appoint_registrar_fails_for_suspended_or_revoked_identity() {
	build_and_execute(|| {
		assert_ok!(Identity::suspend(signed(REGISTRAR), ISSUER));
		assert_noop!(
			Identity::appoint_registrar(RuntimeOrigin::root(), ISSUER, None, DE),
			Error::<Test>::IdentitySuspended
		);
		assert_ok!(Identity::revoke(signed(REGISTRAR), ISSUER));
		assert_noop!(
			Identity::appoint_registrar(RuntimeOrigin::root(), ISSUER, None, DE),
			Error::<Test>::IdentityRevoked
		);
	});
}

#[test]
fn appoint_registrar_fails_for_malformed_legal_details() {
	build_and_execute(|| {
		let root = RuntimeOrigin::root;
		assert_noop!(
			Identity::appoint_registrar(
				root(),
				OTHER_REGISTRAR,
				Some(Lei(*b"5493001KJTIIGC8Y1R13")),
				DE
			),
			Error::<Test>::LeiChecksumMismatch
		);
		assert_noop!(
			Identity::appoint_registrar(
				root(),
				OTHER_REGISTRAR,
				Some(Lei(*b"5493001kjtiigc8y1r12")),
				DE
			),
			Error::<Test>::MalformedLei
		);
		assert_noop!(
			Identity::appoint_registrar(root(), OTHER_REGISTRAR, None, CountryCode(*b"d3")),
			Error::<Test>::MalformedCountryCode
		);
		assert_noop!(
			Identity::appoint_registrar(root(), OTHER_REGISTRAR, None, CountryCode(*b"QQ")),
			Error::<Test>::UnassignedCountryCode
		);
	});
}

#[test]
fn remove_registrar_takes_role_and_keeps_identity_active() {
	build_and_execute(|| {
		assert_ok!(Identity::appoint_registrar(RuntimeOrigin::root(), ISSUER, None, DE));
		assert_ok!(Identity::remove_registrar(RuntimeOrigin::root(), ISSUER));
		assert_eq!(Registrars::<Test>::get().into_inner(), vec![REGISTRAR]);
		assert!(Identity::is_active(&ISSUER));
		assert!(Identity::has_role(&ISSUER, Role::Issuer));
		assert!(!Identity::has_role(&ISSUER, Role::Registrar));
		System::assert_last_event(
			Event::RegistrarRemoved { account: ISSUER, roles: roles(&[Role::Issuer]) }.into(),
		);
		assert_noop!(
			Identity::register_identity(signed(ISSUER), STRANGER, None, DE, None, Roles::empty()),
			Error::<Test>::NotRegistrar
		);
		// Its identity is an ordinary one again.
		assert_ok!(Identity::suspend(signed(REGISTRAR), ISSUER));
	});
}

#[test]
fn governance_can_remove_the_last_registrar_and_appoint_a_new_one() {
	build_and_execute(|| {
		assert_ok!(Identity::remove_registrar(RuntimeOrigin::root(), REGISTRAR));
		assert!(Registrars::<Test>::get().is_empty());
		appoint(OTHER_REGISTRAR);
		register_auditor_by(OTHER_REGISTRAR, STRANGER);
		assert!(Identity::has_role(&STRANGER, Role::Auditor));
	});
}

fn register_auditor_by(registrar: u64, account: u64) {
	assert_ok!(Identity::register_identity(
		signed(registrar),
		account,
		None,
		DE,
		None,
		roles(&[Role::Auditor]),
	));
}

#[test]
fn remove_registrar_requires_governance_origin() {
	build_and_execute(|| {
		assert_noop!(
			Identity::remove_registrar(signed(REGISTRAR), REGISTRAR),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn remove_registrar_fails_for_account_that_is_not_a_registrar() {
	build_and_execute(|| {
		assert_noop!(
			Identity::remove_registrar(RuntimeOrigin::root(), ISSUER),
			Error::<Test>::UnknownRegistrar
		);
	});
}

// --- read helpers and invariants ---------------------------------------------------------------

#[test]
fn read_helpers_know_nothing_of_accounts_without_identity() {
	build_and_execute(|| {
		assert!(!Identity::is_active(&STRANGER));
		assert!(!Identity::has_role(&STRANGER, Role::Investor));
		assert!(!Identity::claim_valid(&STRANGER, &ClaimKind::Kyc, START));
		assert_eq!(Identity::jurisdiction(&STRANGER), None);
		assert_eq!(Identity::category(&STRANGER), None);
		assert!(!ActiveIdentities::<Test>::contains(&STRANGER));
		register_auditor(STRANGER);
		assert!(ActiveIdentities::<Test>::contains(&STRANGER));
	});
}

#[test]
fn try_state_detects_registrar_without_registrar_role() {
	new_test_ext().execute_with(|| {
		assert_ok!(Identity::do_try_state());
		Registrars::<Test>::mutate(|registrars| registrars.try_push(ISSUER).unwrap());
		assert!(Identity::do_try_state().is_err());
	});
}

#[test]
fn try_state_detects_investor_without_category() {
	new_test_ext().execute_with(|| {
		Identities::<Test>::mutate(INVESTOR, |identity| {
			identity.as_mut().unwrap().category = None;
		});
		assert!(Identity::do_try_state().is_err());
	});
}

// --- CheckIdentity -----------------------------------------------------------------------------

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![] })
}

/// Validates a remark signed by `who`, as the transaction pool would.
fn validate_signed(who: u64) -> Result<(), TransactionValidityError> {
	CheckIdentity::<Test>::new()
		.validate_only(
			RuntimeOrigin::signed(who),
			&remark(),
			&DispatchInfo::default(),
			0,
			TransactionSource::External,
			0,
		)
		.map(|_| ())
}

fn identity_required() -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(IDENTITY_REQUIRED)))
}

#[test]
fn check_identity_admits_signers_with_active_identity() {
	build_and_execute(|| {
		assert_eq!(validate_signed(INVESTOR), Ok(()));
		assert_eq!(validate_signed(REGISTRAR), Ok(()));
	});
}

#[test]
fn check_identity_rejects_signer_without_identity() {
	build_and_execute(|| {
		assert_eq!(validate_signed(STRANGER), identity_required());
	});
}

#[test]
fn check_identity_rejects_suspended_and_revoked_signers() {
	build_and_execute(|| {
		assert_ok!(Identity::suspend(signed(REGISTRAR), INVESTOR));
		assert_eq!(validate_signed(INVESTOR), identity_required());
		assert_ok!(Identity::revoke(signed(REGISTRAR), INVESTOR));
		assert_eq!(validate_signed(INVESTOR), identity_required());
	});
}

#[test]
fn check_identity_admits_exempt_signer_without_identity() {
	build_and_execute(|| {
		assert!(!Identity::is_active(&EXEMPT));
		assert_eq!(validate_signed(EXEMPT), Ok(()));
	});
}

#[test]
fn check_identity_lets_unsigned_and_root_origins_through() {
	build_and_execute(|| {
		let call = remark();
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert!(CheckIdentity::<Test>::new()
				.validate(
					origin,
					&call,
					&DispatchInfo::default(),
					0,
					(),
					&TxBaseImplication(&call),
					TransactionSource::External,
				)
				.is_ok());
		}
	});
}
