//! Built-in chain specifications: `dev` (one validator) and `local` (four validators).

use citybond_runtime::{genesis_config_presets, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// The chain specification type of this node (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

fn properties() -> Properties {
	let mut p = Properties::new();
	p.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), 42.into());
	p
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm is not in this binary: build without SKIP_WASM_BUILD".to_string()
	})
}

/// A built-in chain: a name, an id (also the network's protocol id) and a genesis preset.
fn built_in(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(name)
		.with_id(&id.replace('-', "_"))
		.with_protocol_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// One validator (Alice) that authors and finalizes alone: `--dev`.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	built_in(
		"CityBond Development",
		"citybond-dev",
		ChainType::Development,
		genesis_config_presets::DEVELOPMENT_PRESET,
	)
}

/// Four validators (Alice, Bob, Charlie, Dave) on one machine: `--chain local`.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	built_in(
		"CityBond Local Testnet",
		"citybond-local",
		ChainType::Local,
		genesis_config_presets::LOCAL_TESTNET_PRESET,
	)
}
