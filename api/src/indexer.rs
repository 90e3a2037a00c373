//! Follows the chain's finalized blocks from the stored cursor (or genesis), turns each block's
//! events into [`BlockData`] and writes it with [`store::write_block`]. Pallet events are
//! decoded with SCALE mirrors of their fields (the same layout the pallets declare); contract
//! events with the bundles' metadata. Where an event lacks what a view needs, the indexer reads
//! storage (or dry-runs a contract query) at that same block: feed metadata, report signatures,
//! contract code hashes, bond terms and schedule, and the genesis identities.

use crate::{
	error::{Error, Result},
	ink::InkBundle,
	model::*,
	store::{self, Written},
};
use codec::Decode;
use sqlx::AnyPool;
use std::time::Duration;
use subxt::{
	client::{ClientAtBlock, OnlineClientAtBlockImpl},
	dynamic::Value,
	events::Phase,
	ext::scale_decode::DecodeAsType,
	OnlineClient, SubstrateConfig,
};

/// The chain client.
pub type Client = OnlineClient<SubstrateConfig>;
type At = ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

fn chain<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> Error + '_ {
	move |e| Error::Chain(format!("{what}: {e}"))
}

fn hex32(b: &[u8; 32]) -> String {
	format!("0x{}", hex::encode(b))
}

/// The indexer: a chain client, the database, and the contracts' bundles.
pub struct Indexer {
	client: Client,
	pool: AnyPool,
	bundles: Vec<InkBundle>,
	/// Contract → index of the bundle its code is (`None`: not ours), as first read.
	kinds: std::sync::Mutex<std::collections::HashMap<[u8; 32], Option<usize>>>,
	/// Green bond → whether it is listed (see [`Indexer::bond_listed`]).
	listed: std::sync::Mutex<std::collections::HashMap<[u8; 32], bool>>,
}

impl Indexer {
	/// Connects to the node. Fails with [`Error::WrongChain`] if the database already holds
	/// another chain's blocks (its block 0 is not this node's genesis).
	pub async fn connect(url: &str, pool: AnyPool, bundles: Vec<InkBundle>) -> Result<Self> {
		let client = Client::from_insecure_url(url).await.map_err(chain("connect"))?;
		let indexer =
			Self { client, pool, bundles, kinds: Default::default(), listed: Default::default() };
		indexer.check_chain().await?;
		Ok(indexer)
	}

	/// Refuses a database whose block 0 is not this node's genesis block.
	pub async fn check_chain(&self) -> Result<()> {
		let genesis = hex32(&self.genesis_hash());
		let stored: Option<String> = sqlx::query_scalar("SELECT hash FROM blocks WHERE number = 0")
			.fetch_optional(&self.pool)
			.await?;
		match stored {
			Some(stored) if stored != genesis => Err(Error::WrongChain(format!(
				"the database holds the chain whose genesis is {stored}, but the node's genesis \
				 is {genesis}: point the API at its own chain's node, or at a new database"
			))),
			Some(_) => Ok(()),
			None => {
				// No block 0 yet, so nothing may have been indexed at all.
				if let Some((n, _)) = crate::db::cursor(&self.pool).await? {
					return Err(Error::WrongChain(format!(
						"the database's cursor is at block {n} but it holds no block 0"
					)));
				}
				Ok(())
			}
		}
	}

	/// The genesis hash of the chain (what KPI reports are signed over).
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.client.genesis_hash().0
	}

	/// Indexes every finalized block after the cursor, then returns the last block written.
	pub async fn catch_up(&self) -> Result<Option<u64>> {
		let finalized =
			self.client.at_current_block().await.map_err(chain("finalized head"))?.block_number();
		let mut next = crate::db::cursor(&self.pool).await?.map_or(0, |(n, _)| n.saturating_add(1));
		while next <= finalized {
			let block = self.read_block(next).await?;
			if store::write_block(&self.pool, &block).await? == Written::Applied {
				tracing::debug!(block = next, events = block.events.len(), "indexed");
			}
			next = next.saturating_add(1);
		}
		Ok(crate::db::cursor(&self.pool).await?.map(|(n, _)| n))
	}

	/// Follows finalized blocks forever (polling the finalized head every `poll`), retrying
	/// after errors (a node restart, a dropped connection) with the cursor where it was; stops
	/// with [`Error::WrongChain`] if the node turns out to follow another chain.
	pub async fn run(&self, poll: Duration) -> Result<()> {
		loop {
			match self.catch_up().await {
				Ok(_) => {}
				Err(e @ Error::WrongChain(_)) => return Err(e),
				Err(e) => tracing::warn!(error = %e, "indexer: will retry"),
			}
			tokio::time::sleep(poll).await;
		}
	}

	/// Reads block `number` and decodes the events the indexer understands.
	pub async fn read_block(&self, number: u64) -> Result<BlockData> {
		let at = self.client.at_block(number).await.map_err(chain("block"))?;
		let header = at.block_header().await.map_err(chain("header"))?;
		let timestamp_ms = match at
			.storage()
			.try_fetch(subxt::dynamic::storage::<(), Value>("Timestamp", "Now"), ())
			.await
			.map_err(chain("Timestamp.Now"))?
		{
			Some(v) => u64::decode(&mut v.bytes()).map_err(chain("Timestamp.Now"))?,
			None => 0,
		};
		let mut events = Vec::new();
		if number == 0 {
			self.genesis_identities(&at, &mut events).await?;
		}
		let raw = at.events().fetch().await.map_err(chain("events"))?;
		for ev in raw.iter() {
			let ev = ev.map_err(chain("event"))?;
			let extrinsic = match ev.phase() {
				Phase::ApplyExtrinsic(i) => Some(i),
				_ => None,
			};
			let index = i64::from(ev.index());
			let topics: Vec<[u8; 32]> = ev.topics().iter().map(|t| t.0).collect();
			let body = self
				.decode(&at, ev.pallet_name(), ev.event_name(), ev.field_bytes(), &topics)
				.await
				.map_err(|e| {
					Error::Chain(format!(
						"block #{number} event {index} {}.{}: {e}",
						ev.pallet_name(),
						ev.event_name()
					))
				})?;
			if let Some(body) = body {
				events.push(ChainEvent { index, extrinsic, body });
			}
		}
		Ok(BlockData {
			number,
			hash: hex32(&at.block_hash().0),
			parent_hash: hex32(&header.parent_hash.0),
			timestamp_ms,
			events,
		})
	}

	async fn genesis_identities(&self, at: &At, out: &mut Vec<ChainEvent>) -> Result<()> {
		let addr = subxt::dynamic::storage::<([u8; 32],), Value>("Identity", "Identities");
		let mut entries = at.storage().iter(addr, ()).await.map_err(chain("Identities"))?;
		let mut index: i64 = -1;
		while let Some(kv) = entries.next().await {
			let kv = kv.map_err(chain("Identities entry"))?;
			let key = kv.key_bytes();
			// Blake2_128Concat: the account is the last 32 bytes of the key.
			let account: [u8; 32] = key
				.get(key.len().saturating_sub(32)..)
				.and_then(|s| s.try_into().ok())
				.ok_or_else(|| Error::Chain("Identities key too short".into()))?;
			let info =
				IdentityInfo::decode(&mut kv.value().bytes()).map_err(chain("IdentityInfo"))?;
			let account = hex32(&account);
			out.push(ChainEvent {
				index,
				extrinsic: None,
				body: EventBody::Identity(IdentityEvent::Registered {
					source: "Genesis".into(),
					account: account.clone(),
					status: info.status.name().into(),
					roles: info.roles,
					lei: info.lei.map(|l| String::from_utf8_lossy(&l).into_owned()),
					jurisdiction: String::from_utf8_lossy(&info.jurisdiction).into_owned(),
					category: info.category.map(|c| c.name().into()),
				}),
			});
			index = index.saturating_sub(1);
			for claim in info.claims {
				out.push(ChainEvent {
					index,
					extrinsic: None,
					body: EventBody::Identity(IdentityEvent::Claim {
						account: account.clone(),
						registrar: hex32(&claim.issuer),
						kind: claim.kind.name(),
						expiry_ms: Some(claim.expiry),
						revoked: claim.revoked,
					}),
				});
				index = index.saturating_sub(1);
			}
		}
		Ok(())
	}

	async fn decode(
		&self,
		at: &At,
		pallet: &str,
		name: &str,
		mut f: &[u8],
		topics: &[[u8; 32]],
	) -> Result<Option<EventBody>> {
		let f = &mut f;
		let d = |e: codec::Error| Error::Chain(format!("decode: {e}"));
		Ok(Some(match (pallet, name) {
			("Identity", "IdentityRegistered") => {
				let (account, _registrar, roles, lei, jurisdiction, category) = <(
					[u8; 32],
					Option<[u8; 32]>,
					u8,
					Option<[u8; 20]>,
					[u8; 2],
					Option<Category>,
				)>::decode(f)
				.map_err(d)?;
				EventBody::Identity(IdentityEvent::Registered {
					source: name.into(),
					account: hex32(&account),
					status: "Active".into(),
					roles,
					lei: lei.map(|l| String::from_utf8_lossy(&l).into_owned()),
					jurisdiction: String::from_utf8_lossy(&jurisdiction).into_owned(),
					category: category.map(|c| c.name().into()),
				})
			}
			("Identity", "RegistrarAppointed") => {
				let (account, roles, lei, jurisdiction) =
					<([u8; 32], u8, Option<[u8; 20]>, [u8; 2])>::decode(f).map_err(d)?;
				EventBody::Identity(IdentityEvent::Registered {
					source: name.into(),
					account: hex32(&account),
					status: "Active".into(),
					roles,
					lei: lei.map(|l| String::from_utf8_lossy(&l).into_owned()),
					jurisdiction: String::from_utf8_lossy(&jurisdiction).into_owned(),
					category: None,
				})
			}
			("Identity", "RolesSet") => {
				let (account, _registrar, roles, category) =
					<([u8; 32], [u8; 32], u8, Option<Category>)>::decode(f).map_err(d)?;
				EventBody::Identity(IdentityEvent::RolesSet {
					account: hex32(&account),
					roles,
					category: category.map(|c| c.name().into()),
					keep_category: false,
				})
			}
			("Identity", "RegistrarRemoved") => {
				let (account, roles) = <([u8; 32], u8)>::decode(f).map_err(d)?;
				EventBody::Identity(IdentityEvent::RolesSet {
					account: hex32(&account),
					roles,
					category: None,
					keep_category: true,
				})
			}
			("Identity", "ClaimAdded") => {
				let (account, registrar, kind, expiry) =
					<([u8; 32], [u8; 32], ClaimKind, u64)>::decode(f).map_err(d)?;
				EventBody::Identity(IdentityEvent::Claim {
					account: hex32(&account),
					registrar: hex32(&registrar),
					kind: kind.name(),
					expiry_ms: Some(expiry),
					revoked: false,
				})
			}
			("Identity", "ClaimRevoked") => {
				let (account, registrar, kind) =
					<([u8; 32], [u8; 32], ClaimKind)>::decode(f).map_err(d)?;
				EventBody::Identity(IdentityEvent::Claim {
					account: hex32(&account),
					registrar: hex32(&registrar),
					kind: kind.name(),
					expiry_ms: None,
					revoked: true,
				})
			}
			("Identity", "IdentitySuspended" | "IdentityReactivated" | "IdentityRevoked") => {
				let (account, _registrar) = <([u8; 32], [u8; 32])>::decode(f).map_err(d)?;
				let status = match name {
					"IdentitySuspended" => "Suspended",
					"IdentityRevoked" => "Revoked",
					_ => "Active",
				};
				EventBody::Identity(IdentityEvent::StatusSet {
					account: hex32(&account),
					status: status.into(),
				})
			}
			("KpiOracle", "FeedCreated") => {
				let (feed, owner, params, _operators) =
					<(u32, Option<[u8; 32]>, FeedParams, u32)>::decode(f).map_err(d)?;
				let info = at
					.storage()
					.try_fetch(
						subxt::dynamic::storage::<(u32,), Value>("KpiOracle", "Feeds"),
						(feed,),
					)
					.await
					.map_err(chain("KpiOracle.Feeds"))?;
				let meta = match info {
					Some(v) => {
						let (_owner, meta) =
							<(Option<[u8; 32]>, FeedMetadata)>::decode(&mut v.bytes())
								.map_err(d)?;
						Some(meta)
					}
					None => None,
				};
				let text = |b: &Option<FeedMetadata>, pick: fn(&FeedMetadata) -> &Vec<u8>| {
					b.as_ref()
						.map(|m| String::from_utf8_lossy(pick(m)).into_owned())
						.unwrap_or_default()
				};
				EventBody::Kpi(KpiEvent::FeedCreated(Box::new(Feed {
					feed,
					owner: owner.as_ref().map(hex32),
					description: text(&meta, |m| &m.description),
					entity_id: text(&meta, |m| &m.entity_id),
					attribute: text(&meta, |m| &m.attribute),
					unit: text(&meta, |m| &m.unit),
					decimals: meta.as_ref().map_or(0, |m| m.decimals),
					first_start_ms: params.first_start,
					period_ms: params.length,
					quorum: params.quorum,
					max_report_age_ms: params.max_report_age,
					challenge_window_ms: params.challenge_window,
					min_value: params.min_value.to_string(),
					max_value: params.max_value.to_string(),
				})))
			}
			("KpiOracle", "OperatorAdded") => {
				let (feed, operator, key, from_period) =
					<(u32, [u8; 32], [u8; 32], u32)>::decode(f).map_err(d)?;
				EventBody::Kpi(KpiEvent::OperatorKey {
					source: name.into(),
					feed,
					operator: hex32(&operator),
					key: Some(hex32(&key)),
					from_period,
				})
			}
			("KpiOracle", "KeyRotated") => {
				let (feed, operator, _old, key, from_period) =
					<(u32, [u8; 32], [u8; 32], [u8; 32], u32)>::decode(f).map_err(d)?;
				EventBody::Kpi(KpiEvent::OperatorKey {
					source: name.into(),
					feed,
					operator: hex32(&operator),
					key: Some(hex32(&key)),
					from_period,
				})
			}
			("KpiOracle", "OperatorRetired") => {
				let (feed, operator, from_period) = <(u32, [u8; 32], u32)>::decode(f).map_err(d)?;
				EventBody::Kpi(KpiEvent::OperatorKey {
					source: name.into(),
					feed,
					operator: hex32(&operator),
					key: None,
					from_period,
				})
			}
			("KpiOracle", "ReportAccepted") => {
				let r = ReportAccepted::decode(f).map_err(d)?;
				let stored = at
					.storage()
					.try_fetch(
						subxt::dynamic::storage::<((u32, u32), [u8; 32]), Value>(
							"KpiOracle",
							"Reports",
						),
						((r.feed, r.period), r.operator),
					)
					.await
					.map_err(chain("KpiOracle.Reports"))?;
				let signature = match stored {
					Some(v) => {
						let s = StoredReport::decode(&mut v.bytes()).map_err(d)?;
						Some(format!("0x{}", hex::encode(s.signature)))
					}
					None => None,
				};
				EventBody::Kpi(KpiEvent::Report(Box::new(Report {
					feed: r.feed,
					period: r.period,
					operator: hex32(&r.operator),
					submitter: hex32(&r.submitter),
					key: hex32(&r.key),
					value: r.value.to_string(),
					window_start_ms: r.window_start,
					window_end_ms: r.window_end,
					payload_hash: hex32(&r.payload_hash),
					devices_hash: hex32(&r.devices_hash),
					signature,
					readings: r.readings,
				})))
			}
			("KpiOracle", "KpiProvisional") => {
				let (feed, period, value, status, readings, spread, outliers, challenge_end) =
					<(u32, u32, i128, KpiStatus, u32, u128, Vec<[u8; 32]>, u64)>::decode(f)
						.map_err(d)?;
				transition(
					name,
					feed,
					period,
					Some(status),
					Some(value),
					None,
					serde_json::json!({
						"readings": readings,
						"spread": spread.to_string(),
						"outliers": outliers.iter().map(hex32).collect::<Vec<_>>(),
						"challenge_end_ms": challenge_end,
					}),
				)
			}
			("KpiOracle", "KpiAttested") => {
				let (feed, period, auditor, value) =
					<(u32, u32, [u8; 32], Option<i128>)>::decode(f).map_err(d)?;
				let mut t =
					transition(name, feed, period, None, value, None, serde_json::json!({}));
				set_actor(&mut t, &auditor);
				t
			}
			("KpiOracle", "KpiDisputed") => {
				let (feed, period, auditor, reason, value, status) =
					<(u32, u32, [u8; 32], [u8; 32], Option<i128>, KpiStatus)>::decode(f)
						.map_err(d)?;
				let mut t = transition(
					name,
					feed,
					period,
					Some(status),
					value,
					None,
					serde_json::json!({ "reason_hash": hex32(&reason) }),
				);
				set_actor(&mut t, &auditor);
				t
			}
			("KpiOracle", "KpiFinalized") => {
				let (feed, period, value, status) =
					<(u32, u32, Option<i128>, KpiStatus)>::decode(f).map_err(d)?;
				transition(name, feed, period, Some(status), value, None, serde_json::json!({}))
			}
			("KpiOracle", "KpiMissing") => {
				let (feed, period, status, readings) =
					<(u32, u32, KpiStatus, u32)>::decode(f).map_err(d)?;
				transition(
					name,
					feed,
					period,
					Some(status),
					None,
					None,
					serde_json::json!({
						"readings": readings
					}),
				)
			}
			("KpiOracle", "DisputeResolved") => {
				let (feed, period, resolution, value, status) =
					<(u32, u32, Resolution, Option<i128>, KpiStatus)>::decode(f).map_err(d)?;
				transition(
					name,
					feed,
					period,
					Some(status),
					value,
					None,
					serde_json::json!({
						"resolution": resolution.json(),
					}),
				)
			}
			("Contracts", "Instantiated") => {
				let (deployer, contract) = <([u8; 32], [u8; 32])>::decode(f).map_err(d)?;
				let code_hash = self.code_hash(at, contract).await?;
				let kind = code_hash
					.and_then(|h| self.bundles.iter().find(|b| b.code_hash == h))
					.map_or("other".to_string(), |b| b.kind.clone());
				EventBody::Instantiated(Instantiated {
					deployer: hex32(&deployer),
					contract: hex32(&contract),
					kind,
					code_hash: code_hash.as_ref().map(hex32),
				})
			}
			("Contracts", "ContractEmitted") => {
				let (contract, data) = <([u8; 32], Vec<u8>)>::decode(f).map_err(d)?;
				// Attributed by the emitting contract's code hash, never by topics alone: any
				// contract can emit an event whose topic and fields look like a bond's.
				let Some(bundle) = self.bundle_of(at, contract).await? else {
					return Ok(None);
				};
				let Some(decoded) = bundle.decode_event(topics, &data) else {
					return Ok(None);
				};
				let (label, fields) = decoded?;
				if bundle.kind == "green_bond"
					&& !self.bond_listed(at, contract, bundle.code_hash, &label).await?
				{
					return Ok(None);
				}
				let bond = if bundle.kind == "green_bond" && label == "BondCreated" {
					let periods = fields["periods"].as_u64().ok_or_else(|| {
						Error::Chain(format!("BondCreated without a period count: {fields}"))
					})?;
					Some(self.bond_snapshot(at, bundle, contract, periods).await?)
				} else {
					None
				};
				EventBody::Contract(ContractEvent {
					contract: hex32(&contract),
					kind: bundle.kind.clone(),
					name: label,
					fields,
					bond,
				})
			}
			("Contracts", "ContractCodeUpdated" | "Terminated") => {
				let contract = <[u8; 32]>::decode(f).map_err(d)?;
				self.kinds
					.lock()
					.map_err(|_| Error::Internal("kinds lock".into()))?
					.remove(&contract);
				return Ok(None);
			}
			_ => return Ok(None),
		}))
	}

	/// The bundle whose code `contract` runs at this block, if any. Remembered per contract;
	/// forgotten when a contract's code changes (`Contracts::ContractCodeUpdated`).
	async fn bundle_of(&self, at: &At, contract: [u8; 32]) -> Result<Option<&InkBundle>> {
		let known = self
			.kinds
			.lock()
			.map_err(|_| Error::Internal("kinds lock".into()))?
			.get(&contract)
			.copied();
		let index = match known {
			Some(index) => index,
			None => {
				let code = self.code_hash(at, contract).await?;
				let index = code.and_then(|h| self.bundles.iter().position(|b| b.code_hash == h));
				self.kinds
					.lock()
					.map_err(|_| Error::Internal("kinds lock".into()))?
					.insert(contract, index);
				index
			}
		};
		Ok(index.and_then(|i| self.bundles.get(i)))
	}

	/// Whether the green bond `contract` is listed: only a bond whose code governance had
	/// approved for issuance when it was created (its `BondCreated`, emitted by its
	/// constructor) is; a deployer can still instantiate the same code directly, unapproved,
	/// and such a bond and its events are not indexed. Decided at `BondCreated`, then read
	/// back from the `bonds` table (after a restart) and remembered.
	async fn bond_listed(
		&self,
		at: &At,
		contract: [u8; 32],
		code: [u8; 32],
		label: &str,
	) -> Result<bool> {
		let lock = || self.listed.lock().map_err(|_| Error::Internal("listed lock".into()));
		let known = if label == "BondCreated" { None } else { lock()?.get(&contract).copied() };
		if let Some(known) = known {
			return Ok(known);
		}
		let listed = if label == "BondCreated" {
			// The code is the bundle's: `bundle_of` matched the contract by its code hash.
			let approved = self.approved(at, code).await?;
			if !approved {
				tracing::warn!(
					contract = hex32(&contract),
					"a bond of code not approved for issuance: not listed"
				);
			}
			approved
		} else {
			let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bonds WHERE address = $1")
				.bind(hex32(&contract))
				.fetch_one(&self.pool)
				.await?;
			rows > 0
		};
		lock()?.insert(contract, listed);
		Ok(listed)
	}

	/// Whether `code` is approved for issuance (`Issuance.ApprovedCode`) at this block.
	async fn approved(&self, at: &At, code: [u8; 32]) -> Result<bool> {
		let entry = at
			.storage()
			.try_fetch(
				subxt::dynamic::storage::<([u8; 32],), Value>("Issuance", "ApprovedCode"),
				(code,),
			)
			.await
			.map_err(chain("Issuance.ApprovedCode"))?;
		Ok(entry.is_some())
	}

	async fn code_hash(&self, at: &At, contract: [u8; 32]) -> Result<Option<[u8; 32]>> {
		let info = at
			.storage()
			.try_fetch(
				subxt::dynamic::storage::<([u8; 32],), Value>("Contracts", "ContractInfoOf"),
				(contract,),
			)
			.await
			.map_err(chain("Contracts.ContractInfoOf"))?;
		Ok(match info {
			// `ContractInfo { trie_id: BoundedVec<u8>, code_hash, .. }`
			Some(v) => Some(
				<(Vec<u8>, [u8; 32])>::decode(&mut v.bytes()).map_err(chain("ContractInfo"))?.1,
			),
			None => None,
		})
	}

	async fn bond_snapshot(
		&self,
		at: &At,
		bundle: &InkBundle,
		contract: [u8; 32],
		periods: u64,
	) -> Result<BondSnapshot> {
		let count = u32::try_from(periods)
			.map_err(|_| Error::Chain(format!("BondCreated says {periods} periods")))?;
		let terms = self.query(at, bundle, contract, "terms", &[]).await?;
		// The contract answers at most a page of periods per call: read page after page until
		// the count `BondCreated` announced is reached (a page that stops short is an error:
		// a schedule indexed in part would lose its last coupons and the principal).
		let mut schedule = Vec::new();
		let mut from = 0u32;
		while from < count {
			let page = self
				.query(
					at,
					bundle,
					contract,
					"schedule",
					&codec::Encode::encode(&(from, count.saturating_sub(from))),
				)
				.await?;
			let serde_json::Value::Array(items) = page else {
				return Err(Error::Chain(format!("schedule({from}) answered {page}")));
			};
			if items.is_empty() {
				return Err(Error::Chain(format!(
					"schedule({from}) answered no period; BondCreated announced {count}"
				)));
			}
			let read = u32::try_from(items.len()).unwrap_or(u32::MAX);
			from = from.saturating_add(read);
			schedule.extend(items);
		}
		if schedule.len() != count as usize {
			return Err(Error::Chain(format!(
				"schedule has {} periods; BondCreated announced {count}",
				schedule.len()
			)));
		}
		Ok(BondSnapshot { terms, schedule: serde_json::Value::Array(schedule) })
	}

	/// Dry-runs a read-only message at this block and decodes its result with the metadata.
	async fn query(
		&self,
		at: &At,
		bundle: &InkBundle,
		contract: [u8; 32],
		label: &str,
		args: &[u8],
	) -> Result<serde_json::Value> {
		let data = bundle.message(label, args)?;
		// The contract itself as the caller: queries need no funds and no identity.
		let dry: ContractResult = at
			.runtime_apis()
			.call(subxt::dynamic::runtime_api_call::<_, ContractResult>(
				"ContractsApi",
				"call",
				(contract, contract, 0u128, None::<()>, None::<u128>, data),
			))
			.await
			.map_err(chain("ContractsApi.call"))?;
		let ret = dry.result.map_err(|e| Error::Chain(format!("{label} dry run failed: {e}")))?;
		bundle.decode_return(label, &ret.data)
	}
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ContractResult {
	result: std::result::Result<ExecReturnValue, Value>,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ExecReturnValue {
	data: Vec<u8>,
}

fn transition(
	kind: &str,
	feed: u32,
	period: u32,
	status: Option<KpiStatus>,
	value: Option<i128>,
	actor: Option<String>,
	detail: serde_json::Value,
) -> EventBody {
	EventBody::Kpi(KpiEvent::Transition {
		kind: kind.into(),
		feed,
		period,
		status: status.map(|s| s.name().into()),
		value: value.map(|v| v.to_string()),
		actor,
		detail,
	})
}

fn set_actor(body: &mut EventBody, who: &[u8; 32]) {
	if let EventBody::Kpi(KpiEvent::Transition { actor, .. }) = body {
		*actor = Some(hex32(who));
	}
}

// ---------------------------------------------------------------------------------------------
// SCALE mirrors of the pallets' types (runtime/pallets/*/src/types.rs), field for field.

#[derive(Decode)]
enum Category {
	Retail,
	Professional,
	Institutional,
}

impl Category {
	fn name(&self) -> &'static str {
		match self {
			Category::Retail => "Retail",
			Category::Professional => "Professional",
			Category::Institutional => "Institutional",
		}
	}
}

#[derive(Decode)]
enum Status {
	Active,
	Suspended,
	Revoked,
}

impl Status {
	fn name(&self) -> &'static str {
		match self {
			Status::Active => "Active",
			Status::Suspended => "Suspended",
			Status::Revoked => "Revoked",
		}
	}
}

#[derive(Decode)]
enum ClaimKind {
	Kyc,
	Accreditation,
	Residency,
	Custom(Vec<u8>),
}

impl ClaimKind {
	fn name(&self) -> String {
		match self {
			ClaimKind::Kyc => "Kyc".into(),
			ClaimKind::Accreditation => "Accreditation".into(),
			ClaimKind::Residency => "Residency".into(),
			ClaimKind::Custom(id) => format!("Custom:{}", String::from_utf8_lossy(id)),
		}
	}
}

#[derive(Decode)]
struct Claim {
	kind: ClaimKind,
	issuer: [u8; 32],
	expiry: u64,
	revoked: bool,
}

#[derive(Decode)]
struct IdentityInfo {
	status: Status,
	roles: u8,
	lei: Option<[u8; 20]>,
	jurisdiction: [u8; 2],
	category: Option<Category>,
	_registered_by: Option<[u8; 32]>,
	claims: Vec<Claim>,
}

#[derive(Decode)]
struct FeedParams {
	first_start: u64,
	length: u64,
	quorum: u32,
	max_report_age: u64,
	min_value: i128,
	max_value: i128,
	_outlier_tolerance: u32,
	challenge_window: u64,
}

#[derive(Decode)]
struct FeedMetadata {
	description: Vec<u8>,
	entity_id: Vec<u8>,
	attribute: Vec<u8>,
	unit: Vec<u8>,
	decimals: u8,
}

#[derive(Decode)]
struct ReportAccepted {
	feed: u32,
	period: u32,
	operator: [u8; 32],
	submitter: [u8; 32],
	key: [u8; 32],
	value: i128,
	window_start: u64,
	window_end: u64,
	payload_hash: [u8; 32],
	devices_hash: [u8; 32],
	readings: u32,
}

#[derive(Decode)]
struct StoredReport {
	_payload: ([u8; 8], i128, [u8; 16], [u8; 32], [u8; 32]),
	_key: [u8; 32],
	signature: [u8; 64],
}

#[derive(Decode, Clone, Copy)]
enum KpiStatus {
	Provisional,
	Disputed,
	Final,
	Voided,
	Missing,
}

impl KpiStatus {
	fn name(&self) -> &'static str {
		match self {
			KpiStatus::Provisional => "Provisional",
			KpiStatus::Disputed => "Disputed",
			KpiStatus::Final => "Final",
			KpiStatus::Voided => "Voided",
			KpiStatus::Missing => "Missing",
		}
	}
}

#[derive(Decode)]
enum Resolution {
	Uphold,
	Replace(i128),
	Void,
}

impl Resolution {
	fn json(&self) -> serde_json::Value {
		match self {
			Resolution::Uphold => "Uphold".into(),
			Resolution::Replace(v) => serde_json::json!({ "Replace": v.to_string() }),
			Resolution::Void => "Void".into(),
		}
	}
}
