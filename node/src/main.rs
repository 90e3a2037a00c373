//! The CityBond node: a permissioned Substrate chain with Aura block production and GRANDPA
//! finality.
#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
