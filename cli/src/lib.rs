//! The `citybond` command line, as a library: its commands ([`app`]), the signer's key
//! ([`keys`]), term sheets ([`term_sheet`]) and the figures they are written in ([`units`]).
//!
//! A term sheet is checked with the green bond's own rules (the `green_bond_rules` crate the
//! contract is built from), so what the CLI accepts offline is what the contract accepts at
//! instantiation, and the schedule it previews is the schedule the contract stores.

pub mod app;
pub mod keys;
pub mod term_sheet;
pub mod units;

use blake2::{digest::consts::U32, Blake2b, Digest};
use term_sheet::Terms;

/// The terms' hash as the contract computes and publishes it (`terms_hash`): blake2-256 of
/// the terms' hashing payload.
pub fn terms_hash(terms: &Terms) -> [u8; 32] {
	terms.hash_with(|payload| Blake2b::<U32>::digest(payload).into())
}
