//! Genesis presets: `development` (one validator) and `local_testnet` (four validators).
//!
//! Both are test presets: they use the well-known development keys and set a sudo key. A
//! production chain spec is written by hand from a reviewed key ceremony, not from a preset.

use crate::{
	AccountId, BalancesConfig, ContractDeployersConfig, CouncilMembershipConfig, IdentityConfig,
	Runtime, RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, ValidatorSetConfig,
	UNIT,
};
use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_citybond_identity::{
	ClaimKind, CountryCode, GenesisIdentity, GenesisRegistrar, InvestorCategory, Lei, Moment, Role,
};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Name of the one-validator development preset (`--dev`).
pub const DEVELOPMENT_PRESET: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// Name of the four-validator local test network preset (`--chain local`).
pub const LOCAL_TESTNET_PRESET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;

/// `CBT` given to each endowed development account, for fees and storage deposits.
const ENDOWMENT: u128 = 1_000_000 * UNIT;

/// Genesis of a test chain: the given validators, endowed accounts, sudo key and contract
/// deployers.
fn testnet_genesis(
	validators: Vec<(AccountId, AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
	contract_deployers: Vec<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		// Aura's and GRANDPA's authorities come from the session keys below.
		validator_set: ValidatorSetConfig {
			validators: validators.iter().map(|v| v.0.clone()).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|(account, aura, grandpa)| {
					(
						account.clone(),
						account.clone(),
						SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		contract_deployers: ContractDeployersConfig {
			members: contract_deployers.try_into().unwrap_or_default(),
		},
		council_membership: CouncilMembershipConfig {
			members: council().try_into().unwrap_or_default(),
		},
		identity: demo_cast(),
	})
}

/// The council of the test presets: Alice, Bob and Charlie; two of them carry a motion.
fn council() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// Claims in the demo cast expire at 2030-01-01T00:00:00Z (milliseconds since the Unix epoch).
const DEMO_CLAIM_EXPIRY: Moment = 1_893_456_000_000;

/// The demo cast registered in both test presets:
///
/// | account | identity | roles |
/// | --- | --- | --- |
/// | Alice | CityBond Registry (NL) | Registrar (also sudo and contract deployer) |
/// | Bob | City of Rotterdam (NL) | Issuer |
/// | Charlie | retail investor (NL), KYC, residency | Investor |
/// | Dave | professional investor (NL), KYC, accreditation | Investor |
/// | Eve | institutional investor (DE), KYC, accreditation | Investor |
/// | Ferdie | settlement bank (NL) | SettlementAgent |
/// | AliceStash | green-bond verifier (NL) | Auditor |
/// | BobStash, CharlieStash, DaveStash | digital-twin operators (NL) | OracleOperator |
///
/// EveStash, FerdieStash, One and Two are funded but have no identity: they cannot transact.
/// The LEIs are syntactically valid (ISO 17442 check digits) demo values.
fn demo_cast() -> IdentityConfig {
	use Sr25519Keyring as K;
	let nl = CountryCode(*b"NL");
	let de = CountryCode(*b"DE");
	let registrar = K::Alice.to_account_id();
	let kyc = (ClaimKind::Kyc, DEMO_CLAIM_EXPIRY);
	let residency = (ClaimKind::Residency, DEMO_CLAIM_EXPIRY);
	let accreditation = (ClaimKind::Accreditation, DEMO_CLAIM_EXPIRY);
	let identity =
		|who: K,
		 role: Role,
		 lei: Option<Lei>,
		 jurisdiction: CountryCode,
		 category: Option<InvestorCategory>,
		 claims: Vec<(pallet_citybond_identity::ClaimKindOf<Runtime>, Moment)>| {
			GenesisIdentity::<Runtime> {
				account: who.to_account_id(),
				registrar: registrar.clone(),
				roles: vec![role],
				lei,
				jurisdiction,
				category,
				claims,
			}
		};
	IdentityConfig {
		registrars: vec![GenesisRegistrar::<Runtime> {
			account: registrar.clone(),
			lei: Some(Lei(*b"5493001KJTIIGC8Y1R12")),
			jurisdiction: nl,
		}],
		identities: vec![
			identity(
				K::Bob,
				Role::Issuer,
				Some(Lei(*b"529900T8BM49AURSDO55")),
				nl,
				None,
				vec![kyc.clone()],
			),
			identity(
				K::Charlie,
				Role::Investor,
				None,
				nl,
				Some(InvestorCategory::Retail),
				vec![kyc.clone(), residency.clone()],
			),
			identity(
				K::Dave,
				Role::Investor,
				None,
				nl,
				Some(InvestorCategory::Professional),
				vec![kyc.clone(), accreditation.clone()],
			),
			identity(
				K::Eve,
				Role::Investor,
				None,
				de,
				Some(InvestorCategory::Institutional),
				vec![kyc.clone(), accreditation],
			),
			identity(K::Ferdie, Role::SettlementAgent, None, nl, None, vec![kyc.clone()]),
			identity(K::AliceStash, Role::Auditor, None, nl, None, vec![kyc.clone()]),
			identity(K::BobStash, Role::OracleOperator, None, nl, None, vec![kyc.clone()]),
			identity(K::CharlieStash, Role::OracleOperator, None, nl, None, vec![kyc.clone()]),
			identity(K::DaveStash, Role::OracleOperator, None, nl, None, vec![kyc]),
		],
	}
}

/// A validator: its account and session keys (the dev keys of the same name).
fn validator(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AccountId, AuraId, GrandpaId) {
	(aura.to_account_id(), aura.public().into(), grandpa.public().into())
}

/// Endowed development accounts: the well-known keyring accounts.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// One validator (Alice), who is also sudo and the contract deployer.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		vec![Sr25519Keyring::Alice.to_account_id()],
	)
}

/// Four validators (Alice, Bob, Charlie, Dave); Alice is sudo and the contract deployer.
///
/// Four, not three: GRANDPA finalizes with more than two thirds of the votes, so it tolerates
/// `f` failed validators only with `3f + 1` of them. Three validators could not lose one.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		vec![Sr25519Keyring::Alice.to_account_id()],
	)
}

/// The JSON of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEVELOPMENT_PRESET), PresetId::from(LOCAL_TESTNET_PRESET)]
}
