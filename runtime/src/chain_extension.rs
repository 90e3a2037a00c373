//! The CityBond chain extension: read-only facts from the identity registry and the KPI oracle,
//! for ink! contracts (the green bond checks its holders and reads its KPIs through it).
//!
//! A contract calls `seal_call_chain_extension` with `id = (EXTENSION_ID << 16) | function`
//! and the SCALE encoding of the function's arguments (concatenated, as a tuple); it gets back
//! the SCALE encoding of the answer and status code 0. Nothing here writes state or dispatches
//! a call. The ink! side is the `citybond_env` crate in `contracts/`, which mirrors these ids
//! and types.
//!
//! | function | id | arguments | answer |
//! |---|---|---|---|
//! | `is_active` | `0x0001` | `AccountId` | `bool` |
//! | `has_role` | `0x0002` | `AccountId, Role` | `bool` |
//! | `claim_valid` | `0x0003` | `AccountId, ClaimKind, u64 at` | `bool` |
//! | `jurisdiction` | `0x0004` | `AccountId` | `Option<[u8; 2]>` |
//! | `category` | `0x0005` | `AccountId` | `Option<InvestorCategory>` |
//! | `kpi` | `0x0101` | `u32 feed, u32 period` | `Option<KpiView>` |
//! | `feed` | `0x0102` | `u32 feed` | `Option<FeedView>` |
//! | `current_period` | `0x0103` | `u32 feed` | `Option<u32>` |
//!
//! Answers are "as of now", like the pallets' own reads: an identity that is suspended or
//! revoked is not active and holds no role; a KPI past its challenge window reads `Final`, a
//! period past its deadline without a quorum reads `Missing`.
//!
//! **Errors**: an unknown extension or function id, or arguments that do not decode, end the
//! contract call with an error (the contract traps). That is a contract bug, not a state of the
//! world, so it gets no status code.
//!
//! **Weight**: each function is charged before it runs: its storage reads at the runtime's
//! `DbWeight` (ref time) and the largest encoding of what it reads (proof size), plus a fixed
//! 10 µs for decoding the arguments and encoding and copying the answer (at most 80 bytes).

use crate::{AccountId, Runtime};
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::weights::Weight;
use pallet_citybond_identity::{ClaimKindOf, IdentityInfo, Role};
use pallet_citybond_kpi_oracle::{
	FeedId, FeedInfo, KpiRecord, KpiStatus, Moment, PeriodIndex, Value,
};
use pallet_contracts::chain_extension::{
	BufInBufOutState, ChainExtension, Environment, Ext, InitState, Result, RetVal,
};
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

/// The extension id contracts use: 0xCB ("CityBond").
pub const EXTENSION_ID: u16 = 0xCB;

/// What a contract learns about a KPI.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct KpiView {
	/// Where the KPI stands (as of now).
	pub status: KpiStatus,
	/// The value the bond should use: the median, or governance's replacement; `None` when
	/// `Missing` or `Voided`.
	pub value: Option<Value>,
	/// How many operators' readings the KPI was computed from (or had arrived by the deadline).
	pub readings: u32,
	/// When it was decided (ms since the Unix epoch): the quorum, or the deadline if `Missing`.
	pub decided_at: Moment,
	/// When its challenge window ends (ms since the Unix epoch).
	pub challenge_end: Moment,
}

/// What a contract learns about a feed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct FeedView {
	/// The issuer that manages the feed; `None` for a feed governance created.
	pub owner: Option<AccountId>,
	/// The decimals of the feed's fixed-point values.
	pub decimals: u8,
	/// When period 0 starts (ms since the Unix epoch).
	pub first_start: Moment,
	/// How long every period is (ms).
	pub period_length: Moment,
	/// How long after a period's end its reports are accepted (ms); then it is `Missing`.
	pub max_report_age: Moment,
	/// How long auditors may attest or dispute a new KPI (ms).
	pub challenge_window: Moment,
	/// How many operators' reports make a KPI.
	pub quorum: u32,
	/// How many operators the feed has had, retired ones included.
	pub operators: u32,
}

/// Function ids within [`EXTENSION_ID`].
mod function {
	pub const IS_ACTIVE: u16 = 0x0001;
	pub const HAS_ROLE: u16 = 0x0002;
	pub const CLAIM_VALID: u16 = 0x0003;
	pub const JURISDICTION: u16 = 0x0004;
	pub const CATEGORY: u16 = 0x0005;
	pub const KPI: u16 = 0x0101;
	pub const FEED: u16 = 0x0102;
	pub const CURRENT_PERIOD: u16 = 0x0103;
}

/// Fixed cost of one call besides its storage reads: argument decoding and answer encoding.
const OVERHEAD: Weight = Weight::from_parts(10_000_000, 0);

/// The largest encoding of `T`, as proof size.
fn proof_of<T: MaxEncodedLen>() -> Weight {
	Weight::from_parts(0, u64::try_from(T::max_encoded_len()).unwrap_or(u64::MAX))
}

/// The charge for `reads` storage reads proving at most `proof` bytes.
fn cost(reads: u64, proof: Weight) -> Weight {
	<Runtime as frame_system::Config>::DbWeight::get()
		.reads(reads)
		.saturating_add(proof)
		.saturating_add(OVERHEAD)
}

/// One identity read.
fn identity_read() -> Weight {
	cost(1, proof_of::<IdentityInfo<Runtime>>())
}

/// A KPI read: the record, the feed (for a period without a record), its round, and the clock.
fn kpi_read() -> Weight {
	cost(
		4,
		proof_of::<KpiRecord<Runtime>>()
			.saturating_add(proof_of::<FeedInfo<Runtime>>())
			.saturating_add(proof_of::<
				frame_support::BoundedVec<
					pallet_citybond_kpi_oracle::Reading<Runtime>,
					<Runtime as pallet_citybond_kpi_oracle::Config>::MaxOperatorsPerFeed,
				>,
			>())
			.saturating_add(proof_of::<u64>()),
	)
}

/// A feed read (and the clock, for `current_period`).
fn feed_read() -> Weight {
	cost(2, proof_of::<FeedInfo<Runtime>>().saturating_add(proof_of::<u64>()))
}

/// Decodes the arguments: exactly the input, which must be no longer than their largest
/// encoding (so the charged weight covers reading them).
fn read_input<A: Decode + MaxEncodedLen, E: Ext<T = Runtime>>(
	env: &mut Environment<E, BufInBufOutState>,
) -> Result<A> {
	let len = env.in_len();
	if usize::try_from(len).map_or(true, |len| len > A::max_encoded_len()) {
		return Err(DispatchError::Other("CityBond: chain extension arguments too long"));
	}
	env.read_as_unbounded(len)
}

/// The chain extension of the CityBond runtime (see the module docs).
#[derive(Default)]
pub struct CityBondExtension;

impl ChainExtension<Runtime> for CityBondExtension {
	fn call<E: Ext<T = Runtime>>(&mut self, env: Environment<E, InitState>) -> Result<RetVal> {
		if env.ext_id() != EXTENSION_ID {
			return Err(DispatchError::Other("CityBond: unknown chain extension id"));
		}
		let func_id = env.func_id();
		let mut env = env.buf_in_buf_out();
		let answer = match func_id {
			function::IS_ACTIVE => {
				env.charge_weight(identity_read())?;
				let who: AccountId = read_input(&mut env)?;
				crate::Identity::is_active(&who).encode()
			}
			function::HAS_ROLE => {
				env.charge_weight(identity_read())?;
				let (who, role): (AccountId, Role) = read_input(&mut env)?;
				crate::Identity::has_role(&who, role).encode()
			}
			function::CLAIM_VALID => {
				env.charge_weight(identity_read())?;
				let (who, kind, at): (AccountId, ClaimKindOf<Runtime>, Moment) =
					read_input(&mut env)?;
				crate::Identity::claim_valid(&who, &kind, at).encode()
			}
			function::JURISDICTION => {
				env.charge_weight(identity_read())?;
				let who: AccountId = read_input(&mut env)?;
				crate::Identity::jurisdiction(&who).encode()
			}
			function::CATEGORY => {
				env.charge_weight(identity_read())?;
				let who: AccountId = read_input(&mut env)?;
				crate::Identity::category(&who).encode()
			}
			function::KPI => {
				env.charge_weight(kpi_read())?;
				let (feed, period): (FeedId, PeriodIndex) = read_input(&mut env)?;
				crate::KpiOracle::kpi(feed, period)
					.map(|record| KpiView {
						status: record.status,
						value: record.value,
						readings: record.readings,
						decided_at: record.decided_at,
						challenge_end: record.challenge_end,
					})
					.encode()
			}
			function::FEED => {
				env.charge_weight(feed_read())?;
				let feed: FeedId = read_input(&mut env)?;
				crate::KpiOracle::feed(feed)
					.map(|info| FeedView {
						owner: info.owner,
						decimals: info.metadata.decimals,
						first_start: info.params.schedule.first_start,
						period_length: info.params.schedule.length,
						max_report_age: info.params.max_report_age,
						challenge_window: info.params.challenge_window,
						quorum: info.params.quorum,
						operators: info.operators,
					})
					.encode()
			}
			function::CURRENT_PERIOD => {
				env.charge_weight(feed_read())?;
				let feed: FeedId = read_input(&mut env)?;
				crate::KpiOracle::current_period(feed).encode()
			}
			_ => return Err(DispatchError::Other("CityBond: unknown chain extension function")),
		};
		env.write(&answer, false, None)?;
		Ok(RetVal::Converging(0))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_citybond_identity::InvestorCategory;

	#[test]
	fn kpi_view_encodes_as_the_contract_side_expects() {
		// The ink! side decodes `Option<KpiView>` field by field in this order.
		let view = KpiView {
			status: KpiStatus::Final,
			value: Some(-5),
			readings: 3,
			decided_at: 7,
			challenge_end: 9,
		};
		let mut expected = vec![2u8]; // Final is the third variant
		expected.push(1);
		expected.extend((-5i128).to_le_bytes());
		expected.extend(3u32.to_le_bytes());
		expected.extend(7u64.to_le_bytes());
		expected.extend(9u64.to_le_bytes());
		assert_eq!(view.encode(), expected);
	}

	#[test]
	fn roles_and_claims_encode_as_the_contract_side_expects() {
		// The same bytes as `citybond_env`'s tests.
		assert_eq!(Role::Registrar.encode(), vec![0]);
		assert_eq!(Role::OracleOperator.encode(), vec![4]);
		assert_eq!(Role::SettlementAgent.encode(), vec![5]);
		let residency: ClaimKindOf<Runtime> = pallet_citybond_identity::ClaimKind::Residency;
		assert_eq!(residency.encode(), vec![2]);
		let custom: ClaimKindOf<Runtime> =
			pallet_citybond_identity::ClaimKind::Custom(b"esg".to_vec().try_into().unwrap());
		assert_eq!(custom.encode(), vec![3, 12, b'e', b's', b'g']);
		assert_eq!(InvestorCategory::Institutional.encode(), vec![2]);
	}
}
