//! # Green bond rules
//!
//! The rules of CityBond's KPI-linked municipal green bond as plain Rust, with no contract
//! environment: the `green_bond` ink! contract runs them on chain, and the off-chain tools (the
//! `citybond` CLI's term sheets, the tests) run the very same code, so a term sheet the CLI
//! accepts is one the contract accepts, and a schedule it previews is the one the contract
//! stores. Only `parity-scale-codec`, `scale-info` and `citybond-primitives` are needed;
//! `no_std` with `alloc` unless `std` is on.
//!
//! ## Map
//!
//! - [`calendar`]: dates (proleptic Gregorian, UTC) to and from contract time (milliseconds since
//!   the Unix epoch), weekdays, month arithmetic, business-day conventions.
//! - [`daycount`]: accrual fractions as exact rationals: 30/360 (Bond Basis), 30E/360,
//!   ACT/365F, ACT/360, ACT/ACT ICMA.
//! - [`schedule`]: the coupon schedule (accrual, record and payment dates, fractions), for
//!   calendar frequencies and for the compressed periods of a development chain.
//! - [`terms`]: the bond's terms, their validation (one error per bad field) and their
//!   deterministic encoding for hashing.
//! - [`kpi_link`]: KPI targets, the fallback clause, and the coupon rate of each period.
//! - [`allocation`]: closing the book: cancellation below the minimum raise, the resident
//!   priority tranche, pro-rata allocation in whole denominations, refunds.
//! - [`payout`]: per-unit coupon and redemption amounts, and the distribution of what the
//!   issuer funded (in full, or pro rata after a default) without creating or destroying cash.
//! - [`checkpoint`]: each holder's units at each record date, kept in constant time per
//!   transfer and per claim whatever the number of holders.
//! - [`data`]: the bond's state machine: subscription, book closing, transfers and their
//!   compliance, coupon fixing, funding, claims, redemption, call, default, agent controls and
//!   reports; storage through a trait, cash movements returned as instructions.
//! - [`error`]: the one [`Error`](error::Error) enum.
//! - `fixture` (tests, and the `fixture` feature): a valid set of terms to vary in tests.
//!
//! ## Units
//!
//! - Money is an integer number of the cash token's smallest unit ([`Balance`]).
//! - One bond token is one denomination (the ICMA "Calculation Amount"): holdings are always
//!   whole denominations, so every holder's coupon is an exact multiple of one per-unit amount.
//! - Rates are basis points (1 bp = 1/10 000); KPI values are `i128` fixed point with the feed's
//!   decimals. No floating point is used anywhere.
//! - Time is [`Timestamp`]: milliseconds since the Unix epoch, UTC, as the contract reads it.
#![cfg_attr(not(feature = "std"), no_std)]
// The `Encode` derive of an enum with data-carrying variants casts a length in generated code,
// which cargo-contract's `-D clippy::cast_possible_truncation` sees in dependencies.
#![allow(clippy::cast_possible_truncation)]

extern crate alloc;

pub mod allocation;
pub mod calendar;
pub mod checkpoint;
pub mod data;
pub mod daycount;
pub mod error;
#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
pub mod kpi_link;
mod math;
pub mod payout;
pub mod schedule;
pub mod terms;

pub use error::Error;

/// Amounts in the cash token's smallest unit (e.g. cents for a 2-decimal currency).
pub type Balance = u128;

/// Milliseconds since the Unix epoch (UTC), the contract's clock.
pub type Timestamp = u64;

/// A rate in basis points: 1 bp is 1/10 000, so 425 is 4.25 %.
pub type Bps = u32;

/// Basis points in one whole (100 %).
pub const BPS_DENOMINATOR: u128 = 10_000;
