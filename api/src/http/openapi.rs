//! The OpenAPI 3 document, written by hand (a test checks it lists every route of [`super::app`]).

use axum::Json;
use serde_json::{json, Value};

/// Every route: (method, path, tag, summary, needs a session).
pub const ROUTES: &[(&str, &str, &str, &str, bool)] = &[
	("get", "/health", "public", "The process answers", false),
	("get", "/openapi.json", "public", "This document", false),
	("get", "/v1/status", "public", "The indexer's cursor (last finalized block written)", false),
	("get", "/v1/bonds", "public", "Green bonds, oldest first (paginated)", false),
	("get", "/v1/bonds/{address}", "public", "A bond: terms, terms hash, status, schedule with amounts, current rate", false),
	("get", "/v1/cash/{address}", "public", "A cash token: minted, burned and circulating supply, counts of mints, burns, transfers and holders, from its indexed transfers (no balances)", false),
	("get", "/v1/cash/{address}/balance", "cash", "The caller's own balance of a cash token", true),
	("get", "/v1/agent/cash/{address}/accounts", "agent", "Every non-zero balance of a cash token, largest first (paginated); settlement agents only", true),
	("get", "/v1/feeds", "public", "KPI feeds (paginated)", false),
	("get", "/v1/feeds/{feed}/kpis", "public", "A feed's KPI per period with status against the bonds' targets", false),
	("post", "/v1/auth/challenge", "auth", "A single-use sign-in message for an account", false),
	("post", "/v1/auth/session", "auth", "A session token for a signed challenge (sr25519 or ed25519, over the message wrapped in <Bytes>…</Bytes>)", false),
	("post", "/v1/auth/logout", "auth", "Ends this session, or with {\"all\": true} every session of the account", true),
	("get", "/v1/me", "auth", "The signed-in account and its roles", true),
	("get", "/v1/investor/holdings", "investor", "The caller's bonds", true),
	("get", "/v1/investor/bonds/{address}", "investor", "The caller's position: subscription, coupons claimed and claimable, projected cash flows, share of impact", true),
	("get", "/v1/issuer/bonds", "issuer", "The caller's bonds", true),
	("get", "/v1/issuer/bonds/{address}/book", "issuer", "Subscriptions and allotments", true),
	("get", "/v1/issuer/bonds/{address}/holders", "issuer", "Holder register at a record date", true),
	("get", "/v1/issuer/bonds/{address}/obligations", "issuer", "Upcoming payments and whether they are funded", true),
	("get", "/v1/issuer/bonds/{address}/proceeds", "issuer", "Use-of-proceeds allocation", true),
	("get", "/v1/issuer/bonds/{address}/kpis", "issuer", "The bond's KPI links against their targets", true),
	("get", "/v1/auditor/feeds/{feed}/periods/{period}/reports", "auditor", "Every report of a period, signatures re-verified, attestations and disputes", true),
	("get", "/v1/auditor/feeds/{feed}/reports.csv", "auditor", "CSV export of a range of periods' reports", true),
];

fn parameters(path: &str, method: &str) -> Vec<Value> {
	let mut out = Vec::new();
	for segment in path.split('/') {
		if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
			let schema = if name == "address" {
				json!({ "type": "string", "description": "0x-hex of 32 bytes or SS58" })
			} else {
				json!({ "type": "integer", "minimum": 0, "maximum": 4294967295u64 })
			};
			out.push(json!({ "name": name, "in": "path", "required": true, "schema": schema }));
		}
	}
	let query =
		|name: &str, schema: Value| json!({ "name": name, "in": "query", "schema": schema });
	if method == "get"
		&& (path.ends_with("/bonds")
			|| path.ends_with("/feeds")
			|| path.ends_with("/book")
			|| path.ends_with("/holdings")
			|| path.ends_with("/holders")
			|| path.ends_with("/accounts"))
	{
		out.push(query(
			"limit",
			json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }),
		));
		out.push(query(
			"offset",
			json!({ "type": "integer", "minimum": 0, "maximum": 1000000, "default": 0 }),
		));
	}
	if path.ends_with("/kpis") && path.starts_with("/v1/feeds") || path.ends_with(".csv") {
		out.push(query("from_period", json!({ "type": "integer", "minimum": 0 })));
		out.push(query("to_period", json!({ "type": "integer", "minimum": 0 })));
	}
	if path.ends_with("/holders") {
		out.push(query(
			"record_date",
			json!({ "type": "string", "description": "RFC 3339 or YYYY-MM-DD" }),
		));
	}
	out
}

/// The document.
pub fn spec() -> Value {
	let mut paths = serde_json::Map::new();
	for (method, path, tag, summary, secured) in ROUTES {
		let mut op = json!({
			"tags": [tag],
			"summary": summary,
			"parameters": parameters(path, method),
			"responses": {
				"200": { "description": "OK" },
				"400": { "$ref": "#/components/responses/Error" },
				"404": { "$ref": "#/components/responses/Error" },
				"429": { "$ref": "#/components/responses/Error" },
				"500": { "$ref": "#/components/responses/Error" },
			},
		});
		if *secured {
			op["security"] = json!([{ "session": [] }]);
			op["responses"]["401"] = json!({ "$ref": "#/components/responses/Error" });
			op["responses"]["403"] = json!({ "$ref": "#/components/responses/Error" });
		}
		if *method == "post" {
			op["responses"]["413"] = json!({ "$ref": "#/components/responses/Error" });
			let body = if path.ends_with("challenge") {
				json!({ "type": "object", "required": ["account"], "properties": { "account": { "type": "string" } } })
			} else {
				json!({ "type": "object", "required": ["nonce", "signature"], "properties": {
					"nonce": { "type": "string" },
					"signature": { "type": "string", "description": "0x-hex, 64 bytes" },
					"scheme": { "type": "string", "enum": ["sr25519", "ed25519"] },
				} })
			};
			op["requestBody"] =
				json!({ "required": true, "content": { "application/json": { "schema": body } } });
		}
		let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
		item[*method] = op;
	}
	json!({
		"openapi": "3.0.3",
		"info": {
			"title": "CityBond API",
			"version": env!("CARGO_PKG_VERSION"),
			"description": "Green bonds and KPIs indexed from the CityBond chain. Accounts, hashes and keys are 0x-hex; amounts are integer minor units as decimal strings; times are RFC 3339 UTC (ms since the epoch inside contract terms).",
		},
		"paths": paths,
		"components": {
			"securitySchemes": { "session": { "type": "http", "scheme": "bearer" } },
			"schemas": {
				"Error": {
					"type": "object",
					"required": ["error"],
					"properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
						"code": { "type": "string" },
						"message": { "type": "string" },
					} } },
				},
			},
			"responses": {
				"Error": {
					"description": "An error",
					"content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } },
				},
			},
		},
	})
}

/// `GET /openapi.json`.
pub async fn document() -> Json<Value> {
	Json(spec())
}
