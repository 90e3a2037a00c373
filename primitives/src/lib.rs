//! CityBond's wire types, defined once.
//!
//! Each type here crosses a process boundary: the runtime answers contracts with it through the
//! CityBond chain extension, the contracts keep it in their terms and state, and the off-chain
//! services (the CLI, the API's indexer, the tests) encode and decode it. Its SCALE encoding is
//! the contract between them: variants and fields are never reordered, only appended, and the
//! tests below pin the bytes to those the runtime's own tests expect.
//!
//! `no_std` (with `alloc`) unless the `std` feature is on, so the runtime's wasm and the ink!
//! contracts build it as they build themselves.

#![cfg_attr(not(feature = "std"), no_std)]
// The `Encode` derive of an enum with a data-carrying variant (`ClaimKind::Custom`) casts a
// length in generated code, which cargo-contract's `-D clippy::cast_possible_truncation` sees.
#![allow(clippy::cast_possible_truncation)]

extern crate alloc;

use alloc::vec::Vec;
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A role an identity may hold (`pallet_citybond_identity::Role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, TypeInfo)]
pub enum Role {
	/// Registers identities and attests claims.
	Registrar,
	/// Issues bonds.
	Issuer,
	/// Subscribes to, holds and trades bonds.
	Investor,
	/// Verifies impact reports and KPI data.
	Auditor,
	/// Runs an oracle that reports KPI values.
	OracleOperator,
	/// Settles cash legs.
	SettlementAgent,
}

/// What a claim attests (`pallet_citybond_identity::ClaimKind`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum ClaimKind {
	/// Know-your-customer checks passed.
	Kyc,
	/// Accredited (qualified) investor status.
	Accreditation,
	/// Residency in the identity's jurisdiction.
	Residency,
	/// A claim defined by the deployment, named by a non-empty id of at most 32 bytes.
	Custom(Vec<u8>),
}

/// An investor's category (`pallet_citybond_identity::InvestorCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, TypeInfo)]
pub enum InvestorCategory {
	/// A retail client.
	Retail,
	/// A professional client.
	Professional,
	/// An institutional investor.
	Institutional,
}

/// Where a KPI stands (`pallet_citybond_kpi_oracle::KpiStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum KpiStatus {
	/// A quorum reported; auditors may still attest or dispute it.
	Provisional,
	/// An auditor disputed it; governance has not resolved it yet.
	Disputed,
	/// Settled: the challenge window passed, or governance upheld or replaced it.
	Final,
	/// Governance voided it.
	Voided,
	/// No quorum by the period's deadline.
	Missing,
}

/// A KPI as the chain extension reports it (`runtime::chain_extension::KpiView`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct KpiView {
	/// Where the KPI stands, as of now.
	pub status: KpiStatus,
	/// The value to use (fixed point, the feed's decimals); `None` when `Missing` or `Voided`.
	pub value: Option<i128>,
	/// How many operators' readings it was computed from.
	pub readings: u32,
	/// When it was decided (ms since the Unix epoch).
	pub decided_at: u64,
	/// When its challenge window ends (ms since the Unix epoch).
	pub challenge_end: u64,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn kpi_view_encodes_as_the_runtime_does() {
		// The same bytes as `runtime::chain_extension::tests`.
		let view = KpiView {
			status: KpiStatus::Final,
			value: Some(-5),
			readings: 3,
			decided_at: 7,
			challenge_end: 9,
		};
		let mut expected = vec![2u8, 1];
		expected.extend((-5i128).to_le_bytes());
		expected.extend(3u32.to_le_bytes());
		expected.extend(7u64.to_le_bytes());
		expected.extend(9u64.to_le_bytes());
		assert_eq!(view.encode(), expected);
		assert_eq!(KpiView::decode(&mut &expected[..]).ok(), Some(view));
	}

	#[test]
	fn roles_claims_and_categories_encode_as_the_runtime_does() {
		// `pallet_citybond_identity::Role` bit order; `ClaimKind::Custom` carries its id.
		assert_eq!(Role::Registrar.encode(), vec![0]);
		assert_eq!(Role::Issuer.encode(), vec![1]);
		assert_eq!(Role::OracleOperator.encode(), vec![4]);
		assert_eq!(Role::SettlementAgent.encode(), vec![5]);
		assert_eq!(ClaimKind::Residency.encode(), vec![2]);
		assert_eq!(ClaimKind::Custom(b"esg".to_vec()).encode(), vec![3, 12, b'e', b's', b'g']);
		assert_eq!(InvestorCategory::Retail.encode(), vec![0]);
		assert_eq!(InvestorCategory::Institutional.encode(), vec![2]);
		assert_eq!(KpiStatus::Missing.encode(), vec![4]);
	}
}
