//! The oracle's work: for each closed period of each feed it serves, read the source data,
//! apply the data-quality rules, compute the KPI, sign, record, submit, and report what it did.
//!
//! Every period goes through the store's state machine (`migrations/0001_reports.sql`,
//! `0002_refusal_retries.sql`) before anything is sent, so a restart resumes where the last run
//! stopped: a signed period is never evaluated or signed again; a `pending` or `submitted` one is
//! first looked up on chain and only resent (the same signed bytes) if it is not there.
//!
//! Nothing a passing fault causes is final before the period's deadline. A broker that cannot
//! be read leaves no row: the next round reads it again. A refused period is evaluated again
//! after [`RETRY_FIRST_MS`], then waits doubling up to [`RETRY_MAX_MS`], with a last chance just
//! before it leaves the open periods ([`retry_at`]); only then is its refusal final (readings
//! that arrive late after a broker or gateway outage across the period's end get it signed,
//! not Missing). A report the chain refuses as early for its clock (`FutureWindow`,
//! `PeriodNotClosed`: its latest block is older than the period's end) is a clock drift, not a
//! fault: it is sent again, the same bytes, with backoff and on later rounds, until the
//! deadline.
//!
//! A report is `included` as soon as it is in a best block; the oracle then goes on with the next
//! period while a task follows the report to a finalized block (`finalized`), and puts it back to
//! `pending` (sent again, the same bytes) if it left the chain instead. Feeds are served
//! concurrently.

use crate::{
	chain::{Chain, FeedInfo, FeedParams, Finality, SubmitError},
	config::FeedConfig,
	kpi::{self, Reading, Refusal, Rules},
	ngsi::{self, Instance, NgsiError, Representation, SourceDocument},
	provenance,
	report::{OperatorKey, ReportPayload, SignedReport},
	store::{Decision, Outcome, State, Store, StoreError},
};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use subxt_signer::sr25519::Keypair;

/// A report is not sent when its deadline is closer than this (ms): it would arrive stale.
pub const DEADLINE_MARGIN_MS: u64 = 2_000;

/// The first wait before a refused period is evaluated again, ms; each further refusal doubles
/// it, up to [`RETRY_MAX_MS`].
pub const RETRY_FIRST_MS: u64 = 2_000;

/// The longest wait between two evaluations of a refused period, ms.
pub const RETRY_MAX_MS: u64 = 300_000;

/// What the oracle computed for a period, ready to sign.
#[derive(Clone, Debug)]
pub struct Evaluation {
	/// The payload.
	pub payload: ReportPayload,
	/// The KPI before rounding to the feed's decimals.
	pub kpi: Decimal,
	/// The readings used, per attribute.
	pub readings: Vec<(String, Vec<Reading>)>,
	/// The devices, sorted.
	pub devices: Vec<String>,
	/// The broker's responses.
	pub documents: Vec<SourceDocument>,
}

/// Why a period was not evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
	/// The data broke a rule: refuse to sign.
	#[error("refused to sign: {refusal}")]
	Refused {
		/// Why.
		refusal: Refusal,
		/// What the broker answered.
		documents: Vec<SourceDocument>,
	},
	/// The broker could not be read.
	#[error(transparent)]
	Broker(#[from] NgsiError),
	/// The configuration does not fit the feed or the source.
	#[error("{0}")]
	Config(String),
}

fn ms_to_time(ms: u64) -> Result<DateTime<Utc>, EvalError> {
	i64::try_from(ms)
		.ok()
		.and_then(DateTime::from_timestamp_millis)
		.ok_or_else(|| EvalError::Config(format!("time {ms} ms is out of range")))
}

/// The attributes a feed reads: its attribute, and the baseline attribute if any.
pub fn attributes(feed: &FeedConfig) -> Vec<String> {
	let mut attributes = vec![feed.attribute.clone()];
	if let Ok(Some(kpi::Baseline::Attribute(baseline))) = feed.formula.baseline() {
		attributes.push(baseline.to_string());
	}
	attributes
}

/// Checks that the feed's entity exists at the broker and has its attributes.
pub async fn check_source(feed: &FeedConfig, client: &ngsi::Client) -> Result<(), EvalError> {
	let attributes = attributes(feed);
	let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
	let response = client.entity(&feed.entity, &names, Representation::Normalized).await?;
	for name in &names {
		if !response.entity.attributes.contains_key(*name) {
			return Err(EvalError::Config(format!(
				"entity {} has no attribute {name:?} at {}",
				feed.entity,
				response
					.documents
					.first()
					.map(|document| document.url.as_str())
					.unwrap_or_default()
			)));
		}
	}
	Ok(())
}

/// Checks the configuration against the feed's on-chain metadata: the KPI's unit.
pub fn check_feed(feed: &FeedConfig, info: &FeedInfo) -> Result<(), EvalError> {
	let unit = String::from_utf8_lossy(&info.metadata.unit);
	if unit != feed.kpi_unit() {
		return Err(EvalError::Config(format!(
			"feed {}: the chain declares unit {unit}, the configuration computes {}",
			feed.id,
			feed.kpi_unit()
		)));
	}
	Ok(())
}

/// Reads and checks the source data of `period` and computes its report.
pub async fn evaluate(
	feed: &FeedConfig,
	params: &FeedParams,
	decimals: u8,
	client: &ngsi::Client,
	period: u32,
	now: DateTime<Utc>,
	max_skew: Duration,
) -> Result<Evaluation, EvalError> {
	let out_of_range = || EvalError::Config(format!("period {period} is out of range"));
	let window_start = params.schedule.start(period).ok_or_else(out_of_range)?;
	let window_end = params.schedule.end(period).ok_or_else(out_of_range)?;
	let (start, end) = (ms_to_time(window_start)?, ms_to_time(window_end)?);
	let attributes = attributes(feed);
	let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
	// The alarm attributes' histories come with the readings', to match them by instant.
	let mut asked = names.clone();
	asked.extend(feed.alarms.iter().map(String::as_str).filter(|alarm| !names.contains(alarm)));

	let response = client.temporal(&feed.entity, &asked, start, end, feed.representation).await?;
	let mut documents = response.documents.clone();
	let refuse = |refusal: Refusal, documents: &[SourceDocument]| EvalError::Refused {
		refusal,
		documents: documents.to_vec(),
	};
	if let Some(broker_time) = response.broker_time {
		let skew = broker_time.signed_duration_since(now).abs();
		if skew > max_skew {
			let refusal = Refusal::ClockSkew {
				skew_ms: skew.num_milliseconds(),
				max_skew_ms: max_skew.num_milliseconds(),
			};
			return Err(refuse(refusal, &documents));
		}
	}
	let mut entity = response.entity;
	if feed.representation == Representation::KeyValues {
		// The simplified history has values and times only: unit, device and sub-properties
		// come from the entity's normalized current state.
		let current = client.entity(&feed.entity, &asked, Representation::Normalized).await?;
		documents.extend(current.documents);
		for name in &asked {
			let Some(state) = current.entity.attributes.get(*name).and_then(|all| all.first())
			else {
				continue;
			};
			for instance in entity.attributes.get_mut(*name).into_iter().flatten() {
				instance.unit = state.unit.clone();
				instance.observed_by = state.observed_by.clone();
				instance.sub_properties = state.sub_properties.clone();
			}
		}
	}
	let alarms: Vec<(String, Vec<Instance>)> = feed
		.alarms
		.iter()
		.map(|name| (name.clone(), entity.attributes.remove(name).unwrap_or_default()))
		.collect();

	let mut readings = Vec::new();
	for name in &names {
		let instances = entity.attributes.remove(*name).unwrap_or_default();
		let rules = Rules {
			start,
			end,
			max_gap: Duration::milliseconds(feed.max_gap_ms),
			now,
			max_skew,
			unit: &feed.unit,
			cumulative: feed.formula.is_cumulative(),
			flags: &feed.flags,
			alarms: &alarms,
			clear: &feed.clear_values,
		};
		let checked =
			kpi::check(&instances, &rules).map_err(|refusal| refuse(refusal, &documents))?;
		readings.push((name.to_string(), checked));
	}
	let values = |index: usize| -> Vec<Decimal> {
		readings
			.get(index)
			.map(|(_, series)| series.iter().map(|r| r.value).collect())
			.unwrap_or_default()
	};
	let primary = values(0);
	let baseline = (readings.len() > 1).then(|| values(1));
	let kpi =
		feed.formula.compute(&primary, baseline.as_deref()).map_err(|r| refuse(r, &documents))?;
	let value = kpi::to_fixed(kpi, decimals).map_err(|r| refuse(r, &documents))?;
	if !(params.min_value..=params.max_value).contains(&value) {
		let refusal = Refusal::OutOfBounds { value, min: params.min_value, max: params.max_value };
		return Err(refuse(refusal, &documents));
	}

	let series = readings
		.iter()
		.map(|(attribute, readings)| provenance::Series { attribute, readings })
		.collect();
	let source = provenance::Source {
		feed: feed.id,
		period,
		window_start,
		window_end,
		entity: &feed.entity,
		series,
	};
	let payload_hash = provenance::payload_hash(&source);
	let devices = provenance::devices(readings.iter().flat_map(|(_, series)| series));
	let devices_hash = provenance::devices_hash(&devices);
	Ok(Evaluation {
		payload: ReportPayload {
			feed: feed.id,
			period,
			value,
			window_start,
			window_end,
			payload_hash,
			devices_hash,
		},
		kpi,
		readings,
		devices,
		documents,
	})
}

/// What the oracle did, printed as one JSON line on stdout per event.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
	/// A report was signed (dry run: not submitted).
	Signed {
		/// The decimal KPI.
		kpi: String,
		/// The signed report.
		report: SignedReport,
	},
	/// A report is in a best block (`finalized` follows once that block, or the one it ends up
	/// in, is final).
	Included {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
		/// The value.
		value: String,
		/// The extrinsic hash, when this run sent it.
		tx_hash: Option<String>,
		/// The block.
		block_hash: Option<String>,
		/// Whether it was found on chain rather than sent by this run.
		recovered: bool,
	},
	/// The data failed a quality rule; nothing was signed.
	Refused {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
		/// A short code.
		code: String,
		/// Why.
		reason: String,
		/// When the period is evaluated again (ms since the Unix epoch): the data may still
		/// come whole before the deadline. Absent when the refusal is final.
		#[serde(skip_serializing_if = "Option::is_none")]
		retry_at_ms: Option<u64>,
	},
	/// The chain rejected the report.
	Rejected {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
		/// The pallet error.
		error: String,
		/// What it means.
		meaning: String,
	},
	/// The period was decided by the other operators' reports before this one arrived (a quorum
	/// of m of n with m < n): the report was not needed. Not a fault of this operator.
	Superseded {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
	},
	/// An included report is in a finalized block.
	Finalized {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
		/// The finalized block (none when the report was found on chain by a lookup).
		block_hash: Option<String>,
	},
	/// Sending failed for now (the node, or a chain clock behind ours), or an included report
	/// left the chain; sent again on the next round.
	Deferred {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
		/// Why.
		reason: String,
	},
}

/// Prints an event on stdout.
pub fn emit(event: &Event) {
	if let Ok(line) = serde_json::to_string(event) {
		println!("{line}");
	}
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
	/// The store failed.
	#[error(transparent)]
	Store(#[from] StoreError),
	/// The chain could not be read.
	#[error(transparent)]
	Chain(#[from] crate::chain::ChainError),
	/// The broker could not be read.
	#[error(transparent)]
	Broker(#[from] NgsiError),
	/// The configuration does not fit.
	#[error("{0}")]
	Config(String),
}

/// A feed the oracle serves: its configuration, its on-chain rules and the broker client.
#[derive(Clone, Debug)]
pub struct Target {
	/// The configuration.
	pub config: FeedConfig,
	/// The on-chain feed.
	pub info: FeedInfo,
	/// The broker.
	pub client: ngsi::Client,
}

/// The periods of `params` that are closed (`settle_ms` ago) and whose deadline is not within
/// [`DEADLINE_MARGIN_MS`] of `now`, oldest first.
pub fn open_periods(params: &FeedParams, now_ms: u64, settle_ms: u64) -> Vec<u32> {
	let schedule = params.schedule;
	if now_ms < schedule.first_start {
		return Vec::new();
	}
	let mut periods = Vec::new();
	let mut period = schedule.current(now_ms);
	for _ in 0..10_000 {
		let (Some(end), Some(deadline)) = (schedule.end(period), params.deadline(period)) else {
			break;
		};
		if deadline <= now_ms.saturating_add(DEADLINE_MARGIN_MS) {
			break;
		}
		if end.saturating_add(settle_ms) <= now_ms {
			periods.push(period);
		}
		let Some(previous) = period.checked_sub(1) else { break };
		period = previous;
	}
	periods.reverse();
	periods
}

/// When a period refused at `now_ms` for the `evaluations`-th time is evaluated again: after
/// [`RETRY_FIRST_MS`], doubled for each earlier refusal, at most [`RETRY_MAX_MS`], and no later
/// than a last chance [`RETRY_FIRST_MS`] before the period leaves the open periods (its deadline
/// less [`DEADLINE_MARGIN_MS`]). `None` when there is no time left: the refusal is final.
pub fn retry_at(params: &FeedParams, period: u32, evaluations: u32, now_ms: u64) -> Option<u64> {
	let closes = params.deadline(period)?.checked_sub(DEADLINE_MARGIN_MS)?;
	let last_chance = closes.checked_sub(RETRY_FIRST_MS)?;
	let doublings = evaluations.saturating_sub(1).min(16);
	let wait = RETRY_FIRST_MS.saturating_mul(1u64 << doublings).min(RETRY_MAX_MS);
	let at = now_ms.saturating_add(wait).min(last_chance);
	(at > now_ms).then_some(at)
}

/// What [`decide`] did with a period.
#[derive(Clone, Debug, PartialEq)]
pub enum Decided {
	/// Nothing to do now: the period is decided, or a refusal waits for its retry.
	Nothing,
	/// A report is recorded (signed just now, or earlier and not known to be on chain): send it.
	Send(Option<SignedReport>),
	/// The data broke a rule; recorded, and evaluated again later if the event says when.
	Refused(Event),
}

/// The chain-free half of a round for one period: from the period's row, evaluate it (first
/// time, or a refusal whose retry is due), sign and record the result, or hand back the report
/// recorded earlier. A broker that cannot be read is an error and nothing is recorded, so the
/// next round reads it again.
pub async fn decide(
	store: &Store,
	key: &OperatorKey,
	genesis: &[u8; 32],
	target: &Target,
	period: u32,
	now: DateTime<Utc>,
	max_skew: Duration,
) -> Result<Decided, OracleError> {
	let feed = target.config.id;
	let key_hex = key.public_hex();
	let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
	let mut evaluations = 0u32;
	if let Some(record) = store.get(feed, period, &key_hex).await? {
		match record.state {
			State::Pending | State::Submitted => return Ok(Decided::Send(record.signed_report)),
			State::Refused if record.retry_at.is_some_and(|at| at <= now_ms) => {
				tracing::info!(
					feed,
					period,
					evaluations = record.evaluations,
					"evaluating a refused period again"
				);
				evaluations = record.evaluations;
			}
			_ => return Ok(Decided::Nothing),
		}
	}
	let params = &target.info.params;
	let decimals = target.info.metadata.decimals;
	let window = (
		params.schedule.start(period).unwrap_or_default(),
		params.schedule.end(period).unwrap_or_default(),
	);
	match evaluate(&target.config, params, decimals, &target.client, period, now, max_skew).await {
		Ok(evaluation) => {
			let report = key.sign(&evaluation.payload, genesis);
			let kpi = evaluation.kpi.normalize().to_string();
			let decision =
				Decision::Signed { kpi: &kpi, report: &report, readings: &evaluation.readings };
			tracing::info!(feed, period, %kpi, value = %report.value, devices = ?evaluation.devices, "signed");
			if !store
				.record(feed, period, &key_hex, window, decision, &evaluation.documents)
				.await?
			{
				return Ok(Decided::Nothing);
			}
			Ok(Decided::Send(Some(report)))
		}
		Err(EvalError::Refused { refusal, documents }) => {
			let reason = refusal.to_string();
			let retry = retry_at(params, period, evaluations.saturating_add(1), now_ms);
			tracing::warn!(feed, period, code = refusal.code(), %reason, retry_at_ms = ?retry, "refused to sign");
			let decision =
				Decision::Refused { code: refusal.code(), reason: &reason, retry_at: retry };
			if !store.record(feed, period, &key_hex, window, decision, &documents).await? {
				return Ok(Decided::Nothing);
			}
			Ok(Decided::Refused(Event::Refused {
				feed,
				period,
				code: refusal.code().into(),
				reason,
				retry_at_ms: retry,
			}))
		}
		Err(EvalError::Broker(error)) => Err(error.into()),
		Err(EvalError::Config(error)) => Err(OracleError::Config(error)),
	}
}

/// Why a superseded report is recorded `failed` without being a fault.
const SUPERSEDED: &str =
	"not needed: the other operators' reports reached the quorum first and decided the period";

/// Whether the chain refused a report because the period was already decided: by the quorum
/// of the other operators (or `Missing` past its deadline, which a report sent in time cannot
/// meet). Such a report is superseded, not rejected.
pub fn is_superseded(error: &str) -> bool {
	error == "PeriodAlreadyDecided" || error.ends_with("::PeriodAlreadyDecided")
}

/// Whether `operator`'s report for `period` of `feed` is in a finalized block, or gets there
/// within about 30 s (finality trails the best block by a few blocks).
async fn found_finalized(chain: &Chain, feed: u32, period: u32, operator: [u8; 32]) -> bool {
	for attempt in 0..10 {
		if attempt > 0 {
			tokio::time::sleep(std::time::Duration::from_secs(3)).await;
		}
		match chain.report_on_chain(feed, period, operator).await {
			Ok(Some(_)) => return true,
			Ok(None) => {}
			Err(error) => tracing::warn!(feed, period, %error, "could not look the report up"),
		}
	}
	false
}

/// The running oracle.
pub struct Oracle {
	/// The chain.
	pub chain: Chain,
	/// The operator's report key.
	pub key: OperatorKey,
	/// The submitting account.
	pub signer: Keypair,
	/// The operator account whose reports are looked up on chain.
	pub operator: [u8; 32],
	/// The store.
	pub store: Store,
	/// The feeds.
	pub targets: Vec<Target>,
	/// How long after a period's end to read it, ms.
	pub settle_ms: u64,
	/// Tolerated clock skew.
	pub max_skew: Duration,
	/// Submission attempts per round.
	pub attempts: u32,
	/// Only this period, if given.
	pub only_period: Option<u32>,
	/// The tasks following included reports to finality.
	pub finality: std::sync::Mutex<tokio::task::JoinSet<Result<Event, StoreError>>>,
}

/// What a round did.
#[derive(Default, Debug, Clone)]
pub struct Summary {
	/// Events emitted.
	pub events: Vec<Event>,
	/// Why a feed could not be read from its broker this round.
	pub broker_errors: Vec<String>,
}

impl Summary {
	/// Whether any period was refused.
	pub fn refused(&self) -> bool {
		self.events.iter().any(|event| matches!(event, Event::Refused { .. }))
	}

	/// Whether the chain rejected any report.
	pub fn rejected(&self) -> bool {
		self.events.iter().any(|event| matches!(event, Event::Rejected { .. }))
	}
}

impl Oracle {
	fn key_hex(&self) -> String {
		self.key.public_hex()
	}

	/// Resumes `pending` and `submitted` periods left by an earlier run.
	pub async fn recover(&self) -> Result<Summary, OracleError> {
		let mut summary = Summary::default();
		let unfinished =
			self.store.in_states(&self.key_hex(), &[State::Pending, State::Submitted]).await?;
		for record in unfinished {
			let Some(target) = self.targets.iter().find(|t| t.config.id == record.feed) else {
				continue;
			};
			tracing::info!(feed = record.feed, period = record.period, state = ?record.state, "resuming");
			let event = self.send(target, record.period, record.signed_report).await?;
			emit(&event);
			summary.events.push(event);
		}
		Ok(summary)
	}

	/// One round: every open period of every feed that has no row yet, or is refused and due
	/// for its retry, is evaluated, recorded and submitted; `pending` rows are sent again. The feeds are served concurrently; the
	/// round also collects what the finality tasks that ended since the last one found.
	pub async fn round(&self, now: DateTime<Utc>) -> Result<Summary, OracleError> {
		let mut summary = Summary::default();
		let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
		let feeds = self.targets.iter().map(|target| self.feed(target, now_ms));
		for result in subxt::ext::futures::future::join_all(feeds).await {
			let (events, broker_error) = result?;
			summary.events.extend(events);
			summary.broker_errors.extend(broker_error);
		}
		summary.events.extend(self.followed(false).await);
		Ok(summary)
	}

	/// The open periods of one feed, oldest first: the events, and why the broker failed.
	async fn feed(
		&self,
		target: &Target,
		now_ms: u64,
	) -> Result<(Vec<Event>, Option<String>), OracleError> {
		let mut events = Vec::new();
		let periods = open_periods(&target.info.params, now_ms, self.settle_ms);
		for period in periods.into_iter().filter(|p| self.only_period.is_none_or(|only| *p == only))
		{
			match self.period(target, period).await {
				Ok(Some(event)) => {
					emit(&event);
					events.push(event);
				}
				Ok(None) => {}
				// The broker may come back: this feed waits for the next round, the others
				// go on. Nothing was recorded for the period, so it is read again.
				Err(OracleError::Broker(error)) => {
					tracing::error!(feed = target.config.id, period, %error, "broker unavailable");
					return Ok((events, Some(error.to_string())));
				}
				Err(error) => return Err(error),
			}
		}
		Ok((events, None))
	}

	/// The events of the finality tasks that ended (already printed); with `all`, waits for
	/// every task to end.
	pub async fn followed(&self, all: bool) -> Vec<Event> {
		let mut ended = Vec::new();
		if all {
			loop {
				let mut tasks = match self.finality.lock() {
					Ok(mut tasks) => std::mem::take(&mut *tasks),
					Err(_) => break,
				};
				if tasks.is_empty() {
					break;
				}
				while let Some(result) = tasks.join_next().await {
					ended.push(result);
				}
			}
		} else if let Ok(mut tasks) = self.finality.lock() {
			while let Some(result) = tasks.try_join_next() {
				ended.push(result);
			}
		}
		ended
			.into_iter()
			.filter_map(|result| match result {
				Ok(Ok(event)) => Some(event),
				Ok(Err(error)) => {
					tracing::error!(%error, "recording finality failed");
					None
				}
				Err(error) => {
					tracing::error!(%error, "a finality task failed");
					None
				}
			})
			.collect()
	}

	/// Follows an included report to finality in the background: `finalized` if it gets there
	/// (the row's block updated if it moved to another fork), back to `pending` if it left the
	/// chain.
	fn follow(&self, feed: u32, period: u32, best_block: String, finality: Finality) {
		let (chain, store, operator, key) =
			(self.chain.clone(), self.store.clone(), self.operator, self.key_hex());
		let task = async move {
			let event = match finality.wait().await {
				Ok(block) => {
					if block != best_block {
						let outcome = Outcome { block_hash: Some(&block), ..Default::default() };
						store.transition(feed, period, &key, State::Included, outcome).await?;
					}
					tracing::info!(feed, period, %block, "finalized");
					Event::Finalized { feed, period, block_hash: Some(block) }
				}
				Err(reason) => {
					tracing::warn!(feed, period, %reason, "lost track of an included report");
					if found_finalized(&chain, feed, period, operator).await {
						Event::Finalized { feed, period, block_hash: None }
					} else {
						let reason = format!("the report left the chain: {reason}");
						tracing::error!(feed, period, %reason, "sending it again");
						let outcome = Outcome { reason: Some(&reason), ..Default::default() };
						store.transition(feed, period, &key, State::Pending, outcome).await?;
						Event::Deferred { feed, period, reason }
					}
				}
			};
			emit(&event);
			Ok(event)
		};
		if let Ok(mut tasks) = self.finality.lock() {
			tasks.spawn(task);
		}
	}

	async fn period(&self, target: &Target, period: u32) -> Result<Option<Event>, OracleError> {
		// The clock as the data is read, not as the round began: a round that waited for
		// finality must not mistake the broker's clock for a skewed one.
		let now = Utc::now();
		let genesis = self.chain.genesis();
		match decide(&self.store, &self.key, &genesis, target, period, now, self.max_skew).await? {
			Decided::Nothing => Ok(None),
			Decided::Send(report) => Ok(Some(self.send(target, period, report).await?)),
			Decided::Refused(event) => Ok(Some(event)),
		}
	}

	async fn on_chain(&self, feed: u32, period: u32) -> bool {
		match self.chain.report_on_chain(feed, period, self.operator).await {
			Ok(found) => found.is_some(),
			Err(error) => {
				tracing::warn!(feed, period, %error, "could not look the report up on chain");
				false
			}
		}
	}

	async fn found(&self, feed: u32, period: u32, value: String) -> Result<Event, OracleError> {
		let key = self.key_hex();
		self.store.transition(feed, period, &key, State::Included, Outcome::default()).await?;
		tracing::info!(feed, period, "already on chain");
		Ok(Event::Included {
			feed,
			period,
			value,
			tx_hash: None,
			block_hash: None,
			recovered: true,
		})
	}

	/// Sends a recorded report, unless it is on chain already; retries transient failures, and
	/// rejections for a chain clock behind ours, with backoff, then leaves the report `pending`
	/// for the next round (until its deadline).
	async fn send(
		&self,
		target: &Target,
		period: u32,
		report: Option<SignedReport>,
	) -> Result<Event, OracleError> {
		let feed = target.config.id;
		let key = self.key_hex();
		let Some(report) = report else {
			return Err(OracleError::Config(format!(
				"feed {feed} period {period}: no report stored"
			)));
		};
		let value = report.value.clone();
		if self.on_chain(feed, period).await {
			return self.found(feed, period, value).await;
		}
		let now_ms = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
		let deadline = target.info.params.deadline(period).unwrap_or(0);
		if deadline <= now_ms {
			let reason = "the period's deadline passed before the report got in";
			let outcome = Outcome {
				code: Some("deadline_passed"),
				reason: Some(reason),
				..Default::default()
			};
			self.store.transition(feed, period, &key, State::Failed, outcome).await?;
			tracing::error!(feed, period, reason);
			return Ok(Event::Rejected {
				feed,
				period,
				error: "deadline_passed".into(),
				meaning: reason.into(),
			});
		}
		let mut backoff = std::time::Duration::from_millis(500);
		let mut last_error = String::new();
		for attempt in 1..=self.attempts.max(1) {
			self.store.transition(feed, period, &key, State::Submitted, Outcome::default()).await?;
			match self.chain.submit(&self.signer, &report).await {
				Ok(included) => {
					let outcome = Outcome {
						tx_hash: Some(&included.tx_hash),
						block_hash: Some(&included.block_hash),
						..Default::default()
					};
					self.store.transition(feed, period, &key, State::Included, outcome).await?;
					tracing::info!(feed, period, value = %value, block = %included.block_hash, "included");
					let block = included.block_hash.clone();
					self.follow(feed, period, block, included.finality);
					return Ok(Event::Included {
						feed,
						period,
						value,
						tx_hash: Some(included.tx_hash),
						block_hash: Some(included.block_hash),
						recovered: false,
					});
				}
				Err(SubmitError::Rejected { error, meaning }) if crate::chain::is_early(&error) => {
					// The chain's clock is behind ours (its latest block is older than the
					// period's end): the report is right, only early. Try again, here and on
					// later rounds, until the deadline.
					tracing::warn!(feed, period, attempt, %error, meaning, "the chain's clock is behind; retrying");
					last_error = format!("{error}: {meaning}");
					tokio::time::sleep(backoff).await;
					backoff = backoff.saturating_mul(2).min(std::time::Duration::from_secs(8));
				}
				Err(SubmitError::Rejected { error, .. }) if is_superseded(&error) => {
					let outcome = Outcome {
						code: Some(&error),
						reason: Some(SUPERSEDED),
						..Default::default()
					};
					self.store.transition(feed, period, &key, State::Failed, outcome).await?;
					tracing::info!(feed, period, "{SUPERSEDED}");
					return Ok(Event::Superseded { feed, period });
				}
				Err(SubmitError::Rejected { error, meaning }) => {
					// Ours, sent before, maybe not final yet: wait for it.
					if error.ends_with("DuplicateReport")
						&& found_finalized(&self.chain, feed, period, self.operator).await
					{
						return self.found(feed, period, value).await;
					}
					let outcome =
						Outcome { code: Some(&error), reason: Some(meaning), ..Default::default() };
					self.store.transition(feed, period, &key, State::Failed, outcome).await?;
					tracing::error!(feed, period, %error, meaning, "rejected by the chain");
					return Ok(Event::Rejected { feed, period, error, meaning: meaning.into() });
				}
				Err(SubmitError::Malformed(error)) => {
					let outcome = Outcome {
						code: Some("malformed"),
						reason: Some(&error),
						..Default::default()
					};
					self.store.transition(feed, period, &key, State::Failed, outcome).await?;
					return Ok(Event::Rejected {
						feed,
						period,
						error,
						meaning: "malformed report".into(),
					});
				}
				Err(SubmitError::Transient(error)) => {
					tracing::warn!(feed, period, attempt, %error, "submission failed; retrying");
					last_error = error;
					tokio::time::sleep(backoff).await;
					backoff = backoff.saturating_mul(2).min(std::time::Duration::from_secs(8));
					if self.on_chain(feed, period).await {
						return self.found(feed, period, value).await;
					}
				}
			}
		}
		let outcome = Outcome { reason: Some(&last_error), ..Default::default() };
		self.store.transition(feed, period, &key, State::Pending, outcome).await?;
		Ok(Event::Deferred { feed, period, reason: last_error })
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use crate::chain::Schedule;

	#[test]
	fn a_report_after_the_quorum_is_superseded_not_rejected() {
		assert!(is_superseded("KpiOracle::PeriodAlreadyDecided"));
		assert!(is_superseded("PeriodAlreadyDecided"));
		for error in
			["KpiOracle::DuplicateReport", "KpiOracle::StaleReport", "X::PeriodAlreadyDecidedY"]
		{
			assert!(!is_superseded(error), "{error}");
		}
	}

	#[test]
	fn open_periods_are_closed_and_not_stale() {
		let params = FeedParams {
			schedule: Schedule { first_start: 10_000, length: 1_000 },
			quorum: 1,
			max_report_age: 5_000,
			min_value: 0,
			max_value: 1,
			outlier_tolerance: 0,
			challenge_window: 1,
		};
		assert!(open_periods(&params, 9_000, 0).is_empty());
		// At 20 500: period 10 is running; 9 ended at 20 000; deadlines are end + 5 000, and
		// periods whose deadline is within 2 000 ms (<= 22 500) are left: 7 ends at 18 000 (dl 23 000).
		assert_eq!(open_periods(&params, 20_500, 0), vec![7, 8, 9]);
		assert_eq!(open_periods(&params, 20_500, 600), vec![7, 8]);
	}

	#[test]
	fn a_refused_period_is_retried_with_backoff_until_its_deadline() {
		// Hour-long periods, reports accepted for a day after a period's end.
		let hour = 3_600_000;
		let params = FeedParams {
			schedule: Schedule { first_start: 0, length: hour },
			quorum: 1,
			max_report_age: 24 * hour,
			min_value: 0,
			max_value: 1,
			outlier_tolerance: 0,
			challenge_window: 1,
		};
		// Period 0 ends at 1 h; its deadline is at 25 h; it leaves the open periods 2 s before.
		let end = hour;
		let closes = 25 * hour - DEADLINE_MARGIN_MS;
		assert!(open_periods(&params, closes - 1, 0).contains(&0));
		assert!(!open_periods(&params, closes, 0).contains(&0));
		// Refused at its end (a broker outage across it): again in 2 s, 4 s, 8 s ... 5 min.
		let waits: Vec<u64> = (1..=10)
			.map(|evaluations| retry_at(&params, 0, evaluations, end).unwrap() - end)
			.collect();
		assert_eq!(
			waits,
			[2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]
		);
		assert_eq!(retry_at(&params, 0, u32::MAX, end), Some(end + RETRY_MAX_MS));
		// Close to the deadline, one last chance while it is still open, then final.
		let late = closes - 60_000;
		assert_eq!(retry_at(&params, 0, 9, late), Some(closes - RETRY_FIRST_MS));
		assert!(open_periods(&params, closes - RETRY_FIRST_MS, 0).contains(&0));
		assert_eq!(retry_at(&params, 0, 1, closes - RETRY_FIRST_MS), None);
		assert_eq!(retry_at(&params, 0, 1, closes + 1), None);
	}
}
