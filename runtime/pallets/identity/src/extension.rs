//! [`CheckIdentity`]: the transaction extension that admits signed transactions only from
//! accounts with an active identity.
//!
//! On a permissioned chain, an account without an identity (never registered, suspended or
//! revoked) has no business in the transaction pool. The extension rejects its transactions at
//! validation, before they are gossiped, included or charged, with
//! `InvalidTransaction::Custom(`[`IDENTITY_REQUIRED`]`)`, which clients can show as "account is
//! not a registered identity".
//!
//! Accounts in `Config::IdentityExempt` pass without an identity (e.g. the sudo key, so that a
//! chain whose registry is empty or broken can still be repaired). Unsigned transactions,
//! inherents and root origins pass through untouched: they are not signed by an account.
//!
//! Add it to the runtime's `TxExtension` tuple, early, right after `CheckNonZeroSender`, so that
//! no later extension spends work on a transaction that will be refused. It adds no bytes to
//! transactions and nothing to the signed payload (`Implicit = ()`).

use crate::{Config, Pallet, WeightInfo};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::{fmt, marker::PhantomData};
use frame_support::{
	pallet_prelude::TransactionSource, traits::OriginTrait, weights::Weight, DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, TransactionExtension, ValidateResult},
	transaction_validity::{InvalidTransaction, ValidTransaction},
};

/// `InvalidTransaction::Custom` code: account is not a registered identity.
pub const IDENTITY_REQUIRED: u8 = 100;

/// Rejects signed transactions whose signer has no active identity, unless the signer is in
/// `Config::IdentityExempt`. See the [module documentation](self).
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckIdentity<T>(PhantomData<T>);

impl<T: Config + Send + Sync> CheckIdentity<T> {
	/// The extension; it carries no data.
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T: Config + Send + Sync> fmt::Debug for CheckIdentity<T> {
	#[cfg(feature = "std")]
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "CheckIdentity")
	}

	#[cfg(not(feature = "std"))]
	fn fmt(&self, _: &mut fmt::Formatter) -> fmt::Result {
		Ok(())
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for CheckIdentity<T>
{
	const IDENTIFIER: &'static str = "CheckIdentity";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, _: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		T::WeightInfo::check_identity()
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		_call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		if let Some(who) = origin.as_signer() {
			if !Pallet::<T>::may_transact(who) {
				return Err(InvalidTransaction::Custom(IDENTITY_REQUIRED).into());
			}
		}
		Ok((ValidTransaction::default(), (), origin))
	}

	impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; prepare);
}
