//! The signing key of the person at the keyboard.
//!
//! - `--suri` (or `CITYBOND_SURI`): an sr25519 secret URI, such as `//Bob` on a development
//!   chain or a mnemonic with derivation paths.
//! - `--key-file` (or `CITYBOND_KEY_FILE`): a file holding a secret URI. The file must be
//!   readable by its owner only: a key file others may read is refused, and nothing is sent.
//!   A polkadot.js JSON keystore is recognised and refused with a clear message for now.

use anyhow::{bail, Context, Result};
use std::path::Path;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Where the key comes from.
#[derive(Debug, Clone, Default)]
pub struct KeySource {
	/// A secret URI given directly.
	pub suri: Option<String>,
	/// A key file.
	pub key_file: Option<std::path::PathBuf>,
}

impl KeySource {
	/// The keypair, or an error saying what is missing or wrong (never the secret itself).
	pub fn keypair(&self) -> Result<Keypair> {
		match (&self.suri, &self.key_file) {
			(Some(_), Some(_)) => bail!("give --suri or --key-file, not both"),
			(Some(suri), None) => from_suri(suri),
			(None, Some(file)) => self.read_file(file),
			(None, None) => bail!(
				"this command signs: give --suri (or CITYBOND_SURI) or --key-file (or \
				 CITYBOND_KEY_FILE)"
			),
		}
	}

	fn read_file(&self, file: &Path) -> Result<Keypair> {
		check_private(file)?;
		let text = std::fs::read_to_string(file)
			.with_context(|| format!("read key file {}", file.display()))?;
		if text.trim_start().starts_with('{') {
			// Opening polkadot.js keystores needs subxt-signer's `polkadot-js-compat` feature,
			// whose scrypt changes pbkdf2's features under the whole substrate stack (a rebuild
			// of the node); it comes with the next cold build.
			bail!(
				"{} is a JSON keystore; this version reads a secret URI (a mnemonic, or //Name on a \
				 development chain) from the file",
				file.display()
			)
		} else {
			from_suri(text.trim()).with_context(|| format!("key file {}", file.display()))
		}
	}
}

fn from_suri(suri: &str) -> Result<Keypair> {
	let uri: SecretUri =
		suri.parse().map_err(|_| anyhow::anyhow!("the secret URI is malformed"))?;
	Keypair::from_uri(&uri).map_err(|e| anyhow::anyhow!("the secret URI gives no key: {e}"))
}

/// Refuses a key file that anyone but its owner may read or write.
#[cfg(unix)]
fn check_private(file: &Path) -> Result<()> {
	use std::os::unix::fs::PermissionsExt;
	let mode = std::fs::metadata(file)
		.with_context(|| format!("read key file {}", file.display()))?
		.permissions()
		.mode();
	if mode & 0o077 != 0 {
		bail!(
			"key file {} is readable or writable by others (mode {:o}); run `chmod 600 {}`",
			file.display(),
			mode & 0o777,
			file.display()
		);
	}
	Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &Path) -> Result<()> {
	Ok(())
}
