//! Benchmarks of the KPI oracle: one per call (two for `submit_report`: collecting, and completing
//! the quorum), plus the per-block processing of due transitions.
//!
//! Each sets up the worst case the call can meet: feeds with `MaxOperatorsPerFeed` operators and
//! metadata of the longest lengths, rounds one reading short of the quorum, KPIs with full
//! outlier and attestation lists, queues one entry short of full with the new entry landing at
//! the front. `submit_report` verifies a real ed25519 signature, made here with
//! `sp_io::crypto::ed25519_generate` and `ed25519_sign` under the test key type, so the node's
//! benchmark run (which registers a keystore) measures the verification the chain performs.
//! Setup writes storage directly where going through the calls would be slow or impossible.

use super::*;
use codec::Encode;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use sp_core::crypto::KeyTypeId;
use sp_runtime::Permill;

const SEED: u32 = 0;
/// An hour in milliseconds: the benchmark feeds' period length.
const HOUR: Moment = 3_600_000;
/// A day in milliseconds: the benchmark feeds' report age and challenge window.
const DAY: Moment = 86_400_000;
/// 2025-06-01T00:00:00Z: when the benchmark feeds' first period starts.
const T0: Moment = 1_748_736_000_000;
/// The key type the benchmark operator's key is generated under in the keystore.
const KEY_TYPE: KeyTypeId = sp_core::testing::ED25519;

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

/// `t + delta`, for setting up times.
fn later(t: Moment, delta: Moment) -> Moment {
	t.saturating_add(delta)
}

/// The rules of the benchmark feeds: hourly periods from `T0`, reports fresh for a day, any
/// non-negative value, outliers beyond 1 %, a day's challenge window.
fn params(quorum: u32) -> FeedParams {
	FeedParams {
		schedule: PeriodSchedule { first_start: T0, length: HOUR },
		quorum,
		max_report_age: DAY,
		min_value: 0,
		max_value: Value::MAX,
		outlier_tolerance: Permill::from_percent(1),
		challenge_window: DAY,
	}
}

/// When `period` of a benchmark feed reaches its deadline.
fn deadline(period: PeriodIndex) -> Moment {
	params(1).deadline(period).unwrap_or(Moment::MAX)
}

fn filled<S: Get<u32>>(byte: u8) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(vec![byte; S::get() as usize])
}

/// Metadata of the longest lengths.
fn metadata<T: Config>() -> FeedMetadata<T> {
	FeedMetadata {
		description: filled::<T::MaxDescriptionLen>(b'd'),
		entity_id: filled::<T::MaxEntityIdLen>(b'e'),
		attribute: filled::<T::MaxAttributeLen>(b'a'),
		unit: BoundedVec::truncate_from(b"KWH".to_vec()),
		decimals: 3,
	}
}

/// A canonical, not small-order key nobody signs with, told apart by `index`. A hash with the
/// top bit cleared is below p and off the small-order list but for odds of about 2^-250.
fn filler_key(index: u32) -> OperatorKey {
	let mut bytes = sp_io::hashing::blake2_256(&(b"kpi-oracle/benchmark-key", index).encode());
	bytes[31] &= 0x7f;
	OperatorKey::from_raw(bytes)
}

/// The keystore key operator 0 signs with.
fn signing_key() -> OperatorKey {
	sp_io::crypto::ed25519_generate(KEY_TYPE, Some(b"//kpi-oracle-benchmark-operator".to_vec()))
}

/// The `index`-th benchmark operator, holding the oracle-operator role.
fn operator<T: Config>(index: u32) -> T::AccountId {
	let operator: T::AccountId = account("operator", index, SEED);
	T::BenchmarkHelper::make_oracle_operator(&operator);
	operator
}

/// Sets the clock to `T0` and has governance create a feed with `operators` operators (operator
/// 0 signing with [`signing_key`]) and `quorum`. Returns the feed and its operators.
fn setup_feed<T: Config>(
	operators: u32,
	quorum: u32,
) -> Result<(FeedId, Vec<T::AccountId>), BenchmarkError> {
	T::BenchmarkHelper::set_time(T0);
	let accounts: Vec<T::AccountId> = (0..operators).map(operator::<T>).collect();
	let entries = accounts
		.iter()
		.enumerate()
		.map(|(index, account)| {
			let key = if index == 0 { signing_key() } else { filler_key(index as u32) };
			(account.clone(), key)
		})
		.collect::<Vec<_>>();
	let spec = FeedSpec::<T> {
		metadata: metadata::<T>(),
		params: params(quorum),
		operators: BoundedVec::try_from(entries)
			.map_err(|_| BenchmarkError::Stop("too many operators"))?,
	};
	let feed = Pallet::<T>::do_create_feed(Actor::Governance, spec)?;
	Ok((feed, accounts))
}

/// Puts `count` readings into the round of `period`, from operators 1, 2, ..., with values a
/// million apart so that they are outliers of one another.
fn prefill_round<T: Config>(
	feed: FeedId,
	period: PeriodIndex,
	operators: &[T::AccountId],
	count: u32,
) -> Result<(), BenchmarkError> {
	let readings = operators
		.iter()
		.skip(1)
		.take(count as usize)
		.enumerate()
		.map(|(index, operator)| Reading {
			operator: operator.clone(),
			value: Value::try_from(index).unwrap_or(0).saturating_add(1).saturating_mul(1_000_000),
		})
		.collect::<Vec<_>>();
	let round =
		BoundedVec::try_from(readings).map_err(|_| BenchmarkError::Stop("round too big"))?;
	Rounds::<T>::insert(feed, period, round);
	Ok(())
}

/// Operator 0's report of `value` for `period` of `feed`, signed through the keystore.
fn signed_report<T: Config>(
	feed: FeedId,
	period: PeriodIndex,
	value: Value,
) -> Result<(ReportPayload, OperatorKey, OperatorSignature), BenchmarkError> {
	let schedule = params(1).schedule;
	let report = ReportPayload {
		feed,
		period,
		value,
		window_start: schedule.start(period).ok_or(BenchmarkError::Stop("period out of range"))?,
		window_end: schedule.end(period).ok_or(BenchmarkError::Stop("period out of range"))?,
		payload_hash: H256::repeat_byte(0xaa),
		devices_hash: H256::repeat_byte(0xbb),
	};
	let key = signing_key();
	let signature =
		sp_io::crypto::ed25519_sign(KEY_TYPE, &key, &Pallet::<T>::report_message(&report))
			.ok_or(BenchmarkError::Stop("the keystore could not sign"))?;
	Ok((report, key, signature))
}

/// Fills a queue with `count` entries due after everything else, so a new entry goes first.
/// Sets the clock to `T0` and has a new, funded issuer create a feed (paying its deposit), to
/// which governance appoints `MaxOperatorsPerFeed` operators from period 1. Returns the feed and
/// its owner.
fn owned_feed<T: Config>() -> Result<(FeedId, T::AccountId), BenchmarkError> {
	use frame_support::traits::fungible::Mutate;
	use sp_runtime::Saturating;
	T::BenchmarkHelper::set_time(T0);
	let owner: T::AccountId = account("issuer", 0, SEED);
	T::BenchmarkHelper::make_issuer(&owner);
	let funds = T::FeedDeposit::get()
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&owner, funds);
	let spec = FeedSpec::<T> {
		metadata: metadata::<T>(),
		params: params(1),
		operators: BoundedVec::new(),
	};
	let feed = Pallet::<T>::do_create_feed(Actor::Signed(owner.clone()), spec)?;
	for index in 0..T::MaxOperatorsPerFeed::get() {
		Pallet::<T>::do_add_operator(feed, operator::<T>(index), filler_key(index), 1)?;
	}
	Ok((feed, owner))
}

fn fill_queue<S: Get<u32>>(queue: &mut BoundedVec<Scheduled, S>, count: u32) {
	for period in 0..count {
		let _ = queue.try_push(Scheduled { due: Moment::MAX, feed: FeedId::MAX, period });
	}
}

/// A KPI with `MaxOperatorsPerFeed` outliers and `attestations` attestations.
fn kpi_record<T: Config>(
	status: KpiStatus,
	attestations: u32,
	challenge_end: Moment,
) -> KpiRecord<T> {
	let max = T::MaxOperatorsPerFeed::get();
	let outliers: Vec<T::AccountId> =
		(0..max).map(|index| account("operator", index, SEED)).collect();
	let attested: Vec<T::AccountId> =
		(0..attestations).map(|index| account("attester", index, SEED)).collect();
	let dispute = (status == KpiStatus::Disputed).then(|| Dispute {
		auditor: account("attester", 0, SEED),
		reason_hash: H256::repeat_byte(0x42),
		at: T0,
	});
	KpiRecord {
		status,
		value: Some(1_000_000),
		median: Some(1_000_000),
		readings: max,
		spread: 1_000_000,
		outliers: BoundedVec::truncate_from(outliers),
		decided_at: T0,
		challenge_end,
		attestations: BoundedVec::truncate_from(attested),
		dispute,
		resolution: None,
	}
}

/// A new auditor.
fn auditor<T: Config>() -> T::AccountId {
	let auditor: T::AccountId = account("auditor", 0, SEED);
	T::BenchmarkHelper::make_auditor(&auditor);
	auditor
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// Governance (the only origin that names operators): the longest metadata, `o` new
	// operators, and a deadline queue one short of full. An issuer's feed has no operators.
	#[benchmark]
	fn create_feed(o: Linear<1, { T::MaxOperatorsPerFeed::get() }>) -> Result<(), BenchmarkError> {
		T::BenchmarkHelper::set_time(T0);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let operators =
			(0..o).map(|index| (operator::<T>(index), filler_key(index))).collect::<Vec<_>>();
		let spec = FeedSpec::<T> {
			metadata: metadata::<T>(),
			params: params(o),
			operators: BoundedVec::try_from(operators)
				.map_err(|_| BenchmarkError::Stop("too many operators"))?,
		};
		let mut deadlines = DeadlineQueue::<T>::get();
		fill_queue(&mut deadlines, T::MaxFeeds::get().saturating_sub(1));
		DeadlineQueue::<T>::put(deadlines);
		let feed = NextFeedId::<T>::get();

		#[extrinsic_call]
		_(origin, Box::new(spec));

		let info = Feeds::<T>::get(feed).ok_or(BenchmarkError::Stop("feed not created"))?;
		assert_eq!(info.owner, None);
		assert_eq!(info.operators, o);
		Ok(())
	}

	// The feed's last free operator slot.
	#[benchmark]
	fn add_operator() -> Result<(), BenchmarkError> {
		let max = T::MaxOperatorsPerFeed::get();
		let (feed, _) = setup_feed::<T>(max.saturating_sub(1).max(1), 1)?;
		let new_operator = operator::<T>(max);
		let key = filler_key(max);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin, feed, T::Lookup::unlookup(new_operator.clone()), key, 1);

		assert_last_event::<T>(Event::OperatorAdded {
			feed,
			operator: new_operator,
			key,
			from_period: 1,
		});
		Ok(())
	}

	#[benchmark]
	fn retire_operator() -> Result<(), BenchmarkError> {
		let (feed, operators) = setup_feed::<T>(T::MaxOperatorsPerFeed::get(), 1)?;
		let retiring = operators.last().cloned().ok_or(BenchmarkError::Stop("no operator"))?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin, feed, T::Lookup::unlookup(retiring.clone()), 1);

		assert_last_event::<T>(Event::OperatorRetired { feed, operator: retiring, from_period: 1 });
		Ok(())
	}

	// The operator rotates its own key into the last free slot of its history.
	#[benchmark]
	fn rotate_key() -> Result<(), BenchmarkError> {
		let (feed, operators) = setup_feed::<T>(T::MaxOperatorsPerFeed::get(), 1)?;
		let rotating = operators.first().cloned().ok_or(BenchmarkError::Stop("no operator"))?;
		let history = T::MaxKeyHistory::get().saturating_sub(1);
		for period in 1..history {
			let key = filler_key(period.saturating_add(10_000));
			Pallet::<T>::do_rotate_key(Actor::Governance, feed, rotating.clone(), key, period)?;
		}
		let old_key = FeedOperators::<T>::get(feed, &rotating)
			.and_then(|info| info.keys.last().map(|epoch| epoch.key))
			.ok_or(BenchmarkError::Stop("no key"))?;
		let new_key = filler_key(20_000);
		let from_period = history.max(1);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(rotating.clone()),
			feed,
			T::Lookup::unlookup(rotating.clone()),
			new_key,
			from_period,
		);

		assert_last_event::<T>(Event::KeyRotated {
			feed,
			operator: rotating,
			old_key,
			new_key,
			from_period,
		});
		Ok(())
	}

	// A relayed report that leaves the round one reading short of the quorum.
	#[benchmark]
	fn submit_report() -> Result<(), BenchmarkError> {
		let max = T::MaxOperatorsPerFeed::get();
		let (feed, operators) = setup_feed::<T>(max, max)?;
		prefill_round::<T>(feed, 0, &operators, max.saturating_sub(2))?;
		T::BenchmarkHelper::set_time(later(T0, HOUR.saturating_mul(2)));
		let (report, key, signature) = signed_report::<T>(feed, 0, 0)?;
		let submitter: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(submitter), Box::new(report), key, signature);

		let reporter = operators.first().ok_or(BenchmarkError::Stop("no operator"))?;
		let period: PeriodIndex = 0;
		assert!(Reports::<T>::contains_key((feed, period), reporter));
		Ok(())
	}

	// The report that completes a quorum of `MaxOperatorsPerFeed`: median over all, every
	// other reading an outlier, and a finalization queue one short of full.
	#[benchmark]
	fn submit_report_reaching_quorum() -> Result<(), BenchmarkError> {
		let max = T::MaxOperatorsPerFeed::get();
		let (feed, operators) = setup_feed::<T>(max, max)?;
		prefill_round::<T>(feed, 0, &operators, max.saturating_sub(1))?;
		let mut queue = FinalizationQueue::<T>::get();
		fill_queue(&mut queue, T::MaxPendingFinalizations::get().saturating_sub(1));
		FinalizationQueue::<T>::put(queue);
		T::BenchmarkHelper::set_time(later(T0, HOUR.saturating_mul(2)));
		let (report, key, signature) = signed_report::<T>(feed, 0, 0)?;
		let submitter: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		submit_report(RawOrigin::Signed(submitter), Box::new(report), key, signature);

		let record = Kpis::<T>::get(feed, 0).ok_or(BenchmarkError::Stop("no KPI"))?;
		assert_eq!(record.status, KpiStatus::Provisional);
		Ok(())
	}

	// A KPI with full outliers and one attestation slot left.
	#[benchmark]
	fn attest() -> Result<(), BenchmarkError> {
		let (feed, _) = setup_feed::<T>(T::MaxOperatorsPerFeed::get(), 1)?;
		let attestations = T::MaxAttestations::get().saturating_sub(1);
		Kpis::<T>::insert(
			feed,
			0,
			kpi_record::<T>(KpiStatus::Provisional, attestations, later(T0, DAY)),
		);
		T::BenchmarkHelper::set_time(later(T0, HOUR.saturating_mul(2)));
		let caller = auditor::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), feed, 0);

		assert_last_event::<T>(Event::KpiAttested {
			feed,
			period: 0,
			auditor: caller,
			value: Some(1_000_000),
		});
		Ok(())
	}

	// A KPI with full outliers and attestations.
	#[benchmark]
	fn dispute() -> Result<(), BenchmarkError> {
		let (feed, _) = setup_feed::<T>(T::MaxOperatorsPerFeed::get(), 1)?;
		let attestations = T::MaxAttestations::get();
		Kpis::<T>::insert(
			feed,
			0,
			kpi_record::<T>(KpiStatus::Provisional, attestations, later(T0, DAY)),
		);
		T::BenchmarkHelper::set_time(later(T0, HOUR.saturating_mul(2)));
		let caller = auditor::<T>();
		let reason_hash = H256::repeat_byte(0x42);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), feed, 0, reason_hash);

		assert_last_event::<T>(Event::KpiDisputed {
			feed,
			period: 0,
			auditor: caller,
			reason_hash,
			value: Some(1_000_000),
			status: KpiStatus::Disputed,
		});
		Ok(())
	}

	// Replacing the value, which also checks the feed's bounds.
	#[benchmark]
	fn resolve_dispute() -> Result<(), BenchmarkError> {
		let (feed, _) = setup_feed::<T>(T::MaxOperatorsPerFeed::get(), 1)?;
		let attestations = T::MaxAttestations::get();
		Kpis::<T>::insert(
			feed,
			0,
			kpi_record::<T>(KpiStatus::Disputed, attestations, later(T0, DAY)),
		);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let resolution = Resolution::Replace(2_000_000);

		#[extrinsic_call]
		_(origin, feed, 0, resolution);

		assert_last_event::<T>(Event::DisputeResolved {
			feed,
			period: 0,
			resolution,
			value: Some(2_000_000),
			status: KpiStatus::Final,
		});
		Ok(())
	}

	// A period past its deadline one reading short of the quorum becomes `Missing`.
	#[benchmark]
	fn settle() -> Result<(), BenchmarkError> {
		let max = T::MaxOperatorsPerFeed::get();
		let (feed, operators) = setup_feed::<T>(max, max)?;
		prefill_round::<T>(feed, 0, &operators, max.saturating_sub(1))?;
		T::BenchmarkHelper::set_time(deadline(0));
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), feed, 0);

		assert_last_event::<T>(Event::KpiMissing {
			feed,
			period: 0,
			status: KpiStatus::Missing,
			readings: max.saturating_sub(1),
		});
		Ok(())
	}

	// `d` feeds whose period 0 is past its deadline (a block processes one deadline per feed),
	// each one reading short of the quorum (so each becomes `Missing`), and `f` `Provisional`
	// KPIs whose windows have ended.
	#[benchmark]
	fn process_due(
		d: Linear<
			0,
			{ T::MaxTransitionsPerBlock::get().min(T::MaxFeeds::get().saturating_sub(1)) },
		>,
		f: Linear<0, { T::MaxTransitionsPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let max = T::MaxOperatorsPerFeed::get();
		let (feed, _) = setup_feed::<T>(max, max)?;
		let mut missing = Vec::new();
		for _ in 0..d {
			let (behind, operators) = setup_feed::<T>(max, max)?;
			prefill_round::<T>(behind, 0, &operators, max.saturating_sub(1))?;
			missing.push(behind);
		}
		let f = f.min(T::MaxPendingFinalizations::get());
		let mut queue = FinalizationQueue::<T>::get();
		for period in 0..f {
			Kpis::<T>::insert(feed, period, kpi_record::<T>(KpiStatus::Provisional, 0, T0));
			queue
				.try_push(Scheduled { due: T0, feed, period })
				.map_err(|_| BenchmarkError::Stop("finalization queue full"))?;
		}
		FinalizationQueue::<T>::put(queue);
		// Period 0 of the `d` feeds is past its deadline. `feed` only holds the KPIs to
		// finalize: its own deadline is taken out of the queue so that it takes no slot.
		DeadlineQueue::<T>::mutate(|queue| queue.retain(|item| item.feed != feed));
		let now = if d == 0 { later(T0, HOUR) } else { deadline(0) };
		T::BenchmarkHelper::set_time(now);

		#[block]
		{
			Pallet::<T>::process_due(now, d.saturating_add(f));
		}

		for behind in missing {
			let status = Kpis::<T>::get(behind, 0).map(|record| record.status);
			assert_eq!(status, Some(KpiStatus::Missing));
		}
		for period in 0..f {
			let status = Kpis::<T>::get(feed, period).map(|record| record.status);
			assert_eq!(status, Some(KpiStatus::Final));
		}
		Ok(())
	}

	// The owner retires its feed, whose deadline sits in a queue one short of full.
	#[benchmark]
	fn retire_feed() -> Result<(), BenchmarkError> {
		let (feed, owner) = owned_feed::<T>()?;
		let mut deadlines = DeadlineQueue::<T>::get();
		fill_queue(&mut deadlines, T::MaxFeeds::get().saturating_sub(1));
		DeadlineQueue::<T>::put(deadlines);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), feed, 1);

		assert_last_event::<T>(Event::FeedRetired { feed, from_period: 1 });
		Ok(())
	}

	// A settled feed with `MaxOperatorsPerFeed` operators and a deposit to return, with the
	// deadline queue one short of full.
	#[benchmark]
	fn remove_feed() -> Result<(), BenchmarkError> {
		let (feed, owner) = owned_feed::<T>()?;
		Pallet::<T>::do_retire_feed(Actor::Governance, feed, 1)?;
		let settled = later(deadline(0), DAY);
		T::BenchmarkHelper::set_time(settled);
		Pallet::<T>::process_due(settled, T::MaxTransitionsPerBlock::get());
		let mut deadlines = DeadlineQueue::<T>::get();
		fill_queue(&mut deadlines, T::MaxFeeds::get().saturating_sub(1));
		DeadlineQueue::<T>::put(deadlines);
		let caller: T::AccountId = account("caller", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), feed);

		assert_last_event::<T>(Event::FeedRemoved {
			feed,
			deposit: Some((owner, T::FeedDeposit::get())),
		});
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
