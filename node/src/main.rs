//! The CityBond node: a permissioned Substrate chain with Aura block production and GRANDPA
//! finality.
#![warn(missing_docs)]
// Substrate's client APIs return `sc_cli::Error` and `sc_service::Error`, which are large by
// design; boxing them here would only add noise at every call site.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
