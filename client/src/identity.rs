//! The identity registry (`Identity` pallet): what registrars do, and reading an identity.

use crate::{submit_ok, Client, TxEvents};
use anyhow::{Context, Result};
use subxt::ext::{scale_decode::DecodeAsType, scale_value::Value};
use subxt_signer::sr25519::Keypair;

pub use citybond_primitives::Role;

/// Every role, in the order of their bits in the registry's role set.
pub const ROLES: [Role; 6] = [
	Role::Registrar,
	Role::Issuer,
	Role::Investor,
	Role::Auditor,
	Role::OracleOperator,
	Role::SettlementAgent,
];

/// `role`'s bit in the registry's role set: `1 << ` its index (`pallet_citybond_identity::Role::bit`).
pub fn bit(role: Role) -> u8 {
	1 << (role as u8)
}

/// The roles whose bits are set in `bits`.
pub fn roles_of(bits: u8) -> Vec<Role> {
	ROLES.into_iter().filter(|role| bits & bit(*role) != 0).collect()
}

/// An investor category (MiFID II client classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub enum Category {
	/// Retail client.
	Retail,
	/// Professional client.
	Professional,
	/// Institutional investor (eligible counterparty).
	Institutional,
}

impl Category {
	fn name(self) -> &'static str {
		match self {
			Category::Retail => "Retail",
			Category::Professional => "Professional",
			Category::Institutional => "Institutional",
		}
	}
}

/// What a claim attests.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub enum ClaimKind {
	/// Know-your-customer checks passed.
	Kyc,
	/// Accredited (qualified) investor.
	Accreditation,
	/// Resident of the identity's jurisdiction.
	Residency,
	/// A claim the deployment defines, by id.
	Custom(Vec<u8>),
}

impl ClaimKind {
	/// The call argument.
	pub fn value(&self) -> Value {
		match self {
			ClaimKind::Kyc => Value::unnamed_variant("Kyc", []),
			ClaimKind::Accreditation => Value::unnamed_variant("Accreditation", []),
			ClaimKind::Residency => Value::unnamed_variant("Residency", []),
			ClaimKind::Custom(id) => Value::unnamed_variant("Custom", [Value::from_bytes(id)]),
		}
	}
}

/// Where an identity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub enum Status {
	/// May act in its roles.
	Active,
	/// Frozen until a registrar reactivates it.
	Suspended,
	/// Withdrawn for good.
	Revoked,
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Claim {
	/// What it attests.
	pub kind: ClaimKind,
	/// The registrar that attested it.
	pub issuer: [u8; 32],
	/// It holds while now < expiry (ms since the Unix epoch).
	pub expiry: u64,
	/// Withdrawn before expiry.
	pub revoked: bool,
}

/// The role set as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Roles(pub u8);

/// An LEI as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Lei(pub [u8; 20]);

/// A country code as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Country(pub [u8; 2]);

/// An identity as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Identity {
	/// Where it stands.
	pub status: Status,
	/// Its roles (they count only while it is active).
	pub roles: Roles,
	/// Its legal entity identifier, for organisations.
	pub lei: Option<Lei>,
	/// Its jurisdiction.
	pub jurisdiction: Country,
	/// Its investor category, exactly when it holds the Investor role.
	pub category: Option<Category>,
	/// The registrar that registered it (`None`: governance).
	pub registered_by: Option<[u8; 32]>,
	/// Its claims.
	pub claims: Vec<Claim>,
}

/// `who`'s identity, if any.
pub async fn identity(client: &Client, who: [u8; 32]) -> Result<Option<Identity>> {
	let at = client.at_current_block().await?;
	let found = at
		.storage()
		.try_fetch(
			subxt::dynamic::storage::<([u8; 32],), Identity>("Identity", "Identities"),
			(who,),
		)
		.await
		.context("read Identity::Identities")?;
	found.map(|value| value.decode().context("decode an identity")).transpose()
}

fn account(who: [u8; 32]) -> Value {
	Value::unnamed_variant("Id", [Value::from_bytes(who)])
}

fn roles_value(roles: &[Role]) -> Value {
	let bits = roles.iter().fold(0u8, |bits, role| bits | bit(*role));
	Value::unnamed_composite([Value::u128(bits.into())])
}

fn option(value: Option<Value>) -> Value {
	match value {
		Some(v) => Value::unnamed_variant("Some", [v]),
		None => Value::unnamed_variant("None", []),
	}
}

/// `registrar` registers `who`, active, with these details (`Identity.register_identity`).
pub async fn register(
	client: &Client,
	registrar: &Keypair,
	who: [u8; 32],
	lei: Option<[u8; 20]>,
	jurisdiction: [u8; 2],
	category: Option<Category>,
	roles: &[Role],
) -> Result<TxEvents> {
	let args = vec![
		account(who),
		option(lei.map(Value::from_bytes)),
		Value::from_bytes(jurisdiction),
		option(category.map(|c| Value::unnamed_variant(c.name(), []))),
		roles_value(roles),
	];
	submit_ok(client, registrar, "Identity", "register_identity", args).await
}

/// `registrar` attests `kind` about `who` until `expiry` (ms; `Identity.add_claim`).
pub async fn add_claim(
	client: &Client,
	registrar: &Keypair,
	who: [u8; 32],
	kind: &ClaimKind,
	expiry: u64,
) -> Result<TxEvents> {
	let args = vec![account(who), kind.value(), Value::u128(expiry.into())];
	submit_ok(client, registrar, "Identity", "add_claim", args).await
}

/// `registrar` withdraws `who`'s claim of `kind` (`Identity.revoke_claim`).
pub async fn revoke_claim(
	client: &Client,
	registrar: &Keypair,
	who: [u8; 32],
	kind: &ClaimKind,
) -> Result<TxEvents> {
	submit_ok(client, registrar, "Identity", "revoke_claim", vec![account(who), kind.value()]).await
}

/// `registrar` suspends, reactivates or revokes `who`'s identity (`call`: `suspend`,
/// `reactivate` or `revoke`).
pub async fn set_status(
	client: &Client,
	registrar: &Keypair,
	call: &'static str,
	who: [u8; 32],
) -> Result<TxEvents> {
	submit_ok(client, registrar, "Identity", call, vec![account(who)]).await
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn role_bits_follow_the_registry() {
		// Bob, the genesis issuer, holds roles 2; the registry's investor bit is 4.
		assert_eq!(bit(Role::Issuer), 2);
		assert_eq!(bit(Role::Investor), 4);
		assert_eq!(bit(Role::SettlementAgent), 32);
		assert_eq!(roles_of(0b10_0110), vec![Role::Issuer, Role::Investor, Role::SettlementAgent]);
	}
}
