//! The chain side: the feed's on-chain configuration (`KpiOracleApi_feed`), whether a report is
//! on chain (`KpiOracleApi_verify_report`), and submission of `KpiOracle.submit_report` as a
//! dynamic transaction: it returns once the report is in a best block, and hands back a
//! [`Finality`] to follow it to a finalized block.

use crate::report::SignedReport;
use codec::{Decode, Encode};
use subxt::{
	client::OnlineClientAtBlockImpl,
	config::SubstrateExtrinsicParamsBuilder,
	error::{DispatchError, TransactionEventsError},
	ext::scale_value::Value,
	transactions::{TransactionProgress, TransactionStatus},
	OnlineClient, SubstrateConfig,
};
use subxt_signer::sr25519::Keypair;

/// How long a submission is followed until it is in a finalized block.
pub const FINALITY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The chain client.
pub type Client = OnlineClient<SubstrateConfig>;

/// `PeriodSchedule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Schedule {
	/// Start of period 0, ms.
	pub first_start: u64,
	/// Period length, ms.
	pub length: u64,
}

impl Schedule {
	/// Start of `period`, ms.
	pub fn start(&self, period: u32) -> Option<u64> {
		self.length.checked_mul(u64::from(period))?.checked_add(self.first_start)
	}

	/// End (exclusive) of `period`, ms.
	pub fn end(&self, period: u32) -> Option<u64> {
		self.start(period)?.checked_add(self.length)
	}

	/// The period containing `now` (0 before the schedule starts).
	pub fn current(&self, now: u64) -> u32 {
		now.checked_sub(self.first_start)
			.and_then(|elapsed| elapsed.checked_div(self.length))
			.map(|period| u32::try_from(period).unwrap_or(u32::MAX))
			.unwrap_or(0)
	}
}

/// `FeedMetadata`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FeedMetadata {
	/// Description.
	pub description: Vec<u8>,
	/// NGSI-LD entity id.
	pub entity_id: Vec<u8>,
	/// NGSI-LD attribute (the KPI's name).
	pub attribute: Vec<u8>,
	/// UN/CEFACT unit.
	pub unit: Vec<u8>,
	/// Fixed-point decimals.
	pub decimals: u8,
}

/// `FeedParams`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FeedParams {
	/// The periods.
	pub schedule: Schedule,
	/// Reports per KPI.
	pub quorum: u32,
	/// Age after which a report is stale, ms.
	pub max_report_age: u64,
	/// Smallest plausible value.
	pub min_value: i128,
	/// Largest plausible value.
	pub max_value: i128,
	/// Outlier tolerance, parts per million.
	pub outlier_tolerance: u32,
	/// Challenge window, ms.
	pub challenge_window: u64,
}

impl FeedParams {
	/// When reports for `period` stop being accepted, ms.
	pub fn deadline(&self, period: u32) -> Option<u64> {
		self.schedule.end(period)?.checked_add(self.max_report_age)
	}
}

/// `FeedInfo`, as `KpiOracleApi_feed` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct FeedInfo {
	/// The issuer that owns it.
	pub owner: Option<[u8; 32]>,
	/// What it measures.
	pub metadata: FeedMetadata,
	/// Its rules.
	pub params: FeedParams,
	/// Operators ever.
	pub operators: u32,
}

/// Why the chain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// The node did not answer.
	#[error("node unreachable at {url}: {reason}")]
	Unreachable {
		/// Its URL.
		url: String,
		/// Why.
		reason: String,
	},
	/// A read failed.
	#[error("reading the chain failed: {0}")]
	Read(String),
}

/// How a submission ended when it did not get in.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
	/// The runtime refused the report: a pallet error, final.
	#[error("rejected by the chain: {error}: {meaning}")]
	Rejected {
		/// `Pallet::Error`.
		error: String,
		/// What it means.
		meaning: &'static str,
	},
	/// Anything else (connection, pool, finality): may succeed when retried.
	#[error("submission failed: {0}")]
	Transient(String),
	/// The report itself is malformed.
	#[error("{0}")]
	Malformed(String),
}

/// What the pallet's errors mean for an operator.
pub fn explain(error: &str) -> &'static str {
	let name = error.rsplit("::").next().unwrap_or(error);
	match name {
		"UnknownFeed" => "there is no feed with this id",
		"InvalidWindow" => "the observation window does not end after it starts",
		"FutureWindow" => "the observation window ends in the future (check the clocks)",
		"PeriodNotClosed" => "the period has not ended yet on chain (check the clocks)",
		"WindowOutsidePeriod" => "the observation window is not within the period",
		"StaleReport" => "the report is older than the feed's maximum report age",
		"ValueOutOfBounds" => "the value is outside the feed's plausible bounds",
		"UnknownKey" => "this ed25519 key is not the key of any operator of the feed",
		"KeyNotValidForPeriod" => "the key is not the operator's key in effect for this period",
		"InvalidSignature" => {
			"the signature does not verify for this chain, feed, period and payload"
		}
		"DuplicateReport" => "this operator already reported for this period",
		"PeriodAlreadyDecided" => "the period already has a KPI (or is Missing)",
		"OperatorRetired" => "the operator is retired for this period",
		"UnknownOperator" => "the account is not an operator of the feed",
		"PeriodOutOfRange" => "the period's times do not fit the schedule",
		_ => "see the KPI oracle pallet's documentation",
	}
}

/// Whether a pallet error only says the report came too early for the chain's clock (the
/// latest block's time is before the period's end): a clock drift between the oracle and the
/// chain, not a fault of the report. Such a report is sent again, the same bytes, until its
/// deadline; every other pallet error is final.
pub fn is_early(error: &str) -> bool {
	let name = error.rsplit("::").next().unwrap_or(error);
	matches!(name, "FutureWindow" | "PeriodNotClosed")
}

/// A connection to a node.
#[derive(Clone)]
pub struct Chain {
	client: Client,
	url: String,
	/// For `system_accountNextIndex`: reports are sent before the previous ones are finalized,
	/// so the nonce is the node's next one (best block and pool), not the finalized block's.
	rpc: subxt::rpcs::RpcClient,
	/// One submission at a time per process, so that each gets the next nonce.
	submitting: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// Where an included report landed.
#[derive(Debug)]
pub struct Included {
	/// The extrinsic hash.
	pub tx_hash: String,
	/// The best block it is in (not final yet).
	pub block_hash: String,
	/// Follows it to a finalized block.
	pub finality: Finality,
}

/// A report in a best block, followed until its block is finalized.
#[derive(Debug)]
pub struct Finality {
	progress: TransactionProgress<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>,
	/// Already known: the first block the node reported it in was finalized.
	finalized: Option<String>,
}

impl Finality {
	/// The finalized block the report is in (another than the best block it was first seen in
	/// if a fork was retracted), or why it is not known to be: dropped, invalid, or not
	/// finalized within [`FINALITY_TIMEOUT`]. Then it may still be on chain: look it up.
	pub async fn wait(mut self) -> Result<String, String> {
		if let Some(block) = self.finalized {
			return Ok(block);
		}
		let follow = async {
			while let Some(status) = self.progress.next().await {
				match status.map_err(|e| e.to_string())? {
					TransactionStatus::InFinalizedBlock(block) => {
						return Ok(format!("0x{}", hex::encode(block.block_hash().0)));
					}
					TransactionStatus::Error { message }
					| TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message } => return Err(message),
					_ => {}
				}
			}
			Err("the node stopped reporting the transaction's status".to_string())
		};
		tokio::time::timeout(FINALITY_TIMEOUT, follow)
			.await
			.map_err(|_| format!("not finalized within {FINALITY_TIMEOUT:?}"))?
	}
}

impl Chain {
	/// Connects to the node at `url` (ws:// or wss://).
	pub async fn connect(url: &str) -> Result<Self, ChainError> {
		let unreachable = |reason: String| ChainError::Unreachable { url: url.into(), reason };
		let rpc = subxt::rpcs::RpcClient::from_insecure_url(url)
			.await
			.map_err(|e| unreachable(e.to_string()))?;
		let client =
			Client::from_rpc_client(rpc.clone()).await.map_err(|e| unreachable(e.to_string()))?;
		Ok(Self { client, url: url.into(), rpc, submitting: Default::default() })
	}

	/// The node's URL.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The genesis hash the reports are signed for.
	pub fn genesis(&self) -> [u8; 32] {
		self.client.genesis_hash().0
	}

	async fn call(&self, function: &str, args: &[u8]) -> Result<Vec<u8>, ChainError> {
		let at = self.client.at_current_block().await.map_err(|e| ChainError::Unreachable {
			url: self.url.clone(),
			reason: e.to_string(),
		})?;
		at.runtime_apis()
			.call_raw(function, Some(args))
			.await
			.map_err(|e| ChainError::Read(format!("{function}: {e}")))
	}

	/// The feed `id`, as of the latest finalized block.
	pub async fn feed(&self, id: u32) -> Result<Option<FeedInfo>, ChainError> {
		let bytes = self.call("KpiOracleApi_feed", &id.encode()).await?;
		Option::<FeedInfo>::decode(&mut &bytes[..])
			.map_err(|e| ChainError::Read(format!("decode KpiOracleApi_feed: {e}")))
	}

	/// Whether `operator`'s report for `period` of `feed` is on chain (and verifies).
	pub async fn report_on_chain(
		&self,
		feed: u32,
		period: u32,
		operator: [u8; 32],
	) -> Result<Option<bool>, ChainError> {
		let bytes =
			self.call("KpiOracleApi_verify_report", &(feed, period, operator).encode()).await?;
		Option::<bool>::decode(&mut &bytes[..])
			.map_err(|e| ChainError::Read(format!("decode KpiOracleApi_verify_report: {e}")))
	}

	/// The account an operator key is registered for (`KpiOracle.KeyOwners`), if any.
	pub async fn key_owner(&self, key: [u8; 32]) -> Result<Option<[u8; 32]>, ChainError> {
		let at = self.client.at_current_block().await.map_err(|e| ChainError::Unreachable {
			url: self.url.clone(),
			reason: e.to_string(),
		})?;
		let address = subxt::dynamic::storage::<([u8; 32],), Value>("KpiOracle", "KeyOwners");
		let owner = at
			.storage()
			.try_fetch(address, (key,))
			.await
			.map_err(|e| ChainError::Read(format!("KpiOracle.KeyOwners: {e}")))?;
		owner
			.map(|value| <[u8; 32]>::decode(&mut value.bytes()))
			.transpose()
			.map_err(|e| ChainError::Read(format!("decode KpiOracle.KeyOwners: {e}")))
	}

	/// The chain's clock at the latest finalized block (`Timestamp.Now`, ms).
	pub async fn now_ms(&self) -> Result<u64, ChainError> {
		let at = self.client.at_current_block().await.map_err(|e| ChainError::Unreachable {
			url: self.url.clone(),
			reason: e.to_string(),
		})?;
		let address = subxt::dynamic::storage::<(), Value>("Timestamp", "Now");
		let now = at
			.storage()
			.try_fetch(address, ())
			.await
			.map_err(|e| ChainError::Read(format!("Timestamp.Now: {e}")))?;
		now.map(|value| u64::decode(&mut value.bytes()))
			.transpose()
			.map_err(|e| ChainError::Read(format!("decode Timestamp.Now: {e}")))
			.map(Option::unwrap_or_default)
	}

	/// Submits `report` signed by `signer` and waits until it is in a best block; the caller
	/// follows it to finality with [`Included::finality`].
	pub async fn submit(
		&self,
		signer: &Keypair,
		report: &SignedReport,
	) -> Result<Included, SubmitError> {
		let malformed = |e: crate::report::KeyError| SubmitError::Malformed(e.to_string());
		let payload = report.payload().map_err(malformed)?;
		let args = vec![
			Value::named_composite([
				("feed", Value::u128(payload.feed.into())),
				("period", Value::u128(payload.period.into())),
				("value", Value::i128(payload.value)),
				("window_start", Value::u128(payload.window_start.into())),
				("window_end", Value::u128(payload.window_end.into())),
				("payload_hash", Value::from_bytes(payload.payload_hash)),
				("devices_hash", Value::from_bytes(payload.devices_hash)),
			]),
			Value::from_bytes(report.key().map_err(malformed)?),
			Value::from_bytes(report.signature_bytes().map_err(malformed)?),
		];
		let call = subxt::dynamic::tx("KpiOracle", "submit_report", args);
		let transient = |e: String| SubmitError::Transient(e);
		let mut progress = {
			let _one_at_a_time = self.submitting.lock().await;
			let account = signer.public_key().to_account_id();
			let nonce: u64 = self
				.rpc
				.request("system_accountNextIndex", subxt::rpcs::rpc_params![account])
				.await
				.map_err(|e| transient(format!("system_accountNextIndex: {e}")))?;
			let params = SubstrateExtrinsicParamsBuilder::new().nonce(nonce).build();
			let at = self.client.at_current_block().await.map_err(|e| transient(e.to_string()))?;
			at.transactions()
				.sign_and_submit_then_watch(&call, signer, params)
				.await
				.map_err(|e| transient(e.to_string()))?
		};
		let tx_hash = format!("0x{}", hex::encode(progress.extrinsic_hash().0));
		// A stalled chain must not hold the oracle for good: give up waiting, look the report
		// up on chain, and resend (a second copy fails as a duplicate, which the caller reads as
		// included).
		let in_block = tokio::time::timeout(FINALITY_TIMEOUT, async {
			while let Some(status) = progress.next().await {
				match status.map_err(|e| e.to_string())? {
					TransactionStatus::InBestBlock(block) => return Ok((block, false)),
					TransactionStatus::InFinalizedBlock(block) => return Ok((block, true)),
					TransactionStatus::Error { message }
					| TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message } => return Err(message),
					_ => {}
				}
			}
			Err("the node stopped reporting the transaction's status".to_string())
		})
		.await
		.map_err(|_| format!("not in a block within {FINALITY_TIMEOUT:?}"))
		.and_then(|result| result);
		let (in_block, final_already) = in_block.map_err(transient)?;
		let block_hash = format!("0x{}", hex::encode(in_block.block_hash().0));
		match in_block.wait_for_success().await {
			Ok(_) => {
				let finalized = final_already.then(|| block_hash.clone());
				Ok(Included { tx_hash, block_hash, finality: Finality { progress, finalized } })
			}
			Err(TransactionEventsError::ExtrinsicFailed(error)) => {
				let error = match &error {
					DispatchError::Module(module) => module.details_string(),
					other => format!("{other:?}"),
				};
				let meaning = explain(&error);
				Err(SubmitError::Rejected { error, meaning })
			}
			Err(e) => Err(transient(e.to_string())),
		}
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;

	#[test]
	fn schedules_give_windows_and_current_periods() {
		let schedule = Schedule { first_start: 1_000, length: 500 };
		assert_eq!(schedule.start(2), Some(2_000));
		assert_eq!(schedule.end(2), Some(2_500));
		assert_eq!(schedule.current(999), 0);
		assert_eq!(schedule.current(2_499), 2);
		assert_eq!(schedule.current(2_500), 3);
		assert_eq!(Schedule { first_start: 0, length: 1 }.end(u32::MAX), Some(1 << 32));
	}

	#[test]
	fn feed_info_decodes_what_the_runtime_encodes() {
		let info = FeedInfo {
			owner: Some([2; 32]),
			metadata: FeedMetadata {
				description: b"d".to_vec(),
				entity_id: b"urn:e".to_vec(),
				attribute: b"a".to_vec(),
				unit: b"KWH".to_vec(),
				decimals: 3,
			},
			params: FeedParams {
				schedule: Schedule { first_start: 5, length: 6 },
				quorum: 2,
				max_report_age: 7,
				min_value: -1,
				max_value: 1,
				outlier_tolerance: 50_000,
				challenge_window: 8,
			},
			operators: 3,
		};
		let bytes = Some(info.clone()).encode();
		assert_eq!(Option::<FeedInfo>::decode(&mut &bytes[..]).unwrap(), Some(info));
		assert_eq!(explain("KpiOracle::StaleReport"), explain("StaleReport"));
	}

	#[test]
	fn a_report_early_for_the_chains_clock_is_retried_and_other_rejections_are_final() {
		// The chain's clock runs behind ours: the report is sent again, not failed.
		assert!(is_early("KpiOracle::FutureWindow"));
		assert!(is_early("KpiOracle::PeriodNotClosed"));
		assert!(is_early("PeriodNotClosed"));
		for error in [
			"KpiOracle::StaleReport",
			"KpiOracle::InvalidSignature",
			"KpiOracle::DuplicateReport",
			"KpiOracle::ValueOutOfBounds",
			"KpiOracle::PeriodAlreadyDecided",
			"Other::FutureWindowed",
		] {
			assert!(!is_early(error), "{error} must be final");
		}
	}
}
