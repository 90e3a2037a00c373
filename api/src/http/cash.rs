//! Cash balances for signed-in callers. The public view of a cash token shows its supply only;
//! a holder sees its own balance, and a settlement agent (who reconciles the token against the
//! bank's books) every account's.

use super::{parse_account, AppState, Page, PageQuery, Paged, Q};
use crate::{
	auth::{role, Caller},
	cash::Supply,
	error::{Error, Result},
};
use axum::{
	extract::{Path, State},
	Json,
};
use serde_json::{json, Value};

/// The token's supply and balances as of the indexer's cursor, with the cursor's block.
pub(super) async fn supply(state: &AppState, address: &str) -> Result<(u64, Supply)> {
	// The cursor first: the figures are those of exactly this block.
	let Some((block, _)) = crate::db::cursor(&state.pool).await? else {
		return Err(Error::NotFound(format!("no cash token at {address}")));
	};
	Ok((block, Supply::load(&state.pool, address, crate::db::int(block)?).await?))
}

/// `GET /v1/cash/{address}/balance`: the signed-in caller's own balance (any role; 0 when it
/// holds none).
pub async fn balance(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
) -> Result<Json<Value>> {
	let address = parse_account(&address, "address")?;
	let (block, s) = supply(&state, &address).await?;
	let held = s.balances.iter().find(|(a, _)| *a == caller.account).map_or(0, |(_, b)| *b);
	Ok(Json(json!({
		"address": address,
		"account": caller.account,
		"balance": super::public::amount(held, "balance")?,
		"indexed_block": block,
	})))
}

/// `GET /v1/agent/cash/{address}/accounts`: every non-zero balance, largest first
/// (paginated), for settlement agents only.
pub async fn accounts(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
	Q(q): Q<PageQuery>,
) -> Result<Json<Value>> {
	caller.require(role::SETTLEMENT_AGENT, "settlement agent")?;
	let address = parse_account(&address, "address")?;
	let page = Page::parse(&q)?;
	let (block, s) = supply(&state, &address).await?;
	let items = page
		.slice(&s.balances)
		.into_iter()
		.map(|(account, balance)| {
			Ok(json!({ "account": account, "balance": super::public::amount(balance, "balance")? }))
		})
		.collect::<Result<Vec<_>>>()?;
	let accounts = Paged {
		items,
		limit: page.limit,
		offset: page.offset,
		total: i64::try_from(s.balances.len()).unwrap_or(i64::MAX),
	};
	Ok(Json(json!({
		"address": address,
		"supply": super::public::amount(s.supply()?, "supply")?,
		"accounts": accounts,
		"indexed_block": block,
	})))
}
