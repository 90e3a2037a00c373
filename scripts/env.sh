# Shared environment for CityBond builds; sourced by scripts/setup.sh, scripts/test.sh, .ci/run.
# The target directory lives outside the checkout so a fresh clone (CI, a new session) reuses it.
CITYBOND_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CITYBOND_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/citybond/target}"
export CITYBOND_TOOLCHAIN_DIR="${CITYBOND_TOOLCHAIN_DIR:-$HOME/.cache/citybond/wasm-toolchain}"
# substrate-wasm-builder: build the runtime's wasm with the wrapper toolchain, and find our Cargo.lock
# even though the target directory is elsewhere.
export WASM_BUILD_TOOLCHAIN=citybond-wasm
export WASM_BUILD_WORKSPACE_HINT="$CITYBOND_ROOT"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-$(nproc)}"
export PATH="$HOME/.cargo/bin:$PATH"
# OpenSSL from the system (libssl-dev, installed by setup.sh) rather than compiled from source: the
# node's network stack (litep2p's WebRTC) asks for a vendored OpenSSL, a C build of minutes.
export OPENSSL_NO_VENDOR=1
