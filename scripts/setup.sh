#!/usr/bin/env bash
# Installs everything CityBond needs to build and test on a Debian bookworm machine.
# Idempotent: each step checks first and says whether it did something, skipped it, or failed.
#   scripts/setup.sh            system packages, wasm toolchain, cargo-contract, cargo-nextest
#   SETUP_SKIP_APT=1 ...        skip apt (already installed)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CARGO_CONTRACT_VERSION=5.0.3
CARGO_NEXTEST_VERSION=0.9.151
APT_PACKAGES=(clang libclang-dev protobuf-compiler cmake make pkg-config libssl-dev
	rustc-web cargo-web rust-web-src lld-22 postgresql)
failed=()
step() { printf '\n== setup: %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*" >&2; failed+=("$*"); }

step "system packages (apt)"
missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
	ok "all ${#APT_PACKAGES[@]} packages already installed"
elif [[ -n "${SETUP_SKIP_APT:-}" ]]; then
	fail "missing packages ${missing[*]} (SETUP_SKIP_APT is set)"
else
	sudo_cmd=()
	[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
	if "${sudo_cmd[@]}" apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; then
		ok "installed ${missing[*]}"
	else
		fail "apt-get install ${missing[*]}"
	fi
fi

step "wasm toolchain 'citybond-wasm' (Debian rustc + library sources, build-std wrapper)"
if [[ ! -x /usr/bin/rustc || ! -d /usr/lib/rustlib/src/rust/library ]]; then
	fail "Debian rustc or its sources are missing: install rustc-web rust-web-src"
else
	mkdir -p "$CITYBOND_TOOLCHAIN_DIR/bin"
	install -m 0755 "$CITYBOND_ROOT/scripts/toolchain/cargo" "$CITYBOND_TOOLCHAIN_DIR/bin/cargo"
	for t in rustc rustdoc; do ln -sfn "/usr/bin/$t" "$CITYBOND_TOOLCHAIN_DIR/bin/$t"; done
	ln -sfn /usr/lib "$CITYBOND_TOOLCHAIN_DIR/lib"
	if rustup toolchain link citybond-wasm "$CITYBOND_TOOLCHAIN_DIR" &&
		cargo +citybond-wasm --version >/dev/null; then
		ok "linked $CITYBOND_TOOLCHAIN_DIR ($(rustc +citybond-wasm --version))"
	else
		fail "rustup toolchain link citybond-wasm $CITYBOND_TOOLCHAIN_DIR"
	fi
fi

step "cargo-contract $CARGO_CONTRACT_VERSION"
if command -v cargo-contract >/dev/null && cargo-contract --version | grep -q "$CARGO_CONTRACT_VERSION"; then
	ok "already installed: $(cargo-contract --version)"
else
	echo "   compiling from source (about 15 minutes on 2 cores the first time)"
	# Its own target directory: cargo-contract's locked dependency versions differ from ours, and a
	# separate directory lets it build while a workspace build holds the workspace's lock.
	if cargo install --locked --quiet --target-dir "$HOME/.cache/citybond/cargo-contract-target" \
		"cargo-contract@$CARGO_CONTRACT_VERSION"; then
		ok "installed $(cargo-contract --version)"
	else
		fail "cargo install --locked cargo-contract@$CARGO_CONTRACT_VERSION"
	fi
fi

step "cargo-nextest $CARGO_NEXTEST_VERSION (the test runner scripts/test.sh uses)"
if command -v cargo-nextest >/dev/null && cargo-nextest nextest --version | grep -q "$CARGO_NEXTEST_VERSION"; then
	ok "already installed: $(cargo-nextest nextest --version | head -n 1)"
else
	echo "   compiling from source (about 10 minutes on 2 cores the first time)"
	# Without the self-update feature: updates come through this script, not from GitHub.
	if cargo install --locked --quiet --target-dir "$HOME/.cache/citybond/cargo-nextest-target" \
		--no-default-features --features default-no-update "cargo-nextest@$CARGO_NEXTEST_VERSION"; then
		ok "installed $(cargo-nextest nextest --version | head -n 1)"
	else
		fail "cargo install --locked cargo-nextest@$CARGO_NEXTEST_VERSION"
	fi
fi

echo
if [[ ${#failed[@]} -gt 0 ]]; then
	printf 'setup: %d step(s) failed:\n' "${#failed[@]}" >&2
	printf '  - %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "setup: done. Target directory: $CARGO_TARGET_DIR"
