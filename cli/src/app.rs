//! The `citybond` command line: its commands, and what each answers.

use crate::{
	keys::KeySource,
	term_sheet::{TermSheet, Terms},
	terms_hash, units,
};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use citybond_client::{
	account_id, address,
	bond::{CashToken, GreenBond, Revert},
	contract, identity, parse_address, submit, Client, Failure,
};
use clap::{Args, Parser, Subcommand};
use green_bond_rules::data::{Limits, Payment};
use serde_json::{json, Value as Json};
use std::{
	path::{Path, PathBuf},
	process::ExitCode,
	time::Duration,
};
use subxt::ext::scale_value::{At, Value};
use subxt_signer::sr25519::Keypair;

/// CityBond's command line: bond term sheets, and each persona's actions on a CityBond chain
/// (issuer, investor, auditor, council member).
///
/// Exit codes: 0 done; 1 failed (I/O, or an unexpected error); 2 the command line is wrong;
/// 3 the input was refused before anything was sent (a term sheet breaking a rule, a bad
/// address or amount, a key file others may read, no key); 4 the chain or a contract refused
/// the action (the dry run or the runtime says why; a refused dry run sends nothing); 5 the
/// node did not answer.
#[derive(Parser)]
#[command(name = "citybond", version, about, long_about)]
pub struct Cli {
	/// Answer in JSON on standard output, for scripts (progress goes to standard error).
	#[arg(long, global = true)]
	json: bool,
	/// The node's WebSocket RPC endpoint.
	#[arg(long, global = true, env = "CITYBOND_URL", default_value = "ws://127.0.0.1:9944")]
	url: String,
	#[command(flatten)]
	key: KeyArgs,
	#[command(subcommand)]
	command: Command,
}

/// Who signs: an sr25519 secret URI, or a key file holding one. Key files must be readable by
/// their owner only.
#[derive(Args)]
struct KeyArgs {
	/// The signer's secret URI, for example `//Bob` on a development chain.
	#[arg(long, global = true, env = "CITYBOND_SURI", hide_env_values = true)]
	suri: Option<String>,
	/// A file holding the signer's secret URI (mode 600).
	#[arg(long, global = true, env = "CITYBOND_KEY_FILE")]
	key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
	/// Term sheets: a bond's terms as a JSON document (ICMA Bond Data Taxonomy names).
	#[command(subcommand)]
	TermSheet(TermSheetCommand),
	/// Green bonds: issue, subscribe, close the book, fix and fund coupons, claim, export terms.
	#[command(subcommand)]
	Bond(BondCommand),
	/// KPIs: auditors attest or dispute a reported KPI in its challenge window.
	#[command(subcommand)]
	Kpi(KpiCommand),
	/// Tokenized cash: deploy a cash token, mint (its settlement agent), transfer, balances.
	#[command(subcommand)]
	Cash(CashCommand),
	/// Contract code: upload (contract deployers), approve for issuers (governance), status.
	#[command(subcommand)]
	Code(CodeCommand),
	/// The council: vote on and close motions (such as a code approval), list open ones.
	#[command(subcommand)]
	Council(CouncilCommand),
	/// Identities: registrars register accounts, attest and withdraw claims, suspend,
	/// reactivate and revoke; anyone shows one.
	#[command(subcommand)]
	Identity(IdentityCommand),
}

/// A role a registrar may grant (`registrar` is appointed by governance only).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum RoleArg {
	Issuer,
	Investor,
	Auditor,
	OracleOperator,
	SettlementAgent,
}

impl From<RoleArg> for identity::Role {
	fn from(role: RoleArg) -> Self {
		match role {
			RoleArg::Issuer => identity::Role::Issuer,
			RoleArg::Investor => identity::Role::Investor,
			RoleArg::Auditor => identity::Role::Auditor,
			RoleArg::OracleOperator => identity::Role::OracleOperator,
			RoleArg::SettlementAgent => identity::Role::SettlementAgent,
		}
	}
}

/// An investor category (MiFID II).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CategoryArg {
	Retail,
	Professional,
	Institutional,
}

#[derive(Subcommand)]
enum IdentityCommand {
	/// Registers an account's identity, active (registrars).
	Register {
		/// The account (SS58).
		account: String,
		/// Its jurisdiction (ISO 3166-1 alpha-2, for example NL).
		#[arg(long)]
		jurisdiction: String,
		/// A role; repeat for several.
		#[arg(long = "role", value_enum, required = true)]
		roles: Vec<RoleArg>,
		/// Its investor category: required with the investor role, refused without it.
		#[arg(long, value_enum)]
		category: Option<CategoryArg>,
		/// Its legal entity identifier (ISO 17442), for organisations.
		#[arg(long)]
		lei: Option<String>,
	},
	/// Attests a claim about an account until an instant (registrars); replaces one of the
	/// same kind, which is how claims are renewed.
	AddClaim {
		/// The account (SS58).
		account: String,
		/// `kyc`, `accreditation`, `residency`, or `custom:ID`.
		#[arg(long)]
		kind: String,
		/// When it expires (ISO 8601 UTC, for example 2027-12-31T00:00:00Z).
		#[arg(long)]
		expires: DateTime<Utc>,
	},
	/// Withdraws a claim before it expires (registrars).
	RevokeClaim {
		/// The account (SS58).
		account: String,
		/// `kyc`, `accreditation`, `residency`, or `custom:ID`.
		#[arg(long)]
		kind: String,
	},
	/// Suspends an identity: it cannot transact until reactivated (registrars).
	Suspend {
		/// The account (SS58).
		account: String,
	},
	/// Reactivates a suspended identity (registrars).
	Reactivate {
		/// The account (SS58).
		account: String,
	},
	/// Revokes an identity for good: the account can never be registered again (registrars).
	Revoke {
		/// The account (SS58).
		account: String,
		/// Say that you mean it: revocation cannot be undone.
		#[arg(long)]
		for_good: bool,
	},
	/// Shows an account's identity: status, roles, jurisdiction, category, claims.
	Show {
		/// The account (SS58).
		account: String,
	},
}

#[derive(Subcommand)]
enum CodeCommand {
	/// Uploads the code of a `.contract` bundle and prints its code hash.
	Upload {
		/// The cargo-contract bundle (`name.contract`).
		bundle: PathBuf,
	},
	/// Proposes that governance approve code for issuers (a council motion needing two
	/// thirds of the council; the proposer votes aye), or approves it at once with `--sudo`
	/// on a chain with a sudo key (dev and test chains). Issuers may then issue from it.
	Approve {
		/// The code hash (`0x` and 64 hex digits).
		code_hash: String,
		/// What the code is, for people: name, version, audit.
		#[arg(long)]
		label: String,
		/// Approve through sudo instead of a council motion.
		#[arg(long)]
		sudo: bool,
	},
	/// Proposes that governance revoke an approval (or revokes it with `--sudo`). Contracts
	/// already made from the code keep running.
	Revoke {
		/// The code hash.
		code_hash: String,
		/// Revoke through sudo instead of a council motion.
		#[arg(long)]
		sudo: bool,
	},
	/// Shows whether code is on the chain and approved for issuers.
	Status {
		/// The code hash.
		code_hash: String,
	},
}

#[derive(Subcommand)]
enum CouncilCommand {
	/// Lists the open motions: index, hash, votes, threshold.
	Motions,
	/// Votes on a motion (council members).
	Vote {
		/// The motion's hash (as `code approve` or `council motions` print it).
		motion: String,
		/// The motion's index.
		#[arg(long)]
		index: u32,
		/// Vote against (the default is for).
		#[arg(long)]
		nay: bool,
	},
	/// Closes a motion once it has its votes (or its time is up): a carried motion executes.
	Close {
		/// The motion's hash.
		motion: String,
		/// The motion's index.
		#[arg(long)]
		index: u32,
	},
}

#[derive(Subcommand)]
enum CashCommand {
	/// Deploys a cash token from uploaded code (contract deployers only) and prints its address.
	Deploy {
		/// The code hash of the cash token code on the chain.
		#[arg(long)]
		code_hash: String,
		/// The token's name, for example `Tokenized Euro`.
		#[arg(long)]
		name: String,
		/// The token's symbol, for example `EURC`.
		#[arg(long)]
		symbol: String,
		/// Decimals of the token's amounts.
		#[arg(long)]
		decimals: u8,
		/// The settlement agent, who alone mints and burns.
		#[arg(long)]
		settlement_agent: String,
	},
	/// Mints cash to an account (the settlement agent only).
	Mint {
		/// The cash token's address.
		token: String,
		/// Who receives it.
		to: String,
		/// The amount, in the token's units.
		amount: String,
	},
	/// Transfers cash.
	Transfer {
		/// The cash token's address.
		token: String,
		/// Who receives it.
		to: String,
		/// The amount, in the token's units.
		amount: String,
	},
	/// Shows a balance (by default the signer's).
	Balance {
		/// The cash token's address.
		token: String,
		/// Whose balance, if not the signer's.
		#[arg(long)]
		holder: Option<String>,
	},
}

#[derive(Subcommand)]
enum TermSheetCommand {
	/// Checks a term sheet offline with the green bond's own rules and shows the coupon
	/// schedule it defines and the terms hash the contract will publish. Nothing is sent.
	Check {
		/// The term sheet (JSON); `-` reads standard input.
		file: PathBuf,
	},
	/// Prints a term sheet to start from: a plain fixed-rate green bond whose subscriptions
	/// open now, on compressed coupon periods for a development chain (by default four of
	/// 30 seconds, each standing for half a year). Edit it, check it, issue it.
	Template(Template),
}

/// The choices of `term-sheet template`.
#[derive(Args)]
struct Template {
	/// The issuer's account (SS58): the key that will issue the bond.
	#[arg(long)]
	issuer: String,
	/// The cash token the bond settles in (SS58).
	#[arg(long)]
	currency: String,
	/// Decimals of the cash token.
	#[arg(long, default_value_t = 2)]
	currency_decimals: u8,
	/// The bond's ISIN (with its check digit).
	#[arg(long, default_value = "NLCITYBOND24")]
	isin: String,
	/// How long subscriptions stay open from now (ISO 8601, for example PT2M).
	#[arg(long, default_value = "PT2M")]
	subscription: String,
	/// The length of a coupon period (ISO 8601).
	#[arg(long, default_value = "PT30S")]
	period: String,
	/// How many coupon periods until maturity.
	#[arg(long, default_value_t = 4)]
	periods: u32,
	/// The coupon, in percent a year.
	#[arg(long, default_value = "4.00")]
	coupon: String,
}

#[derive(Subcommand)]
enum BondCommand {
	/// Issues a bond from a term sheet: checks it offline, dry-runs the instantiation of the
	/// approved green bond code, then sends it and prints the bond's address.
	Issue {
		/// The term sheet (JSON).
		file: PathBuf,
		/// The code hash of the approved green bond code on the chain.
		#[arg(long, env = "CITYBOND_BOND_CODE_HASH")]
		code_hash: String,
		/// An agent of the bond (pauses, freezes, recovers lost wallets; ERC-3643); at least
		/// one, repeat for several.
		#[arg(long = "agent", required = true)]
		agents: Vec<String>,
		/// The most investors that may subscribe.
		#[arg(long, default_value_t = 50)]
		max_subscribers: u32,
		/// The most accounts that may hold the bond at once.
		#[arg(long, default_value_t = 200)]
		max_holders: u32,
		/// Show what would happen (schedule, address, deposit) and send nothing.
		#[arg(long)]
		dry_run: bool,
	},
	/// Prints a deployed bond's terms as a term sheet (JSON), the format `issue` reads; its
	/// terms hash is checked against the one the bond published.
	Terms {
		/// The bond's address.
		bond: String,
	},
	/// Shows a bond's phase, book and coupon schedule.
	Show {
		/// The bond's address.
		bond: String,
	},
	/// Subscribes an amount of cash (in the currency's units, for example `25000.00`),
	/// approving the bond to collect it first.
	Subscribe {
		/// The bond's address.
		bond: String,
		/// The amount, a whole number of denominations.
		amount: String,
	},
	/// Takes back a refund (after a cancelled issue or an allotment below the subscription).
	WithdrawRefund {
		/// The bond's address.
		bond: String,
	},
	/// Closes the book after the subscription window: allots, or cancels below the minimum.
	CloseBook {
		/// The bond's address.
		bond: String,
	},
	/// Fixes the coupon rate of a period from its KPIs.
	FixCoupon {
		/// The bond's address.
		bond: String,
		/// The coupon period, from 0.
		period: u32,
	},
	/// Funds a payment as the issuer (the amount due unless given), approving the bond first.
	Fund {
		/// The bond's address.
		bond: String,
		/// The coupon period to fund, from 0.
		#[arg(long, conflicts_with = "redemption", required_unless_present = "redemption")]
		coupon: Option<u32>,
		/// Fund the redemption of the principal.
		#[arg(long)]
		redemption: bool,
		/// The amount in the currency's units; by default what is still due.
		#[arg(long)]
		amount: Option<String>,
	},
	/// Claims every payment owed to a holder (by default the signer).
	Claim {
		/// The bond's address.
		bond: String,
		/// The holder, if not the signer.
		#[arg(long)]
		holder: Option<String>,
	},
	/// Transfers bonds (whole units) to an eligible investor.
	Transfer {
		/// The bond's address.
		bond: String,
		/// The receiver.
		to: String,
		/// How many bonds.
		units: u128,
	},
	/// Shows a holder's position: units, subscription, refund, cash balance.
	Position {
		/// The bond's address.
		bond: String,
		/// The holder, if not the signer.
		#[arg(long)]
		holder: Option<String>,
	},
}

#[derive(Subcommand)]
enum KpiCommand {
	/// Attests a Provisional KPI (auditors only).
	Attest {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
	},
	/// Disputes a Provisional KPI in its challenge window (auditors only), with the reasons;
	/// their blake2-256 hash goes on chain.
	Dispute {
		/// The feed.
		feed: u32,
		/// The period.
		period: u32,
		/// The reasons, published off chain.
		#[arg(long)]
		reason: String,
	},
}

/// Exit code: the input was refused before anything was sent.
const REFUSED: u8 = 3;
/// Exit code: the chain or a contract refused the action.
const CHAIN_REFUSED: u8 = 4;
/// Exit code: the node did not answer.
const UNREACHABLE: u8 = 5;

/// Input refused before anything was sent; for a term sheet, the field and the problem.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Refused {
	message: String,
	field: Option<(String, String)>,
}

/// The node did not answer.
#[derive(Debug, thiserror::Error)]
#[error("the node at {0} did not answer: {1}")]
struct Unreachable(String, String);

/// A dispatch error from the runtime.
#[derive(Debug, thiserror::Error)]
#[error("the chain refused it: {0}")]
struct ChainRefused(String);

fn refused(e: impl std::fmt::Display) -> anyhow::Error {
	Refused { message: e.to_string(), field: None }.into()
}

/// Runs the command line and gives the exit code.
pub fn main() -> ExitCode {
	let cli = Cli::parse();
	let runtime = match tokio::runtime::Runtime::new() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("citybond: cannot start: {e}");
			return ExitCode::FAILURE;
		}
	};
	match runtime.block_on(run(&cli)) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			let code = if e.downcast_ref::<Refused>().is_some() {
				REFUSED
			} else if e.downcast_ref::<Revert>().is_some()
				|| e.downcast_ref::<ChainRefused>().is_some()
				|| e.downcast_ref::<citybond_client::DispatchFailed>().is_some()
			{
				CHAIN_REFUSED
			} else if e.downcast_ref::<Unreachable>().is_some() {
				UNREACHABLE
			} else {
				1
			};
			if cli.json {
				let mut answer =
					json!({ "ok": false, "error": format!("{e:#}"), "exitCode": code });
				if let Some(Refused { field: Some((field, problem)), .. }) = e.downcast_ref() {
					answer["valid"] = json!(false);
					answer["field"] = json!(field);
					answer["problem"] = json!(problem);
				}
				println!("{answer}");
			}
			eprintln!("citybond: {e:#}");
			ExitCode::from(code)
		}
	}
}

impl Cli {
	fn signer(&self) -> Result<Keypair> {
		let source = KeySource { suri: self.key.suri.clone(), key_file: self.key.key_file.clone() };
		source.keypair().map_err(|e| refused(format!("{e:#}")))
	}

	async fn client(&self) -> Result<Client> {
		let connect = Client::from_insecure_url(&self.url);
		match tokio::time::timeout(Duration::from_secs(20), connect).await {
			Ok(Ok(client)) => Ok(client),
			Ok(Err(e)) => Err(Unreachable(self.url.clone(), e.to_string()).into()),
			Err(_) => Err(Unreachable(self.url.clone(), "no answer in 20 s".into()).into()),
		}
	}

	/// Prints `value` as JSON, or `text` for a person.
	fn answer(&self, value: Json, text: impl FnOnce() -> String) {
		if self.json {
			println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
		} else {
			println!("{}", text());
		}
	}
}

/// Says on standard error what is being waited for.
fn progress(what: &str) {
	eprintln!("citybond: {what} ...");
}

async fn run(cli: &Cli) -> Result<()> {
	match &cli.command {
		Command::TermSheet(TermSheetCommand::Check { file }) => check(cli, file),
		Command::TermSheet(TermSheetCommand::Template(template)) => sheet_template(template),
		Command::Bond(command) => bond(cli, command).await,
		Command::Kpi(command) => kpi(cli, command).await,
		Command::Cash(command) => cash(cli, command).await,
		Command::Code(command) => code(cli, command).await,
		Command::Council(command) => council(cli, command).await,
		Command::Identity(command) => identity_command(cli, command).await,
	}
}

fn read(file: &Path) -> Result<String> {
	if file.as_os_str() == "-" {
		std::io::read_to_string(std::io::stdin()).context("read the term sheet from stdin")
	} else {
		std::fs::read_to_string(file).with_context(|| format!("read {}", file.display()))
	}
}

/// Reads and checks a term sheet; a refusal names the file and the field.
fn load_sheet(
	file: &Path,
) -> Result<(TermSheet, Terms, Vec<green_bond_rules::schedule::CouponPeriod>)> {
	let text = read(file)?;
	let refusal = |e: crate::term_sheet::TermSheetError| Refused {
		message: format!("{}: {e}", file.display()),
		field: Some((e.field, e.problem)),
	};
	let sheet = TermSheet::from_json(&text).map_err(refusal)?;
	let (terms, schedule) = sheet.to_terms().map_err(refusal)?;
	Ok((sheet, terms, schedule))
}

fn check(cli: &Cli, file: &Path) -> Result<()> {
	let (sheet, terms, schedule) = load_sheet(file)?;
	let hash = format!("0x{}", hex::encode(terms_hash(&terms)));
	let periods = schedule_json(&terms, &schedule, sheet.currency_decimals);
	cli.answer(json!({ "valid": true, "termsHash": hash, "schedule": periods }), || {
		let mut text = format!(
			"{}: valid; {} bond of {} each, {} coupon periods\nterms hash: {hash}\n",
			file.display(),
			sheet.isin,
			sheet.denomination,
			schedule.len()
		);
		text.push_str(&schedule_text(&periods));
		text
	});
	Ok(())
}

/// Prints a term sheet starting now (see [`TermSheetCommand::Template`]), checked with the
/// bond's rules first.
fn sheet_template(t: &Template) -> Result<()> {
	let duration = |what: &str, text: &str| {
		text.parse::<units::Duration>()
			.map(|d| d.millis())
			.map_err(|e| refused(format!("--{what}: {e}")))
	};
	let subscription = duration("subscription", &t.subscription)?;
	let period = duration("period", &t.period)?;
	if t.periods == 0 {
		return Err(refused("--periods: at least one coupon period"));
	}
	// Whole seconds.
	let now = u64::try_from(Utc::now().timestamp())
		.ok()
		.and_then(|seconds| seconds.checked_mul(1_000))
		.ok_or_else(|| anyhow!("the clock is before 1970"))?;
	let overflow = || refused("the dates overflow: shorter --subscription, --period or --periods");
	let sub_end = now.checked_add(subscription).ok_or_else(overflow)?;
	// Time to close the book before the issue date.
	let issue = sub_end.checked_add(30_000).ok_or_else(overflow)?;
	let maturity = u64::from(t.periods)
		.checked_mul(period)
		.and_then(|length| issue.checked_add(length))
		.ok_or_else(overflow)?;
	let record_offset = (period / 6).max(1_000);
	let one = 10u128
		.checked_pow(u32::from(t.currency_decimals))
		.ok_or_else(|| refused("--currency-decimals: too many"))?;
	// `whole` units of the currency, written in its decimals.
	let money = |whole: u128| {
		whole
			.checked_mul(one)
			.map(|amount| units::format_money(amount, t.currency_decimals))
			.ok_or_else(|| refused("--currency-decimals: too many"))
	};
	let duration_text =
		|ms: u64| serde_json::to_value(units::Duration::from_millis(ms)).unwrap_or(Json::Null);
	let doc = json!({
		"isin": t.isin,
		"cfi": "DBFTFR",
		"issuer": t.issuer,
		"currency": t.currency,
		"currencyDecimals": t.currency_decimals,
		"denomination": money(1_000)?,
		"issueSize": money(100_000)?,
		"minimumRaise": money(10_000)?,
		"minimumSubscription": money(1_000)?,
		"subscriptionStart": at(now.saturating_sub(60_000)),
		"subscriptionEnd": at(sub_end),
		"issueDate": at(issue),
		"maturityDate": at(maturity),
		"couponFrequency": { "every": t.period, "periodsPerYear": 2 },
		"dayCountFraction": "30/360",
		"businessDayConvention": "Unadjusted",
		"recordDateOffset": duration_text(record_offset),
		"couponRate": t.coupon,
		"couponFloor": t.coupon,
		"couponCap": t.coupon,
		"kpis": [],
		"useOfProceeds": ["EnergyEfficiency", "GreenBuildings"],
		"documents": {
			// A placeholder: put the blake2-256 hash of your bond framework document here.
			"framework": "0xa29bb5b49cf27075cd96c98a17d7426ceccfa402f10560a14b4bf606bbafca7d",
			"secondPartyOpinion": null
		},
		"callSchedule": [],
		"gracePeriod": "PT1M",
		"claimPeriod": "PT10M",
		"investorCaps": [],
		"residentPriority": null
	});
	let sheet = TermSheet::from_json(&doc.to_string()).map_err(|e| Refused {
		message: format!("{}: {}", e.field, e.problem),
		field: Some((e.field, e.problem)),
	})?;
	sheet.to_terms().map_err(|e| Refused {
		message: format!("{}: {}", e.field, e.problem),
		field: Some((e.field, e.problem)),
	})?;
	println!("{}", sheet.to_json());
	Ok(())
}

fn at(ms: u64) -> String {
	i64::try_from(ms)
		.ok()
		.and_then(DateTime::<Utc>::from_timestamp_millis)
		.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
		.unwrap_or_else(|| ms.to_string())
}

fn schedule_json(
	terms: &Terms,
	schedule: &[green_bond_rules::schedule::CouponPeriod],
	decimals: u8,
) -> Vec<Json> {
	schedule
		.iter()
		.map(|p| {
			let coupon = green_bond_rules::payout::coupon_per_unit(
				terms.denomination,
				terms.coupon_rate_bps,
				p.fraction,
			)
			.map(|c| units::format_money(c, decimals))
			.unwrap_or_else(|e| format!("{e:?}"));
			json!({
				"index": p.index,
				"accrualStart": at(p.accrual_start),
				"accrualEnd": at(p.accrual_end),
				"recordDate": at(p.record_date),
				"paymentDate": at(p.payment_date),
				"fraction": format!("{}/{}", p.fraction.numerator, p.fraction.denominator),
				"baseCouponPerDenomination": coupon,
			})
		})
		.collect()
}

fn schedule_text(periods: &[Json]) -> String {
	let mut text = format!(
		"{:>4}  {:<24}  {:<24}  {:<24}  {:>10}  base coupon per bond\n",
		"#", "accrual end", "record date", "payment date", "fraction"
	);
	for p in periods {
		let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
		text.push_str(&format!(
			"{:>4}  {:<24}  {:<24}  {:<24}  {:>10}  {}\n",
			p["index"],
			s("accrualEnd"),
			s("recordDate"),
			s("paymentDate"),
			s("fraction"),
			s("baseCouponPerDenomination")
		));
	}
	text
}

fn bond_address(text: &str) -> Result<GreenBond> {
	parse_address(text).map(GreenBond).map_err(|e| refused(format!("bond address: {e:#}")))
}

fn holder_or_signer(cli: &Cli, holder: &Option<String>) -> Result<[u8; 32]> {
	match holder {
		Some(text) => parse_address(text).map_err(|e| refused(format!("holder: {e:#}"))),
		None => Ok(account_id(&cli.signer()?)),
	}
}

async fn decimals_of(client: &Client, bond: &GreenBond) -> Result<(CashToken, u8)> {
	let cash = bond.currency(client).await?;
	Ok((cash, cash.decimals(client).await?))
}

async fn bond(cli: &Cli, command: &BondCommand) -> Result<()> {
	match command {
		BondCommand::Issue { file, code_hash, agents, max_subscribers, max_holders, dry_run } => {
			let (sheet, terms, schedule) = load_sheet(file)?;
			let code_hash =
				parse_hash(code_hash).map_err(|e| refused(format!("--code-hash: {e}")))?;
			let agents = agents
				.iter()
				.map(|a| parse_address(a).map_err(|e| refused(format!("--agent: {e:#}"))))
				.collect::<Result<Vec<_>>>()?;
			let signer = cli.signer()?;
			if account_id(&signer) != terms.issuer {
				return Err(refused(format!(
					"issuer: the term sheet names {} as issuer but the key is {}'s: a bond is \
					 issued by its issuer only",
					address(&terms.issuer),
					address(&account_id(&signer))
				)));
			}
			let limits = Limits { max_subscribers: *max_subscribers, max_holders: *max_holders };
			let client = cli.client().await?;
			if !contract::is_approved(&client, code_hash).await? {
				return Err(ChainRefused(format!(
					"code 0x{} is not approved by governance for issuers (see `citybond code \
					 approve`)",
					hex::encode(code_hash)
				))
				.into());
			}
			let data = GreenBond::constructor(&terms, &agents, limits);
			let salt = terms_hash(&terms).to_vec();
			if *dry_run {
				let preview = contract::instantiate_dry_run(
					&client,
					account_id(&signer),
					code_hash,
					data,
					salt,
				)
				.await?
				.map_err(|output| anyhow!(revert_bond(&output)))?;
				let periods = schedule_json(&terms, &schedule, sheet.currency_decimals);
				cli.answer(
					json!({
						"dryRun": true,
						"address": address(&preview.address),
						"termsHash": format!("0x{}", hex::encode(terms_hash(&terms))),
						"storageDeposit": preview.deposit.to_string(),
						"schedule": periods,
					}),
					|| {
						format!(
							"dry run: the bond would be at {} (storage deposit {} plancks of \
							 CBT); nothing was sent\n{}",
							address(&preview.address),
							preview.deposit,
							schedule_text(&periods)
						)
					},
				);
				return Ok(());
			}
			progress("issuing the bond: instantiating the approved code, waiting for finality");
			let (bond, _events) = contract::instantiate_via(
				&client,
				&signer,
				contract::Via::Issuer,
				code_hash,
				data,
				salt,
			)
			.await?
			.map_err(|output| anyhow!(revert_bond(&output)))?;
			let hash = format!("0x{}", hex::encode(terms_hash(&terms)));
			cli.answer(json!({ "address": address(&bond), "termsHash": hash }), || {
				format!("issued {} at {}\nterms hash: {hash}", sheet.isin, address(&bond))
			});
		}
		BondCommand::Terms { bond } => {
			let bond = bond_address(bond)?;
			let client = cli.client().await?;
			let terms = bond.terms(&client).await?;
			let (_, decimals) = decimals_of(&client, &bond).await?;
			let mut feed_decimals = std::collections::BTreeMap::new();
			for link in &terms.kpis {
				feed_decimals.insert(link.feed, feed_decimals_of(&client, link.feed).await?);
			}
			let sheet = TermSheet::from_terms(&terms, decimals, |feed| {
				feed_decimals.get(&feed).copied().unwrap_or(0)
			});
			let published = bond.terms_hash(&client).await?;
			if published != Some(terms_hash(&terms)) {
				bail!("the bond's published terms hash does not match its terms");
			}
			// The term sheet is the answer in both modes: it is JSON already.
			println!("{}", sheet.to_json());
		}
		BondCommand::Show { bond } => {
			let bond = bond_address(bond)?;
			let client = cli.client().await?;
			let terms = bond.terms(&client).await?;
			let state = bond.state(&client).await?.context("the bond has no state")?;
			let (_, decimals) = decimals_of(&client, &bond).await?;
			let schedule = bond.schedule_all(&client, state.periods).await?;
			let periods = schedule_json(&terms, &schedule, decimals);
			let money = |v: u128| units::format_money(v, decimals);
			cli.answer(
				json!({
					"address": address(&bond.0),
					"isin": String::from_utf8_lossy(&terms.isin),
					"phase": format!("{:?}", state.phase),
					"issuer": address(&state.issuer),
					"subscribers": state.subscribers,
					"escrowed": money(state.escrowed),
					"unitsIssued": state.units_issued.to_string(),
					"holders": state.holders,
					"raised": money(state.raised),
					"schedule": periods,
				}),
				|| {
					format!(
						"{} at {}: {:?}\nissuer {}\n{} subscribers, {} escrowed; {} bonds issued, {} \
						 holders, {} raised\n{}",
						String::from_utf8_lossy(&terms.isin),
						address(&bond.0),
						state.phase,
						address(&state.issuer),
						state.subscribers,
						money(state.escrowed),
						state.units_issued,
						state.holders,
						money(state.raised),
						schedule_text(&periods)
					)
				},
			);
		}
		BondCommand::Subscribe { bond, amount } => {
			let bond = bond_address(bond)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			let (_, decimals) = decimals_of(&client, &bond).await?;
			let minor =
				units::money(amount, decimals).map_err(|e| refused(format!("amount: {e}")))?;
			progress(
				"subscribing (approving the bond to collect the cash first), waiting for finality",
			);
			bond.subscribe(&client, &signer, minor).await?;
			let record = bond.subscription(&client, account_id(&signer)).await?;
			let total = record.map(|r| r.amount).unwrap_or_default();
			cli.answer(
				json!({ "subscribed": units::format_money(minor, decimals), "total": units::format_money(total, decimals) }),
				|| format!("subscribed {amount}; your subscription is now {}", units::format_money(total, decimals)),
			);
		}
		BondCommand::WithdrawRefund { bond } => {
			let bond = bond_address(bond)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("withdrawing the refund, waiting for finality");
			bond.withdraw_refund(&client, &signer, account_id(&signer)).await?;
			cli.answer(json!({ "withdrawn": true }), || "refund paid out".to_string());
		}
		BondCommand::CloseBook { bond } => {
			let bond = bond_address(bond)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("closing the book, waiting for finality");
			bond.close_book(&client, &signer).await?;
			let state = bond.state(&client).await?.context("the bond has no state")?;
			cli.answer(
				json!({ "phase": format!("{:?}", state.phase), "unitsIssued": state.units_issued.to_string() }),
				|| format!("book closed: {:?}, {} bonds issued", state.phase, state.units_issued),
			);
		}
		BondCommand::FixCoupon { bond, period } => {
			let bond = bond_address(bond)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			let fixing = bond.coupon_rate(&client, *period).await?;
			progress("fixing the coupon rate, waiting for finality");
			bond.fix_coupon_rate(&client, &signer, *period).await?;
			let rate = units::format_percent(i64::from(fixing.rate_bps));
			cli.answer(json!({ "period": period, "rate": rate }), || {
				format!("coupon {period} fixed at {rate} %")
			});
		}
		BondCommand::Fund { bond, coupon, redemption: _, amount } => {
			let bond = bond_address(bond)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			let (_, decimals) = decimals_of(&client, &bond).await?;
			let payment = match coupon {
				Some(period) => Payment::Coupon(*period),
				None => Payment::Redemption,
			};
			let minor = match amount {
				Some(text) => {
					units::money(text, decimals).map_err(|e| refused(format!("--amount: {e}")))?
				}
				None => {
					let d = bond.distribution(&client, payment).await?.ok_or_else(|| {
						Revert::Other(format!(
							"{payment:?} has no amount yet (fix the coupon first)"
						))
					})?;
					d.total_due()
						.and_then(|due| {
							due.checked_sub(d.funded).ok_or(green_bond_rules::Error::Overflow)
						})
						.map_err(|e| anyhow!("{e:?}"))?
				}
			};
			progress(
				"funding (approving the bond to collect the cash first), waiting for finality",
			);
			bond.fund(&client, &signer, payment, minor).await?;
			let funded = units::format_money(minor, decimals);
			cli.answer(json!({ "payment": format!("{payment:?}"), "funded": funded }), || {
				format!("funded {payment:?} with {funded}")
			});
		}
		BondCommand::Claim { bond, holder } => {
			let bond = bond_address(bond)?;
			let signer = cli.signer()?;
			let holder = holder_or_signer(cli, holder)?;
			let client = cli.client().await?;
			let (cash, decimals) = decimals_of(&client, &bond).await?;
			let before = cash.balance_of(&client, holder).await?;
			progress("claiming, waiting for finality");
			bond.claim(&client, &signer, holder).await?;
			let after = cash.balance_of(&client, holder).await?;
			let paid = units::format_money(after.saturating_sub(before), decimals);
			cli.answer(json!({ "holder": address(&holder), "paid": paid }), || {
				format!("claimed: {paid} paid to {}", address(&holder))
			});
		}
		BondCommand::Transfer { bond, to, units: count } => {
			let bond = bond_address(bond)?;
			let to = parse_address(to).map_err(|e| refused(format!("to: {e:#}")))?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("transferring, waiting for finality");
			bond.transfer(&client, &signer, to, *count).await?;
			cli.answer(json!({ "to": address(&to), "units": count.to_string() }), || {
				format!("transferred {count} bonds to {}", address(&to))
			});
		}
		BondCommand::Position { bond, holder } => {
			let bond = bond_address(bond)?;
			let holder = holder_or_signer(cli, holder)?;
			let client = cli.client().await?;
			let (cash, decimals) = decimals_of(&client, &bond).await?;
			let money = |v: u128| units::format_money(v, decimals);
			let units_held = bond.balance_of(&client, holder).await?;
			let subscription = bond.subscription(&client, holder).await?;
			let cash_balance = cash.balance_of(&client, holder).await?;
			cli.answer(
				json!({
					"holder": address(&holder),
					"units": units_held.to_string(),
					"subscribed": subscription.as_ref().map(|s| money(s.amount)),
					"allotted": subscription.as_ref().map(|s| s.units.to_string()),
					"refundOwed": subscription.as_ref().map(|s| money(s.refund)),
					"cash": money(cash_balance),
				}),
				|| {
					let sub = subscription
						.as_ref()
						.map(|s| {
							format!(
								"subscribed {}, allotted {}, refund owed {}",
								money(s.amount),
								s.units,
								money(s.refund)
							)
						})
						.unwrap_or_else(|| "no subscription".into());
					format!(
						"{}: {units_held} bonds; {sub}; cash {}",
						address(&holder),
						money(cash_balance)
					)
				},
			);
		}
	}
	Ok(())
}

fn revert_bond(output: &[u8]) -> Revert {
	citybond_client::bond::revert_of_bond(output)
}

fn parse_hash(text: &str) -> Result<[u8; 32], String> {
	let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text))
		.map_err(|e| format!("`{text}` is not hex: {e}"))?;
	<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| format!("`{text}` is not 32 bytes"))
}

/// The decimals of a KPI feed, from the oracle pallet's storage.
async fn feed_decimals_of(client: &Client, feed: u32) -> Result<u8> {
	let at = client.at_current_block().await?;
	let info = at
		.storage()
		.fetch(subxt::dynamic::storage::<(u32,), Value>("KpiOracle", "Feeds"), (feed,))
		.await
		.with_context(|| format!("read feed {feed}"))?;
	let info: Value = info.decode().with_context(|| format!("decode feed {feed}"))?;
	let decimals = info
		.at("params")
		.and_then(|p| p.at("decimals"))
		.and_then(|d| d.as_u128())
		.ok_or_else(|| anyhow!("feed {feed} has no decimals"))?;
	u8::try_from(decimals).context("feed decimals")
}

async fn kpi(cli: &Cli, command: &KpiCommand) -> Result<()> {
	let signer = cli.signer()?;
	let client = cli.client().await?;
	let (call, args, what) = match command {
		KpiCommand::Attest { feed, period } => (
			"attest",
			vec![Value::u128((*feed).into()), Value::u128((*period).into())],
			format!("attested feed {feed} period {period}"),
		),
		KpiCommand::Dispute { feed, period, reason } => {
			use blake2::{digest::consts::U32, Blake2b, Digest};
			let hash: [u8; 32] = Blake2b::<U32>::digest(reason.as_bytes()).into();
			(
				"dispute",
				vec![
					Value::u128((*feed).into()),
					Value::u128((*period).into()),
					Value::from_bytes(hash),
				],
				format!("disputed feed {feed} period {period} (reasons 0x{})", hex::encode(hash)),
			)
		}
	};
	progress(&format!("KpiOracle.{call}, waiting for finality"));
	match submit(&client, &signer, "KpiOracle", call, args).await {
		Ok(_) => {
			cli.answer(json!({ "done": what }), || what.clone());
			Ok(())
		}
		Err(Failure::Dispatch(e)) => Err(ChainRefused(e).into()),
		Err(Failure::Other(e)) => Err(e),
	}
}

async fn upload(cli: &Cli, bundle: &Path) -> Result<()> {
	let loaded = contract::Bundle::from_file(bundle).map_err(|e| refused(format!("{e:#}")))?;
	let signer = cli.signer()?;
	let client = cli.client().await?;
	progress("uploading the code, waiting for finality");
	let outcome = contract::upload(&client, &signer, &loaded).await;
	// Code already on the chain is not stored twice; its hash is the answer either way.
	let exists = code_exists(&client, loaded.code_hash).await?;
	match outcome {
		Ok(_) | Err(Failure::Dispatch(_)) if exists => {}
		Ok(_) => bail!("the upload succeeded but the code is not on the chain"),
		Err(Failure::Dispatch(e)) => return Err(ChainRefused(e).into()),
		Err(Failure::Other(e)) => return Err(e),
	}
	let hash = format!("0x{}", hex::encode(loaded.code_hash));
	cli.answer(json!({ "codeHash": hash }), || format!("code hash: {hash}"));
	Ok(())
}

async fn code(cli: &Cli, command: &CodeCommand) -> Result<()> {
	let hash_arg = |text: &str| parse_hash(text).map_err(|e| refused(format!("code hash: {e}")));
	if let CodeCommand::Upload { bundle } = command {
		return upload(cli, bundle).await;
	}
	let client = cli.client().await?;
	let (call, sudo, what) = match command {
		// Handled above, before connecting.
		CodeCommand::Upload { .. } => return Ok(()),
		CodeCommand::Status { code_hash } => {
			let hash = hash_arg(code_hash)?;
			let on_chain = code_exists(&client, hash).await?;
			let approved = contract::is_approved(&client, hash).await?;
			let hex = format!("0x{}", hex::encode(hash));
			cli.answer(
				json!({ "codeHash": hex, "onChain": on_chain, "approved": approved }),
				|| {
					format!(
						"code {hex}: {}, {}",
						if on_chain { "on the chain" } else { "not uploaded" },
						if approved { "approved for issuers" } else { "not approved" }
					)
				},
			);
			return Ok(());
		}
		CodeCommand::Approve { code_hash, label, sudo } => {
			let hash = hash_arg(code_hash)?;
			if label.trim().is_empty() {
				return Err(refused("--label: say what the code is (name, version, audit)"));
			}
			// The chain's bound, read before anything is proposed.
			let at = client.at_current_block().await?;
			let most = at
				.constants()
				.entry(subxt::dynamic::constant::<u32>("Issuance", "MaxLabelLen"))
				.context("read the constant Issuance.MaxLabelLen")?;
			if label.len() > usize::try_from(most).unwrap_or(usize::MAX) {
				return Err(refused(format!(
					"--label: {} bytes, the chain takes at most {most}",
					label.len()
				)));
			}
			(contract::approve_code_call(hash, label), *sudo, format!("approve code {code_hash}"))
		}
		CodeCommand::Revoke { code_hash, sudo } => {
			let hash = hash_arg(code_hash)?;
			(contract::revoke_code_call(hash), *sudo, format!("revoke code {code_hash}"))
		}
	};
	let signer = cli.signer()?;
	if sudo {
		progress(&format!("{what} through sudo, waiting for finality"));
		citybond_client::sudo(&client, &signer, call).await?;
		cli.answer(json!({ "done": what }), || format!("done: {what}"));
		return Ok(());
	}
	let members = citybond_client::council_members(&client).await?;
	if !members.contains(&account_id(&signer)) {
		return Err(ChainRefused(format!(
			"{} is not a council member: only the council (or sudo, `--sudo`) decides this",
			address(&account_id(&signer))
		))
		.into());
	}
	let threshold = citybond_client::governance_threshold(members.len());
	progress(&format!("proposing a council motion to {what}, waiting for finality"));
	let motion = match citybond_client::council_propose(&client, &signer, threshold, call).await? {
		citybond_client::Proposed::Open(motion) => motion,
		citybond_client::Proposed::Executed => {
			cli.answer(json!({ "done": what, "executed": true }), || {
				format!("done: {what} (a council of one: executed on proposal)")
			});
			return Ok(());
		}
	};
	citybond_client::council_vote(&client, &signer, motion, true).await?;
	let hash = format!("0x{}", hex::encode(motion.hash));
	cli.answer(
		json!({ "motion": hash, "index": motion.index, "threshold": threshold, "ayes": 1 }),
		|| {
			format!(
				"motion {hash} (index {}) proposed to {what}; you voted aye. It needs {threshold} \
				 ayes of {} members: `citybond council vote {hash} --index {}`, then `citybond \
				 council close {hash} --index {}`",
				motion.index,
				members.len(),
				motion.index,
				motion.index
			)
		},
	);
	Ok(())
}

async fn council(cli: &Cli, command: &CouncilCommand) -> Result<()> {
	let motion_of = |text: &str, index: u32| {
		parse_hash(text)
			.map(|hash| citybond_client::Motion { index, hash })
			.map_err(|e| refused(format!("motion: {e}")))
	};
	match command {
		CouncilCommand::Motions => {
			let client = cli.client().await?;
			let motions: Vec<Json> = citybond_client::council_motions(&client)
				.await?
				.into_iter()
				.map(|(hash, votes)| {
					json!({
						"motion": format!("0x{}", hex::encode(hash)),
						"index": votes.index,
						"threshold": votes.threshold,
						"ayes": votes.ayes.len(),
						"nays": votes.nays.len(),
						"endBlock": votes.end,
					})
				})
				.collect();
			cli.answer(json!({ "motions": motions }), || {
				if motions.is_empty() {
					return "no open motions".to_string();
				}
				motions
					.iter()
					.map(|m| {
						format!(
							"{} index {}: {} ayes, {} nays of {} needed; open until block {}",
							m["motion"].as_str().unwrap_or_default(),
							m["index"],
							m["ayes"],
							m["nays"],
							m["threshold"],
							m["endBlock"]
						)
					})
					.collect::<Vec<_>>()
					.join("\n")
			});
		}
		CouncilCommand::Vote { motion, index, nay } => {
			let motion = motion_of(motion, *index)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("voting, waiting for finality");
			citybond_client::council_vote(&client, &signer, motion, !nay).await?;
			let vote = if *nay { "nay" } else { "aye" };
			cli.answer(json!({ "voted": vote }), || format!("voted {vote}"));
		}
		CouncilCommand::Close { motion, index } => {
			let motion = motion_of(motion, *index)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("closing the motion, waiting for finality");
			citybond_client::council_close(&client, &signer, motion)
				.await
				.map_err(|e| ChainRefused(format!("{e:#}")))?;
			cli.answer(json!({ "executed": true }), || "carried and executed".to_string());
		}
	}
	Ok(())
}

fn claim_kind(text: &str) -> Result<identity::ClaimKind> {
	Ok(match text {
		"kyc" => identity::ClaimKind::Kyc,
		"accreditation" => identity::ClaimKind::Accreditation,
		"residency" => identity::ClaimKind::Residency,
		other => match other.strip_prefix("custom:") {
			Some(id) if !id.is_empty() => identity::ClaimKind::Custom(id.as_bytes().to_vec()),
			_ => {
				return Err(refused(format!(
					"--kind: `{text}` is not kyc, accreditation, residency or custom:ID"
				)))
			}
		},
	})
}

fn claim_kind_text(kind: &identity::ClaimKind) -> String {
	match kind {
		identity::ClaimKind::Kyc => "kyc".into(),
		identity::ClaimKind::Accreditation => "accreditation".into(),
		identity::ClaimKind::Residency => "residency".into(),
		identity::ClaimKind::Custom(id) => format!("custom:{}", String::from_utf8_lossy(id)),
	}
}

async fn identity_command(cli: &Cli, command: &IdentityCommand) -> Result<()> {
	let account_arg =
		|text: &str| parse_address(text).map_err(|e| refused(format!("account: {e:#}")));
	let done = |what: String| {
		cli.answer(json!({ "done": what }), || format!("done: {what}"));
		Ok(())
	};
	match command {
		IdentityCommand::Show { account } => {
			let who = account_arg(account)?;
			let client = cli.client().await?;
			let Some(found) = identity::identity(&client, who).await? else {
				cli.answer(json!({ "account": address(&who), "identity": null }), || {
					format!("{} has no identity: it cannot transact", address(&who))
				});
				return Ok(());
			};
			let roles: Vec<String> =
				identity::roles_of(found.roles.0).iter().map(|r| format!("{r:?}")).collect();
			let claims: Vec<Json> = found
				.claims
				.iter()
				.map(|c| {
					json!({
						"kind": claim_kind_text(&c.kind),
						"attestedBy": address(&c.issuer),
						"expires": at(c.expiry),
						"revoked": c.revoked,
					})
				})
				.collect();
			let answer = json!({
				"account": address(&who),
				"status": format!("{:?}", found.status),
				"roles": roles,
				"jurisdiction": String::from_utf8_lossy(&found.jurisdiction.0),
				"category": found.category.map(|c| format!("{c:?}")),
				"lei": found.lei.map(|l| String::from_utf8_lossy(&l.0).into_owned()),
				"registeredBy": found.registered_by.map(|r| address(&r)),
				"claims": claims,
			});
			cli.answer(answer.clone(), || {
				serde_json::to_string_pretty(&answer).unwrap_or_default()
			});
			Ok(())
		}
		IdentityCommand::Register { account, jurisdiction, roles, category, lei } => {
			let who = account_arg(account)?;
			let country = <[u8; 2]>::try_from(jurisdiction.as_bytes())
				.ok()
				.filter(|c| c.iter().all(u8::is_ascii_uppercase))
				.ok_or_else(|| {
					refused(format!("--jurisdiction: `{jurisdiction}` is not two capital letters"))
				})?;
			let lei = lei
				.as_deref()
				.map(|text| {
					<[u8; 20]>::try_from(text.as_bytes())
						.map_err(|_| refused(format!("--lei: `{text}` is not 20 characters")))
				})
				.transpose()?;
			let roles: Vec<identity::Role> = roles.iter().map(|r| (*r).into()).collect();
			let investor = roles.contains(&identity::Role::Investor);
			let category = category.map(|c| match c {
				CategoryArg::Retail => identity::Category::Retail,
				CategoryArg::Professional => identity::Category::Professional,
				CategoryArg::Institutional => identity::Category::Institutional,
			});
			if investor != category.is_some() {
				return Err(refused("--category: given exactly when the roles include investor"));
			}
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("registering the identity, waiting for finality");
			identity::register(&client, &signer, who, lei, country, category, &roles).await?;
			done(format!("registered {}", address(&who)))
		}
		IdentityCommand::AddClaim { account, kind, expires } => {
			let who = account_arg(account)?;
			let kind = claim_kind(kind)?;
			let expiry = u64::try_from(expires.timestamp_millis())
				.map_err(|_| refused("--expires: before 1970"))?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("attesting the claim, waiting for finality");
			identity::add_claim(&client, &signer, who, &kind, expiry).await?;
			done(format!(
				"{} claim of {} until {}",
				claim_kind_text(&kind),
				address(&who),
				at(expiry)
			))
		}
		IdentityCommand::RevokeClaim { account, kind } => {
			let who = account_arg(account)?;
			let kind = claim_kind(kind)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress("withdrawing the claim, waiting for finality");
			identity::revoke_claim(&client, &signer, who, &kind).await?;
			done(format!("withdrew the {} claim of {}", claim_kind_text(&kind), address(&who)))
		}
		IdentityCommand::Suspend { account }
		| IdentityCommand::Reactivate { account }
		| IdentityCommand::Revoke { account, .. } => {
			let who = account_arg(account)?;
			let call = match command {
				IdentityCommand::Suspend { .. } => "suspend",
				IdentityCommand::Reactivate { .. } => "reactivate",
				IdentityCommand::Revoke { for_good: false, .. } => {
					return Err(refused(
						"--for-good: revoking cannot be undone (the account can never be \
						 registered again); say --for-good, or suspend instead",
					))
				}
				_ => "revoke",
			};
			let signer = cli.signer()?;
			let client = cli.client().await?;
			progress(&format!("Identity.{call}, waiting for finality"));
			identity::set_status(&client, &signer, call, who).await?;
			done(format!("{call}: {}", address(&who)))
		}
	}
}

/// Whether code with `hash` is on the chain.
async fn code_exists(client: &Client, hash: [u8; 32]) -> Result<bool> {
	let at = client.at_current_block().await?;
	let info = at
		.storage()
		.try_fetch(
			subxt::dynamic::storage::<([u8; 32],), Value>("Contracts", "CodeInfoOf"),
			(hash,),
		)
		.await
		.context("read Contracts.CodeInfoOf")?;
	Ok(info.is_some())
}

async fn cash(cli: &Cli, command: &CashCommand) -> Result<()> {
	let token_of = |text: &str| {
		parse_address(text).map(CashToken).map_err(|e| refused(format!("token address: {e:#}")))
	};
	let account =
		|what: &str, text: &str| parse_address(text).map_err(|e| refused(format!("{what}: {e:#}")));
	match command {
		CashCommand::Deploy { code_hash, name, symbol, decimals, settlement_agent } => {
			let code_hash =
				parse_hash(code_hash).map_err(|e| refused(format!("--code-hash: {e}")))?;
			let agent = account("--settlement-agent", settlement_agent)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			let mut data = citybond_client::bond::selectors::NEW.to_vec();
			codec::Encode::encode_to(
				&(Some(name.clone()), Some(symbol.clone()), *decimals, agent),
				&mut data,
			);
			progress("deploying the cash token, waiting for finality");
			let salt = symbol.as_bytes().to_vec();
			let (token, _) = contract::instantiate_checked(&client, &signer, code_hash, data, salt)
				.await?
				.map_err(|output| {
					anyhow!(Revert::Other(format!(
						"the constructor reverted: 0x{}",
						hex::encode(output)
					)))
				})?;
			cli.answer(json!({ "address": address(&token) }), || {
				format!("cash token {symbol} at {}", address(&token))
			});
		}
		CashCommand::Mint { token, to, amount } | CashCommand::Transfer { token, to, amount } => {
			let token = token_of(token)?;
			let to = account("to", to)?;
			let signer = cli.signer()?;
			let client = cli.client().await?;
			let decimals = token.decimals(&client).await?;
			let minor =
				units::money(amount, decimals).map_err(|e| refused(format!("amount: {e}")))?;
			let minting = matches!(command, CashCommand::Mint { .. });
			progress(if minting {
				"minting, waiting for finality"
			} else {
				"transferring, waiting for finality"
			});
			if minting {
				token.mint(&client, &signer, to, minor).await?;
			} else {
				token.transfer(&client, &signer, to, minor).await?;
			}
			let amount = units::format_money(minor, decimals);
			cli.answer(json!({ "to": address(&to), "amount": amount }), || {
				format!("{} {amount} to {}", if minting { "minted" } else { "sent" }, address(&to))
			});
		}
		CashCommand::Balance { token, holder } => {
			let token = token_of(token)?;
			let holder = holder_or_signer(cli, holder)?;
			let client = cli.client().await?;
			let decimals = token.decimals(&client).await?;
			let balance = units::format_money(token.balance_of(&client, holder).await?, decimals);
			cli.answer(json!({ "holder": address(&holder), "balance": balance }), || {
				format!("{}: {balance}", address(&holder))
			});
		}
	}
	Ok(())
}
