#!/usr/bin/env bash
# Builds every ink! contract with cargo-contract: wasm, metadata and the .contract bundle, in
# $CARGO_TARGET_DIR/ink/<name>/.
#
# cargo-contract is run directly, not as `cargo contract`, so that it drives the `citybond-wasm`
# wrapper toolchain (CARGO=...): that wrapper swaps cargo-contract's `panic_immediate_abort`
# build-std feature, which Debian's library sources reject, for the equivalent panic strategy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if ! command -v cargo-contract >/dev/null; then
	echo "build-contracts: cargo-contract is not installed; run scripts/setup.sh" >&2
	exit 1
fi
if [[ ! -x "$CITYBOND_TOOLCHAIN_DIR/bin/cargo" ]]; then
	echo "build-contracts: the citybond-wasm toolchain is missing; run scripts/setup.sh" >&2
	exit 1
fi

contracts=("$@")
if [[ ${#contracts[@]} -eq 0 ]]; then
	contracts=(cash_token chain_reads green_bond)
fi
for c in "${contracts[@]}"; do
	echo "build-contracts: $c"
	CARGO="$CITYBOND_TOOLCHAIN_DIR/bin/cargo" RUSTUP_TOOLCHAIN=citybond-wasm \
		cargo-contract contract build --release --quiet \
		--manifest-path "$CITYBOND_ROOT/contracts/$c/Cargo.toml"
	bundle="$CARGO_TARGET_DIR/ink/$c/$c.contract"
	[[ -s "$bundle" ]] || { echo "build-contracts: $bundle was not produced" >&2; exit 1; }
	echo "build-contracts: $bundle ($(stat -c %s "$CARGO_TARGET_DIR/ink/$c/$c.wasm") bytes of wasm)"
done
