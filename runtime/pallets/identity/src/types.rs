//! Types of the identity registry: roles, legal identifiers, claims and the identity record.
//!
//! The identifier types ([`Lei`], [`CountryCode`]) carry their raw bytes and validate on demand,
//! because they also arrive decoded from extrinsics, where no constructor can be enforced. The
//! pallet validates every one it is given before storing it.

use crate::Config;
use alloc::{string::String, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use frame_support::{
	__private::serde::{self, Deserialize, Deserializer, Serialize, Serializer},
	traits::Get,
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// A moment in time: milliseconds since the Unix epoch, as read from `Config::Time`.
pub type Moment = u64;

/// A role an identity may hold. An identity holds any number of them (see [`Roles`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(crate = "frame_support::__private::serde")]
pub enum Role {
	/// Registers identities and attests claims. Granted and withdrawn by governance only.
	Registrar,
	/// Issues bonds (a municipality or its financing vehicle).
	Issuer,
	/// Subscribes to, holds and trades bonds.
	Investor,
	/// Verifies impact reports and KPI data.
	Auditor,
	/// Runs an oracle that reports KPI values.
	OracleOperator,
	/// Settles cash legs (paying agent, custodian).
	SettlementAgent,
}

impl Role {
	/// Every role, in bit order.
	pub const ALL: [Role; 6] = [
		Role::Registrar,
		Role::Issuer,
		Role::Investor,
		Role::Auditor,
		Role::OracleOperator,
		Role::SettlementAgent,
	];

	/// The bit of this role in a [`Roles`] set.
	pub const fn bit(self) -> u8 {
		match self {
			Role::Registrar => 0b0000_0001,
			Role::Issuer => 0b0000_0010,
			Role::Investor => 0b0000_0100,
			Role::Auditor => 0b0000_1000,
			Role::OracleOperator => 0b0001_0000,
			Role::SettlementAgent => 0b0010_0000,
		}
	}
}

/// A set of [`Role`]s as a bitset: bit 0 `Registrar`, 1 `Issuer`, 2 `Investor`, 3 `Auditor`,
/// 4 `OracleOperator`, 5 `SettlementAgent`. Bits 6 and 7 are unassigned; the pallet rejects a set
/// that has them.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Roles(u8);

impl Roles {
	/// The bits that stand for a role.
	pub const KNOWN_BITS: u8 = 0b0011_1111;

	/// The empty set.
	pub const fn empty() -> Self {
		Self(0)
	}

	/// The set with exactly these bits, known or not; see [`Roles::is_valid`].
	pub const fn from_bits(bits: u8) -> Self {
		Self(bits)
	}

	/// The set of the given roles.
	pub fn from_roles(roles: &[Role]) -> Self {
		roles.iter().fold(Self::empty(), |set, role| set.with(*role))
	}

	/// The raw bits.
	pub const fn bits(self) -> u8 {
		self.0
	}

	/// Whether every set bit stands for a role.
	pub const fn is_valid(self) -> bool {
		self.0 & !Self::KNOWN_BITS == 0
	}

	/// Whether `role` is in the set.
	pub const fn contains(self, role: Role) -> bool {
		self.0 & role.bit() != 0
	}

	/// The set with `role` added.
	pub const fn with(self, role: Role) -> Self {
		Self(self.0 | role.bit())
	}

	/// The set with `role` removed.
	pub const fn without(self, role: Role) -> Self {
		Self(self.0 & !role.bit())
	}

	/// The roles in the set, in bit order.
	pub fn iter(self) -> impl Iterator<Item = Role> {
		Role::ALL.into_iter().filter(move |role| self.contains(*role))
	}
}

impl From<Role> for Roles {
	fn from(role: Role) -> Self {
		Self::empty().with(role)
	}
}

/// The MiFID II client category of an investor. Only investors have one.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(crate = "frame_support::__private::serde")]
pub enum InvestorCategory {
	/// A retail client: the highest protection, the narrowest set of products.
	Retail,
	/// A professional client.
	Professional,
	/// An institutional investor (eligible counterparty).
	Institutional,
}

/// Where an identity stands. `Revoked` is terminal.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum IdentityStatus {
	/// The identity may act in its roles.
	Active,
	/// The identity is frozen until a registrar reactivates it.
	Suspended,
	/// The identity is withdrawn for good; the account can never be registered again.
	Revoked,
}

/// Length of a legal entity identifier.
pub const LEI_LEN: usize = 20;

/// Why bytes are not a valid legal entity identifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LeiError {
	/// Not exactly 20 characters.
	WrongLength,
	/// A character other than `0-9` or `A-Z`, or a letter among the two check digits.
	InvalidCharacter,
	/// The ISO 7064 MOD 97-10 check digits do not match.
	ChecksumMismatch,
}

/// A legal entity identifier (ISO 17442): 18 uppercase alphanumeric characters followed by two
/// check digits computed with ISO 7064 MOD 97-10.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Lei(pub [u8; LEI_LEN]);

impl Lei {
	/// Parses and validates `bytes`.
	pub fn parse(bytes: &[u8]) -> Result<Self, LeiError> {
		validate_lei(bytes)?;
		let array: [u8; LEI_LEN] = bytes.try_into().map_err(|_| LeiError::WrongLength)?;
		Ok(Self(array))
	}

	/// Checks the character set and the check digits.
	pub fn validate(&self) -> Result<(), LeiError> {
		validate_lei(&self.0)
	}
}

/// Checks that `bytes` are a legal entity identifier: length, character set and check digits.
pub fn validate_lei(bytes: &[u8]) -> Result<(), LeiError> {
	if bytes.len() != LEI_LEN {
		return Err(LeiError::WrongLength);
	}
	let (body, check) = bytes.split_at(LEI_LEN.saturating_sub(2));
	if !body.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
		|| !check.iter().all(u8::is_ascii_digit)
	{
		return Err(LeiError::InvalidCharacter);
	}
	if mod97_10_remainder(bytes) != 1 {
		return Err(LeiError::ChecksumMismatch);
	}
	Ok(())
}

/// The ISO 7064 MOD 97-10 remainder of an uppercase alphanumeric string: each letter becomes
/// two digits (`A` = 10 ... `Z` = 35) and the resulting decimal number is taken modulo 97.
///
/// Computed digit by digit so the number never exceeds `96 * 100 + 35`; a valid identifier
/// leaves the remainder 1.
fn mod97_10_remainder(bytes: &[u8]) -> u32 {
	bytes.iter().fold(0u32, |remainder, byte| {
		let value = char::from(*byte).to_digit(36).unwrap_or(0);
		let scale = if value >= 10 { 100 } else { 10 };
		// Cannot saturate: remainder < 97 and value < 36.
		remainder.saturating_mul(scale).saturating_add(value) % 97
	})
}

impl fmt::Debug for Lei {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		debug_ascii(f, "Lei", &self.0)
	}
}

impl Serialize for Lei {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serialize_ascii(serializer, &self.0)
	}
}

impl<'de> Deserialize<'de> for Lei {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		deserialize_ascii(deserializer, "an LEI has 20 characters").map(Self)
	}
}

/// `Name(TEXT)` for a fixed-width ASCII code, or the raw bytes if they are not text.
fn debug_ascii(f: &mut fmt::Formatter<'_>, name: &str, bytes: &[u8]) -> fmt::Result {
	match core::str::from_utf8(bytes) {
		Ok(text) => write!(f, "{name}({text})"),
		Err(_) => write!(f, "{name}({bytes:?})"),
	}
}

/// A fixed-width ASCII code as a JSON string (how chain specs spell LEIs and country codes).
fn serialize_ascii<S: Serializer>(serializer: S, bytes: &[u8]) -> Result<S::Ok, S::Error> {
	let text = core::str::from_utf8(bytes)
		.map_err(|_| <S::Error as serde::ser::Error>::custom("code is not UTF-8"))?;
	serializer.serialize_str(text)
}

/// A fixed-width ASCII code from a JSON string of exactly `N` bytes; `wrong_length` otherwise.
fn deserialize_ascii<'de, D: Deserializer<'de>, const N: usize>(
	deserializer: D,
	wrong_length: &'static str,
) -> Result<[u8; N], D::Error> {
	let text = String::deserialize(deserializer)?;
	text.as_bytes().try_into().map_err(|_| <D::Error as serde::de::Error>::custom(wrong_length))
}

/// Why two bytes are not an assigned ISO 3166-1 alpha-2 country code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CountryCodeError {
	/// Not two uppercase ASCII letters.
	Malformed,
	/// Well formed, but not officially assigned (e.g. `XX`, or the reserved `UK` and `EU`).
	Unassigned,
}

/// A jurisdiction: an officially assigned ISO 3166-1 alpha-2 country code, e.g. `DE`.
#[derive(
	Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct CountryCode(pub [u8; 2]);

impl CountryCode {
	/// Checks that the code is two uppercase letters and officially assigned.
	pub fn validate(&self) -> Result<(), CountryCodeError> {
		if !self.0.iter().all(u8::is_ascii_uppercase) {
			return Err(CountryCodeError::Malformed);
		}
		ASSIGNED_COUNTRY_CODES
			.binary_search(&self.0)
			.map(|_| ())
			.map_err(|_| CountryCodeError::Unassigned)
	}
}

impl fmt::Debug for CountryCode {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		debug_ascii(f, "CountryCode", &self.0)
	}
}

impl Serialize for CountryCode {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serialize_ascii(serializer, &self.0)
	}
}

impl<'de> Deserialize<'de> for CountryCode {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		deserialize_ascii(deserializer, "a country code has two letters").map(Self)
	}
}

/// The officially assigned ISO 3166-1 alpha-2 codes (249), sorted for binary search.
///
/// Source: the ISO 3166 Maintenance Agency list as of ISO/TC 46 N1108 (2023-04-05), as carried by
/// the IANA time zone database (`iso3166.tab`). Exceptionally or transitionally reserved codes
/// (`UK`, `EU`, `AN`, ...) and user-assigned codes (`XK`, `XX`, ...) are not assigned. When ISO
/// assigns or withdraws a code, update this list in a runtime upgrade.
pub const ASSIGNED_COUNTRY_CODES: [[u8; 2]; 249] = [
	*b"AD", *b"AE", *b"AF", *b"AG", *b"AI", *b"AL", *b"AM", *b"AO", *b"AQ", *b"AR", *b"AS", *b"AT",
	*b"AU", *b"AW", *b"AX", *b"AZ", *b"BA", *b"BB", *b"BD", *b"BE", *b"BF", *b"BG", *b"BH", *b"BI",
	*b"BJ", *b"BL", *b"BM", *b"BN", *b"BO", *b"BQ", *b"BR", *b"BS", *b"BT", *b"BV", *b"BW", *b"BY",
	*b"BZ", *b"CA", *b"CC", *b"CD", *b"CF", *b"CG", *b"CH", *b"CI", *b"CK", *b"CL", *b"CM", *b"CN",
	*b"CO", *b"CR", *b"CU", *b"CV", *b"CW", *b"CX", *b"CY", *b"CZ", *b"DE", *b"DJ", *b"DK", *b"DM",
	*b"DO", *b"DZ", *b"EC", *b"EE", *b"EG", *b"EH", *b"ER", *b"ES", *b"ET", *b"FI", *b"FJ", *b"FK",
	*b"FM", *b"FO", *b"FR", *b"GA", *b"GB", *b"GD", *b"GE", *b"GF", *b"GG", *b"GH", *b"GI", *b"GL",
	*b"GM", *b"GN", *b"GP", *b"GQ", *b"GR", *b"GS", *b"GT", *b"GU", *b"GW", *b"GY", *b"HK", *b"HM",
	*b"HN", *b"HR", *b"HT", *b"HU", *b"ID", *b"IE", *b"IL", *b"IM", *b"IN", *b"IO", *b"IQ", *b"IR",
	*b"IS", *b"IT", *b"JE", *b"JM", *b"JO", *b"JP", *b"KE", *b"KG", *b"KH", *b"KI", *b"KM", *b"KN",
	*b"KP", *b"KR", *b"KW", *b"KY", *b"KZ", *b"LA", *b"LB", *b"LC", *b"LI", *b"LK", *b"LR", *b"LS",
	*b"LT", *b"LU", *b"LV", *b"LY", *b"MA", *b"MC", *b"MD", *b"ME", *b"MF", *b"MG", *b"MH", *b"MK",
	*b"ML", *b"MM", *b"MN", *b"MO", *b"MP", *b"MQ", *b"MR", *b"MS", *b"MT", *b"MU", *b"MV", *b"MW",
	*b"MX", *b"MY", *b"MZ", *b"NA", *b"NC", *b"NE", *b"NF", *b"NG", *b"NI", *b"NL", *b"NO", *b"NP",
	*b"NR", *b"NU", *b"NZ", *b"OM", *b"PA", *b"PE", *b"PF", *b"PG", *b"PH", *b"PK", *b"PL", *b"PM",
	*b"PN", *b"PR", *b"PS", *b"PT", *b"PW", *b"PY", *b"QA", *b"RE", *b"RO", *b"RS", *b"RU", *b"RW",
	*b"SA", *b"SB", *b"SC", *b"SD", *b"SE", *b"SG", *b"SH", *b"SI", *b"SJ", *b"SK", *b"SL", *b"SM",
	*b"SN", *b"SO", *b"SR", *b"SS", *b"ST", *b"SV", *b"SX", *b"SY", *b"SZ", *b"TC", *b"TD", *b"TF",
	*b"TG", *b"TH", *b"TJ", *b"TK", *b"TL", *b"TM", *b"TN", *b"TO", *b"TR", *b"TT", *b"TV", *b"TW",
	*b"TZ", *b"UA", *b"UG", *b"UM", *b"US", *b"UY", *b"UZ", *b"VA", *b"VC", *b"VE", *b"VG", *b"VI",
	*b"VN", *b"VU", *b"WF", *b"WS", *b"YE", *b"YT", *b"ZA", *b"ZM", *b"ZW",
];

/// What a claim attests.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
#[scale_info(skip_type_params(MaxIdLen))]
#[serde(crate = "frame_support::__private::serde", bound(serialize = "", deserialize = ""))]
pub enum ClaimKind<MaxIdLen: Get<u32>> {
	/// Know-your-customer checks passed.
	Kyc,
	/// Accredited (qualified) investor status.
	Accreditation,
	/// Residency in the identity's jurisdiction, e.g. for tax treatment.
	Residency,
	/// A claim defined by the deployment, named by a non-empty id.
	Custom(BoundedVec<u8, MaxIdLen>),
}

/// The [`ClaimKind`] of a runtime.
pub type ClaimKindOf<T> = ClaimKind<<T as Config>::MaxCustomClaimIdLen>;

/// A claim attested by a registrar about an identity.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Claim<T: Config> {
	/// What the claim attests.
	pub kind: ClaimKindOf<T>,
	/// The registrar that attested it.
	pub issuer: T::AccountId,
	/// The claim holds while `now < expiry` (milliseconds since the Unix epoch).
	pub expiry: Moment,
	/// A registrar withdrew the claim before its expiry.
	pub revoked: bool,
}

impl<T: Config> Claim<T> {
	/// Whether the claim holds at `now`: not revoked and not expired.
	pub fn is_valid_at(&self, now: Moment) -> bool {
		!self.revoked && now < self.expiry
	}
}

/// The identity of an account: who it is, what it may do, and what has been attested about it.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct IdentityInfo<T: Config> {
	/// Where the identity stands.
	pub status: IdentityStatus,
	/// The roles it holds; they count only while the identity is active.
	pub roles: Roles,
	/// Legal entity identifier, for organisations; `None` for natural persons.
	pub lei: Option<Lei>,
	/// The jurisdiction the identity is established in.
	pub jurisdiction: CountryCode,
	/// The investor category; set exactly when `roles` contains [`Role::Investor`].
	pub category: Option<InvestorCategory>,
	/// The registrar that registered it; `None` when governance did (appointing a registrar).
	pub registered_by: Option<T::AccountId>,
	/// Claims, at most one per kind. Expired and revoked claims stay until their slot is needed.
	pub claims: BoundedVec<Claim<T>, T::MaxClaims>,
}

/// A registrar appointed at genesis.
#[derive(CloneNoBound, DebugNoBound, Serialize, Deserialize)]
#[serde(crate = "frame_support::__private::serde", bound(serialize = "", deserialize = ""))]
pub struct GenesisRegistrar<T: Config> {
	/// The registrar's account.
	pub account: T::AccountId,
	/// Its legal entity identifier.
	pub lei: Option<Lei>,
	/// Its jurisdiction.
	pub jurisdiction: CountryCode,
}

/// An identity registered at genesis by one of the genesis registrars.
#[derive(CloneNoBound, DebugNoBound, Serialize, Deserialize)]
#[serde(crate = "frame_support::__private::serde", bound(serialize = "", deserialize = ""))]
pub struct GenesisIdentity<T: Config> {
	/// The account.
	pub account: T::AccountId,
	/// The genesis registrar that registers it and attests its claims.
	pub registrar: T::AccountId,
	/// Its roles; `Registrar` is not allowed here (list the account as a registrar instead).
	pub roles: Vec<Role>,
	/// Its legal entity identifier, for organisations.
	pub lei: Option<Lei>,
	/// Its jurisdiction.
	pub jurisdiction: CountryCode,
	/// Its investor category; required exactly for investors.
	pub category: Option<InvestorCategory>,
	/// Claims attested by `registrar`, with their expiry (milliseconds since the Unix epoch).
	pub claims: Vec<(ClaimKindOf<T>, Moment)>,
}
