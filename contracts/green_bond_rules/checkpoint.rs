//! Record-date entitlements in constant time per transfer and per claim, whatever the number
//! of holders.
//!
//! ## Design
//!
//! Record dates are numbered in schedule order. The **epoch** at time `t` is the number of
//! record dates at or before `t` ([`records_passed`]); a balance change at `t` counts for the
//! record dates with index `>= epoch(t)`. So a holder's units at record `r` form a step
//! function of `r` with a step wherever its balance changed in a new epoch.
//!
//! Each holder has a [`Holding`]: its current balance, valid for records `>= since`, and a claim
//! cursor. The first balance change in a later epoch closes the current step as a [`Segment`]
//! `(from = since) -> { balance, until = epoch }` (one storage write), unless nothing in it is
//! left to claim, in which case it is dropped. Segments are contiguous, so a holder claims its
//! records **in order** (`next_claim`), and the segment holding `next_claim` (`cursor`) is found
//! in one read; a fully claimed segment is reported so the contract can delete it.
//!
//! Records where the holder held nothing are skipped when they end the current step, so a new
//! holder starts claiming from the record date after it first received units.
//!
//! The functions check everything first and write last (through [`Checkpoints`]).

use crate::{math::Checked, schedule::CouponPeriod, Error, Timestamp};

/// The index of a record date in the schedule (the coupon period's index).
pub type RecordIndex = u32;

/// How many record dates are at or before `now`: the epoch balance changes fall in.
pub fn records_passed(schedule: &[CouponPeriod], now: Timestamp) -> Result<RecordIndex, Error> {
	let passed = schedule.partition_point(|p| p.record_date <= now);
	RecordIndex::try_from(passed).map_err(|_| Error::Overflow)
}

/// A holder's current balance and claim position.
#[derive(
	Debug,
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct Holding {
	/// Units held now; the holder's units at every record `>= since`.
	pub balance: u128,
	/// The first record the current balance counts for.
	pub since: RecordIndex,
	/// The next record to claim; all earlier ones are claimed or held nothing.
	pub next_claim: RecordIndex,
	/// The `from` of the segment that holds `next_claim`, or `since` if it is in the current
	/// step.
	pub cursor: RecordIndex,
}

/// A closed step of a holder's balance: `balance` units at records `[from, until)`.
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct Segment {
	/// Units held at those records.
	pub balance: u128,
	/// The first record it no longer covers.
	pub until: RecordIndex,
}

/// The storage the checkpoints live in: the contract implements it over `Mapping`s, the tests
/// over `BTreeMap`s.
pub trait Checkpoints<A> {
	/// `who`'s holding (the default for an unknown holder).
	fn holding(&self, who: &A) -> Holding;
	/// Stores `who`'s holding.
	fn set_holding(&mut self, who: &A, holding: Holding);
	/// `who`'s closed segment starting at record `from`.
	fn segment(&self, who: &A, from: RecordIndex) -> Option<Segment>;
	/// Stores `who`'s closed segment starting at record `from`.
	fn set_segment(&mut self, who: &A, from: RecordIndex, segment: Segment);
	/// Deletes `who`'s segment starting at `from` (fully claimed).
	fn remove_segment(&mut self, who: &A, from: RecordIndex);
}

/// Sets `who`'s balance to `balance` in epoch `epoch`, closing the current step if the epoch
/// moved on.
pub fn set_balance<A, S: Checkpoints<A>>(
	store: &mut S,
	who: &A,
	balance: u128,
	epoch: RecordIndex,
) -> Result<(), Error> {
	let mut holding = store.holding(who);
	if epoch < holding.since {
		return Err(Error::EpochInPast);
	}
	let mut closed = None;
	if holding.since < epoch {
		let cursor_in_current = holding.next_claim >= holding.since;
		if cursor_in_current && (holding.balance == 0 || holding.next_claim >= epoch) {
			// Nothing left to claim in the current step: drop it rather than store it.
			holding.next_claim = holding.next_claim.max(epoch);
			holding.cursor = epoch;
		} else {
			closed = Some(Segment { balance: holding.balance, until: epoch });
		}
		let from = holding.since;
		holding.since = epoch;
		holding.balance = balance;
		if let Some(segment) = closed {
			store.set_segment(who, from, segment);
		}
	} else {
		holding.balance = balance;
	}
	store.set_holding(who, holding);
	Ok(())
}

/// `who`'s next claim: which record, for how many units, and the writes that commit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimSlot {
	/// The record (coupon period) claimed.
	pub record: RecordIndex,
	/// Units held at that record.
	pub units: u128,
	/// The holding after the claim.
	pub holding: Holding,
	/// A segment now fully claimed, to delete.
	pub finished_segment: Option<RecordIndex>,
}

/// `who`'s next unclaimed record before `epoch`, without writing anything: the contract checks
/// the payment with it, then calls [`commit_claim`].
pub fn peek_claim<A, S: Checkpoints<A>>(
	store: &S,
	who: &A,
	epoch: RecordIndex,
) -> Result<ClaimSlot, Error> {
	let mut holding = store.holding(who);
	let record = holding.next_claim;
	if record >= epoch {
		return Err(Error::NoRecordToClaim);
	}
	let mut finished_segment = None;
	let units = if holding.cursor >= holding.since {
		holding.balance
	} else {
		let segment = store.segment(who, holding.cursor).ok_or(Error::CheckpointMissing)?;
		if record >= segment.until {
			return Err(Error::CheckpointMissing);
		}
		if record.add_c(1)? >= segment.until {
			finished_segment = Some(holding.cursor);
			holding.cursor = segment.until;
		}
		segment.balance
	};
	holding.next_claim = record.add_c(1)?;
	Ok(ClaimSlot { record, units, holding, finished_segment })
}

/// Writes a claim found by [`peek_claim`].
pub fn commit_claim<A, S: Checkpoints<A>>(store: &mut S, who: &A, slot: &ClaimSlot) {
	store.set_holding(who, slot.holding);
	if let Some(from) = slot.finished_segment {
		store.remove_segment(who, from);
	}
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use std::collections::BTreeMap;

	#[derive(Default)]
	struct Mem {
		holdings: BTreeMap<u8, Holding>,
		segments: BTreeMap<(u8, RecordIndex), Segment>,
	}

	impl Checkpoints<u8> for Mem {
		fn holding(&self, who: &u8) -> Holding {
			self.holdings.get(who).copied().unwrap_or_default()
		}
		fn set_holding(&mut self, who: &u8, holding: Holding) {
			self.holdings.insert(*who, holding);
		}
		fn segment(&self, who: &u8, from: RecordIndex) -> Option<Segment> {
			self.segments.get(&(*who, from)).copied()
		}
		fn set_segment(&mut self, who: &u8, from: RecordIndex, segment: Segment) {
			self.segments.insert((*who, from), segment);
		}
		fn remove_segment(&mut self, who: &u8, from: RecordIndex) {
			self.segments.remove(&(*who, from));
		}
	}

	fn claim(store: &mut Mem, who: u8, epoch: RecordIndex) -> Result<(RecordIndex, u128), Error> {
		let slot = peek_claim(store, &who, epoch)?;
		commit_claim(store, &who, &slot);
		Ok((slot.record, slot.units))
	}

	#[test]
	fn records_passed_counts_record_dates_up_to_now() {
		use crate::daycount::Fraction;
		let period = |index: u32, record_date| CouponPeriod {
			index,
			accrual_start: 0,
			accrual_end: 0,
			record_date,
			payment_date: 0,
			fraction: Fraction::ZERO,
		};
		let s = [period(0, 100), period(1, 200), period(2, 300)];
		assert_eq!(records_passed(&s, 99), Ok(0));
		assert_eq!(records_passed(&s, 100), Ok(1));
		assert_eq!(records_passed(&s, 299), Ok(2));
		assert_eq!(records_passed(&s, 1_000), Ok(3));
	}

	#[test]
	fn units_at_each_record_follow_the_balance_before_it() {
		let mut m = Mem::default();
		// Alice holds 10 from epoch 0, 4 from epoch 2 (a sale after record 1), 7 from epoch 3.
		set_balance(&mut m, &1, 10, 0).unwrap();
		set_balance(&mut m, &1, 4, 2).unwrap();
		set_balance(&mut m, &1, 7, 3).unwrap();
		// Four records have passed.
		assert_eq!(claim(&mut m, 1, 4), Ok((0, 10)));
		assert_eq!(claim(&mut m, 1, 4), Ok((1, 10)));
		assert_eq!(claim(&mut m, 1, 4), Ok((2, 4)));
		assert_eq!(claim(&mut m, 1, 4), Ok((3, 7)));
		assert_eq!(claim(&mut m, 1, 4), Err(Error::NoRecordToClaim));
		// Fully claimed segments were deleted.
		assert!(m.segments.is_empty());
	}

	#[test]
	fn several_changes_in_one_epoch_keep_only_the_last() {
		let mut m = Mem::default();
		set_balance(&mut m, &1, 10, 1).unwrap();
		set_balance(&mut m, &1, 3, 1).unwrap();
		set_balance(&mut m, &1, 5, 1).unwrap();
		assert_eq!(claim(&mut m, 1, 2), Ok((1, 5)));
		assert_eq!(m.segments.len(), 0);
	}

	#[test]
	fn a_new_holder_starts_at_the_record_after_it_first_received_units() {
		let mut m = Mem::default();
		set_balance(&mut m, &2, 6, 5).unwrap();
		assert_eq!(claim(&mut m, 2, 5), Err(Error::NoRecordToClaim));
		assert_eq!(claim(&mut m, 2, 6), Ok((5, 6)));
		// Selling everything in epoch 8 leaves records 6 and 7 to claim, then nothing.
		set_balance(&mut m, &2, 0, 8).unwrap();
		assert_eq!(claim(&mut m, 2, 10), Ok((6, 6)));
		assert_eq!(claim(&mut m, 2, 10), Ok((7, 6)));
		assert_eq!(claim(&mut m, 2, 10), Ok((8, 0)));
	}

	#[test]
	fn a_clock_going_backwards_is_refused() {
		let mut m = Mem::default();
		set_balance(&mut m, &1, 1, 3).unwrap();
		assert_eq!(set_balance(&mut m, &1, 2, 2), Err(Error::EpochInPast));
		assert_eq!(m.holding(&1).balance, 1);
	}

	/// Random transfers, epoch advances and claims against a model that snapshots every
	/// balance at every record date: every record with units is claimed once, in order, with
	/// the snapshot's units.
	#[test]
	fn claims_match_a_full_snapshot_model() {
		let mut seed: u64 = 7;
		let mut next = |bound: u64| {
			seed = seed
				.wrapping_mul(6_364_136_223_846_793_005)
				.wrapping_add(1_442_695_040_888_963_407);
			(seed >> 33) % bound
		};
		for _ in 0..50 {
			let holders = 6u8;
			let mut m = Mem::default();
			let mut balances = vec![0u128; usize::from(holders)];
			let mut snapshots: Vec<Vec<u128>> = Vec::new();
			let mut claimed: Vec<Vec<(RecordIndex, u128)>> = vec![Vec::new(); usize::from(holders)];
			let mut epoch: RecordIndex = 0;
			balances[0] = 1_000;
			set_balance(&mut m, &0, 1_000, 0).unwrap();
			for _ in 0..300 {
				match next(10) {
					0 | 1 => {
						snapshots.push(balances.clone());
						epoch += 1;
					}
					2..=6 => {
						let from = next(u64::from(holders)) as usize;
						let to = next(u64::from(holders)) as usize;
						let amount = u128::from(next(50)).min(balances[from]);
						if from != to {
							balances[from] -= amount;
							balances[to] += amount;
							set_balance(&mut m, &(from as u8), balances[from], epoch).unwrap();
							set_balance(&mut m, &(to as u8), balances[to], epoch).unwrap();
						}
					}
					_ => {
						let who = next(u64::from(holders)) as u8;
						match claim(&mut m, who, epoch) {
							Ok(c) => claimed[usize::from(who)].push(c),
							Err(e) => assert_eq!(e, Error::NoRecordToClaim),
						}
					}
				}
			}
			// The run must exercise many record dates and at least the first holder's claims.
			assert!(snapshots.len() > 20);
			for who in 0..holders {
				while let Ok(c) = claim(&mut m, who, epoch) {
					claimed[usize::from(who)].push(c);
				}
				let got: Vec<_> =
					claimed[usize::from(who)].iter().copied().filter(|&(_, u)| u > 0).collect();
				let expected: Vec<_> = snapshots
					.iter()
					.enumerate()
					.map(|(r, s)| (r as RecordIndex, s[usize::from(who)]))
					.filter(|&(_, u)| u > 0)
					.collect();
				assert_eq!(got, expected, "holder {who}");
				assert!(who != 0 || !expected.is_empty());
				// Claims came in strictly increasing record order.
				assert!(claimed[usize::from(who)].windows(2).all(|w| w[0].0 < w[1].0));
			}
			// Everything claimed: no segment is left behind.
			assert!(m.segments.is_empty());
		}
	}
}
