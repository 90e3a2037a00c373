//! Typed operations on CityBond's contracts: the green bond and the cash token it settles in.
//!
//! Every message is called by its selector (the contracts' ABI, pinned in [`selectors`] and
//! checked against the cargo-contract metadata by the end-to-end tests), with its arguments
//! and results in the rules' own types (`green_bond_rules`), so nothing here mirrors a
//! contract type by hand. A state-changing message is dry-run first: one that would revert is
//! never sent, and the error says why in the contract's words ([`Revert`]).

use crate::{account_id, contract, Client, TxEvents};
use anyhow::{anyhow, bail, Context, Result};
use codec::{Decode, Encode};
use green_bond_rules::{
	data::{BondState, Limits, Payment, Phase, SubscriptionRecord},
	kpi_link::RateFixing,
	payout::Distribution,
	schedule::CouponPeriod,
	terms::BondTerms,
	Error as BondError,
};
use std::fmt;
use subxt_signer::sr25519::Keypair;

/// The selectors of the messages used here, as the contracts' metadata gives them.
pub mod selectors {
	/// A 4-byte ink! selector.
	pub type Selector = [u8; 4];

	/// `new(terms, agents, limits)` of the green bond; `new(name, symbol, decimals, agent)` of
	/// the cash token.
	pub const NEW: Selector = [0x9b, 0xae, 0x9d, 0x5e];
	/// `balance_of(owner)` (both contracts).
	pub const BALANCE_OF: Selector = [0x0f, 0x75, 0x5a, 0x56];
	/// `allowance(owner, spender)` (both contracts).
	pub const ALLOWANCE: Selector = [0x6a, 0x00, 0x16, 0x5e];
	/// `transfer(to, value, data)` (both contracts).
	pub const TRANSFER: Selector = [0x84, 0xa1, 0x5d, 0xa1];
	/// `approve(spender, value)` (both contracts).
	pub const APPROVE: Selector = [0x68, 0x12, 0x66, 0xa0];
	/// `token_decimals()` of the cash token.
	pub const TOKEN_DECIMALS: Selector = [0x97, 0x15, 0xe3, 0xca];
	/// `token_symbol()` of the cash token.
	pub const TOKEN_SYMBOL: Selector = [0xd7, 0x33, 0xea, 0x17];
	/// `mint(to, value)` of the cash token (its settlement agent only).
	pub const MINT: Selector = [0xcf, 0xdd, 0x9a, 0xa2];
	/// `subscribe(amount)`.
	pub const SUBSCRIBE: Selector = [0xfb, 0x96, 0x8a, 0x8f];
	/// `close_book()`.
	pub const CLOSE_BOOK: Selector = [0x5d, 0xda, 0x42, 0x93];
	/// `withdraw_refund(investor)`.
	pub const WITHDRAW_REFUND: Selector = [0xb9, 0x8b, 0xa3, 0x33];
	/// `fix_coupon_rate(period)`.
	pub const FIX_COUPON_RATE: Selector = [0xa1, 0x6e, 0xea, 0x01];
	/// `fund(payment, amount)`.
	pub const FUND: Selector = [0x4a, 0xaf, 0xa3, 0x43];
	/// `claim(holder)`.
	pub const CLAIM: Selector = [0xb3, 0x88, 0x80, 0x3f];
	/// `terms()`.
	pub const TERMS: Selector = [0x81, 0x7f, 0x09, 0xe8];
	/// `terms_hash()`.
	pub const TERMS_HASH: Selector = [0xe5, 0xb5, 0x47, 0xa4];
	/// `state()`.
	pub const STATE: Selector = [0x0c, 0xed, 0x16, 0x2a];
	/// `phase()`.
	pub const PHASE: Selector = [0xd8, 0xee, 0xb0, 0xe4];
	/// `schedule(from, count)`.
	pub const SCHEDULE: Selector = [0x9d, 0xb8, 0x31, 0x96];
	/// `distribution(payment)`.
	pub const DISTRIBUTION: Selector = [0xed, 0xcd, 0x03, 0x3d];
	/// `coupon_rate(period)`.
	pub const COUPON_RATE: Selector = [0x6c, 0x79, 0xc1, 0x22];
	/// `subscription(who)`.
	pub const SUBSCRIPTION: Selector = [0xa0, 0x25, 0xb2, 0x04];
	/// `currency()`.
	pub const CURRENCY: Selector = [0xf9, 0x49, 0x1f, 0x07];

	/// Every selector here with its message label, for checking against a bundle's metadata:
	/// (contract, label, selector).
	pub const ALL: &[(&str, &str, Selector)] = &[
		("green_bond", "new", NEW),
		("cash_token", "new", NEW),
		("green_bond", "balance_of", BALANCE_OF),
		("cash_token", "balance_of", BALANCE_OF),
		("green_bond", "allowance", ALLOWANCE),
		("cash_token", "allowance", ALLOWANCE),
		("green_bond", "transfer", TRANSFER),
		("cash_token", "transfer", TRANSFER),
		("green_bond", "approve", APPROVE),
		("cash_token", "approve", APPROVE),
		("cash_token", "token_decimals", TOKEN_DECIMALS),
		("cash_token", "token_symbol", TOKEN_SYMBOL),
		("cash_token", "mint", MINT),
		("green_bond", "subscribe", SUBSCRIBE),
		("green_bond", "close_book", CLOSE_BOOK),
		("green_bond", "withdraw_refund", WITHDRAW_REFUND),
		("green_bond", "fix_coupon_rate", FIX_COUPON_RATE),
		("green_bond", "fund", FUND),
		("green_bond", "claim", CLAIM),
		("green_bond", "terms", TERMS),
		("green_bond", "terms_hash", TERMS_HASH),
		("green_bond", "state", STATE),
		("green_bond", "phase", PHASE),
		("green_bond", "schedule", SCHEDULE),
		("green_bond", "distribution", DISTRIBUTION),
		("green_bond", "coupon_rate", COUPON_RATE),
		("green_bond", "subscription", SUBSCRIPTION),
		("green_bond", "currency", CURRENCY),
	];
}

/// The most coupon periods the green bond's `schedule` answers at once (`SCHEDULE_PAGE`).
pub const SCHEDULE_PAGE: u32 = 64;

/// The green bond's terms with 32-byte account ids.
pub type Terms = BondTerms<[u8; 32]>;

/// Why a contract call was refused, in the contract's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revert {
	/// The green bond's rules refused it.
	Bond(BondError),
	/// The cash token refused it (its error's variant index and name).
	Cash(&'static str),
	/// Something else: the raw output of the dry run, or the chain's error.
	Other(String),
}

impl fmt::Display for Revert {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Bond(e) => write!(f, "the green bond refused it: {e:?}"),
			Self::Cash(e) => write!(f, "the cash token refused it: {e}"),
			Self::Other(e) => write!(f, "{e}"),
		}
	}
}

impl std::error::Error for Revert {}

/// The cash token's errors, by variant index (`cash_token::data::Error`).
const CASH_ERRORS: [&str; 6] = [
	"InsufficientBalance",
	"InsufficientAllowance",
	"Overflow",
	"NotSettlementAgent",
	"NotPendingSettlementAgent",
	"NoPendingSettlementAgent",
];

/// Which contract a call goes to, for reading its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
	Bond,
	Cash,
}

fn revert_of(kind: Kind, output: &[u8]) -> Revert {
	// ink! answers `Result<Result<T, Error>, LangError>`: 0x00 0x01 then the error.
	match output {
		[0, 1, rest @ ..] => match kind {
			Kind::Bond => BondError::decode(&mut &rest[..])
				.map(Revert::Bond)
				.unwrap_or_else(|_| Revert::Other(format!("reverted: 0x{}", hex::encode(output)))),
			Kind::Cash => rest
				.first()
				.and_then(|i| CASH_ERRORS.get(usize::from(*i)))
				.map(|e| Revert::Cash(e))
				.unwrap_or_else(|| Revert::Other(format!("reverted: 0x{}", hex::encode(output)))),
		},
		[1, ..] => Revert::Other("the contract has no such message (ink! LangError)".into()),
		_ => Revert::Other(format!("reverted: 0x{}", hex::encode(output))),
	}
}

/// Why the green bond refused a call or its instantiation, from the dry run's output.
pub fn revert_of_bond(output: &[u8]) -> Revert {
	revert_of(Kind::Bond, output)
}

fn call_data(selector: selectors::Selector, args: impl Encode) -> Vec<u8> {
	let mut data = selector.to_vec();
	args.encode_to(&mut data);
	data
}

/// Dry-runs then sends `selector(args)` to `contract` as `signer`; a refusal is a [`Revert`].
async fn send(
	client: &Client,
	signer: &Keypair,
	kind: Kind,
	contract: [u8; 32],
	selector: selectors::Selector,
	args: impl Encode,
) -> Result<TxEvents> {
	let data = call_data(selector, args);
	let dry = contract::dry_run(client, account_id(signer), contract, data.clone()).await?;
	if dry.reverted {
		return Err(revert_of(kind, &dry.data).into());
	}
	contract::submit_call(client, signer, contract, dry.gas_required, dry.deposit, &data)
		.await
		.map_err(|e| match e {
			crate::Failure::Dispatch(e) => anyhow!(Revert::Other(e)),
			crate::Failure::Other(e) => e,
		})
}

/// Reads `selector(args)` of `contract` by dry run.
async fn read<T: Decode>(
	client: &Client,
	contract: [u8; 32],
	selector: selectors::Selector,
	args: impl Encode,
) -> Result<T> {
	contract::read(client, contract, call_data(selector, args)).await
}

/// A green bond on the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GreenBond(pub [u8; 32]);

impl GreenBond {
	/// The constructor call data of a bond with `terms`, bond `agents` and `limits`.
	pub fn constructor(terms: &Terms, agents: &[[u8; 32]], limits: Limits) -> Vec<u8> {
		call_data(selectors::NEW, (terms, agents, limits))
	}

	/// The terms, or an error naming the address if no green bond answers there.
	pub async fn terms(&self, client: &Client) -> Result<Terms> {
		let terms: Option<Terms> = read(client, self.0, selectors::TERMS, ())
			.await
			.with_context(|| format!("no green bond answers at {}", crate::address(&self.0)))?;
		terms.ok_or_else(|| anyhow!("the bond at {} has no terms", crate::address(&self.0)))
	}

	/// The terms hash the bond published at instantiation.
	pub async fn terms_hash(&self, client: &Client) -> Result<Option<[u8; 32]>> {
		read(client, self.0, selectors::TERMS_HASH, ()).await
	}

	/// The bond's state.
	pub async fn state(&self, client: &Client) -> Result<Option<BondState<[u8; 32]>>> {
		read(client, self.0, selectors::STATE, ()).await
	}

	/// The bond's phase.
	pub async fn phase(&self, client: &Client) -> Result<Option<Phase>> {
		read(client, self.0, selectors::PHASE, ()).await
	}

	/// Up to `count` coupon periods from `from`: the contract answers at most a page of
	/// [`SCHEDULE_PAGE`] at a time.
	pub async fn schedule(
		&self,
		client: &Client,
		from: u32,
		count: u32,
	) -> Result<Vec<CouponPeriod>> {
		read(client, self.0, selectors::SCHEDULE, (from, count)).await
	}

	/// The whole schedule of `periods` periods, page by page.
	pub async fn schedule_all(&self, client: &Client, periods: u32) -> Result<Vec<CouponPeriod>> {
		let mut all = Vec::new();
		while let Ok(from) = u32::try_from(all.len()) {
			if from >= periods {
				break;
			}
			let page = self.schedule(client, from, SCHEDULE_PAGE).await?;
			if page.is_empty() {
				bail!("the bond answered {from} of its {periods} coupon periods");
			}
			all.extend(page);
		}
		Ok(all)
	}
	/// The distribution of a payment, once its amount is known.
	pub async fn distribution(
		&self,
		client: &Client,
		payment: Payment,
	) -> Result<Option<Distribution>> {
		read(client, self.0, selectors::DISTRIBUTION, payment).await
	}

	/// The coupon rate of `period` as it would be fixed now.
	pub async fn coupon_rate(&self, client: &Client, period: u32) -> Result<RateFixing> {
		let fixing: std::result::Result<RateFixing, BondError> =
			read(client, self.0, selectors::COUPON_RATE, period).await?;
		fixing.map_err(|e| Revert::Bond(e).into())
	}

	/// `who`'s subscription, if any.
	pub async fn subscription(
		&self,
		client: &Client,
		who: [u8; 32],
	) -> Result<Option<SubscriptionRecord>> {
		read(client, self.0, selectors::SUBSCRIPTION, who).await
	}

	/// `who`'s units.
	pub async fn balance_of(&self, client: &Client, who: [u8; 32]) -> Result<u128> {
		read(client, self.0, selectors::BALANCE_OF, who).await
	}

	/// The cash token the bond settles in.
	pub async fn currency(&self, client: &Client) -> Result<CashToken> {
		read(client, self.0, selectors::CURRENCY, ()).await.map(CashToken)
	}

	/// Subscribes `amount` of cash as `investor`, approving the bond to collect it first when
	/// the allowance is short.
	pub async fn subscribe(
		&self,
		client: &Client,
		investor: &Keypair,
		amount: u128,
	) -> Result<TxEvents> {
		let cash = self.currency(client).await?;
		cash.ensure_allowance(client, investor, self.0, amount).await?;
		send(client, investor, Kind::Bond, self.0, selectors::SUBSCRIBE, amount).await
	}

	/// Closes the book (after the subscription window).
	pub async fn close_book(&self, client: &Client, signer: &Keypair) -> Result<TxEvents> {
		send(client, signer, Kind::Bond, self.0, selectors::CLOSE_BOOK, ()).await
	}

	/// Pays `investor`'s refund out.
	pub async fn withdraw_refund(
		&self,
		client: &Client,
		signer: &Keypair,
		investor: [u8; 32],
	) -> Result<TxEvents> {
		send(client, signer, Kind::Bond, self.0, selectors::WITHDRAW_REFUND, investor).await
	}

	/// Fixes the coupon rate of `period` from its KPIs.
	pub async fn fix_coupon_rate(
		&self,
		client: &Client,
		signer: &Keypair,
		period: u32,
	) -> Result<TxEvents> {
		send(client, signer, Kind::Bond, self.0, selectors::FIX_COUPON_RATE, period).await
	}

	/// Funds `payment` with `amount` of cash as the issuer, approving the bond first.
	pub async fn fund(
		&self,
		client: &Client,
		issuer: &Keypair,
		payment: Payment,
		amount: u128,
	) -> Result<TxEvents> {
		let cash = self.currency(client).await?;
		cash.ensure_allowance(client, issuer, self.0, amount).await?;
		send(client, issuer, Kind::Bond, self.0, selectors::FUND, (payment, amount)).await
	}

	/// Claims every payment owed to `holder`.
	pub async fn claim(
		&self,
		client: &Client,
		signer: &Keypair,
		holder: [u8; 32],
	) -> Result<TxEvents> {
		send(client, signer, Kind::Bond, self.0, selectors::CLAIM, holder).await
	}

	/// Transfers `units` to `to`.
	pub async fn transfer(
		&self,
		client: &Client,
		signer: &Keypair,
		to: [u8; 32],
		units: u128,
	) -> Result<TxEvents> {
		send(client, signer, Kind::Bond, self.0, selectors::TRANSFER, (to, units, Vec::<u8>::new()))
			.await
	}
}

/// A cash token (PSP22) on the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CashToken(pub [u8; 32]);

impl CashToken {
	/// Its decimals.
	pub async fn decimals(&self, client: &Client) -> Result<u8> {
		read(client, self.0, selectors::TOKEN_DECIMALS, ())
			.await
			.with_context(|| format!("no cash token answers at {}", crate::address(&self.0)))
	}

	/// Its symbol.
	pub async fn symbol(&self, client: &Client) -> Result<Option<String>> {
		read(client, self.0, selectors::TOKEN_SYMBOL, ()).await
	}

	/// `who`'s balance.
	pub async fn balance_of(&self, client: &Client, who: [u8; 32]) -> Result<u128> {
		read(client, self.0, selectors::BALANCE_OF, who).await
	}

	/// What `spender` may still take from `owner`.
	pub async fn allowance(
		&self,
		client: &Client,
		owner: [u8; 32],
		spender: [u8; 32],
	) -> Result<u128> {
		read(client, self.0, selectors::ALLOWANCE, (owner, spender)).await
	}

	/// Sets `spender`'s allowance from `owner` to `value`.
	pub async fn approve(
		&self,
		client: &Client,
		owner: &Keypair,
		spender: [u8; 32],
		value: u128,
	) -> Result<TxEvents> {
		send(client, owner, Kind::Cash, self.0, selectors::APPROVE, (spender, value)).await
	}

	/// Approves `spender` for `amount` unless it may already take that much.
	pub async fn ensure_allowance(
		&self,
		client: &Client,
		owner: &Keypair,
		spender: [u8; 32],
		amount: u128,
	) -> Result<()> {
		if self.allowance(client, account_id(owner), spender).await? < amount {
			self.approve(client, owner, spender, amount).await?;
		}
		Ok(())
	}

	/// Mints `value` to `to` (the settlement agent only).
	pub async fn mint(
		&self,
		client: &Client,
		agent: &Keypair,
		to: [u8; 32],
		value: u128,
	) -> Result<TxEvents> {
		send(client, agent, Kind::Cash, self.0, selectors::MINT, (to, value)).await
	}

	/// Transfers `value` to `to`.
	pub async fn transfer(
		&self,
		client: &Client,
		signer: &Keypair,
		to: [u8; 32],
		value: u128,
	) -> Result<TxEvents> {
		send(client, signer, Kind::Cash, self.0, selectors::TRANSFER, (to, value, Vec::<u8>::new()))
			.await
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn reverts_are_read_in_the_contracts_words() {
		let bond = [0u8, 1, BondError::NotWholeDenominations.encode()[0]];
		assert_eq!(revert_of(Kind::Bond, &bond), Revert::Bond(BondError::NotWholeDenominations));
		assert_eq!(revert_of(Kind::Cash, &[0, 1, 1]), Revert::Cash("InsufficientAllowance"));
		assert!(matches!(revert_of(Kind::Cash, &[0, 1, 9]), Revert::Other(_)));
		assert!(revert_of(Kind::Bond, &[1, 1]).to_string().contains("no such message"));
	}
}
