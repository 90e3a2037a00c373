//! Command-line interface: `citybond-node [SUBCOMMAND] [OPTIONS]`.

/// Subcommands besides running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys and node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (JSON) from a built-in chain or a file.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification without starting a node.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: pallet weights, block execution, storage, and this machine against the
	/// reference hardware.
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Benchmarks: only in a node built with `--features runtime-benchmarks` (`bash
	/// bench/weights.sh` builds one and measures the pallets' weights).
	#[cfg(not(feature = "runtime-benchmarks"))]
	Benchmark(NoBenchmarks),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand, or none to run the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options for running the node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
}

/// What `benchmark` takes in a node built without benchmarks: anything, to answer it with how to
/// get a node that has them.
#[cfg(not(feature = "runtime-benchmarks"))]
#[derive(Debug, clap::Args)]
pub struct NoBenchmarks {
	/// The benchmark's arguments, ignored.
	#[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
	pub args: Vec<String>,
}
