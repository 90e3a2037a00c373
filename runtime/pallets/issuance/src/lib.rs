//! # CityBond issuance
//!
//! Issuers instantiate governance-approved contract code, as themselves.
//!
//! ## Overview
//!
//! `pallet-contracts` lets only the members of `ContractDeployers` upload code or instantiate it
//! directly. That keeps unreviewed code off the chain, but it made a deployer necessary for every
//! bond. This pallet splits the two decisions:
//!
//! - **Governance** (`Config::GovernanceOrigin`: two thirds of the council, or root where sudo
//!   exists) approves a code hash
//!   once, with a label naming what it is (for example `green_bond 0.1.0, audit 2026-11`), and
//!   may revoke the approval later. A revocation stops new instances; contracts already made
//!   from the code keep running.
//! - **An issuer** (an account whose identity is active and holds the `Issuer` role,
//!   `Config::Issuers`) instantiates approved code with [`instantiate`](Pallet::instantiate).
//!   The contract is created with the issuer as its deployer and caller, so a contract that
//!   checks its caller (the green bond requires the caller to be the issuer its terms name)
//!   binds the issuer's own signature to the terms.
//!
//! Unapproved code, a signer without an active `Issuer` role and a reverting constructor are
//! refused with this pallet's or `pallet-contracts`' errors; nothing is stored then.
//!
//! ## Interface
//!
//! ### Privileged (`Config::GovernanceOrigin`)
//!
//! - [`approve_code`](Pallet::approve_code), [`revoke_code`](Pallet::revoke_code).
//!
//! ### Signed, by an issuer
//!
//! - [`instantiate`](Pallet::instantiate): like `Contracts::instantiate`, with no endowment
//!   (CityBond's contracts take none) and approved code only.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, DispatchResultWithPostInfo},
	pallet_prelude::*,
};

pub use pallet::*;
pub use weights::WeightInfo;

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` an account that `Config::Issuers` contains.
	fn make_issuer(who: &AccountId);
}

/// How the pallet creates a contract: `pallet-contracts` in the runtime, a recorder in tests.
pub trait Instantiate<AccountId, Hash, Balance> {
	/// The weight of instantiating with `data_len` bytes of constructor input and `salt_len`
	/// bytes of salt, before the gas the constructor uses (which the caller's `gas_limit`
	/// covers).
	fn weight(data_len: u32, salt_len: u32) -> Weight;

	/// Creates a contract from the code `code_hash` as `origin` with no endowment, running the
	/// constructor call `data` with at most `gas_limit` and `storage_deposit_limit`. Answers the
	/// contract's address, or why it failed (a reverting constructor is a failure), and the gas
	/// used either way.
	fn instantiate(
		origin: AccountId,
		gas_limit: Weight,
		storage_deposit_limit: Option<Balance>,
		code_hash: Hash,
		data: Vec<u8>,
		salt: Vec<u8>,
	) -> (Result<AccountId, DispatchError>, Weight);
}

// The FRAME macros expand into metadata code that calls `expect`.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::traits::Contains;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Approves and revokes code.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The accounts that may issue now: an active identity holding the `Issuer` role.
		type Issuers: Contains<Self::AccountId>;

		/// The balance a storage deposit limit is given in.
		type Balance: Parameter + Member + MaxEncodedLen + Copy;

		/// Creates contracts.
		type Contracts: Instantiate<Self::AccountId, Self::Hash, Self::Balance>;

		/// How many code hashes may be approved at once.
		#[pallet::constant]
		type MaxApprovedCode: Get<u32>;

		/// The longest label of an approval, in bytes.
		#[pallet::constant]
		type MaxLabelLen: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// What governance recorded when it approved a code hash.
	#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
	#[scale_info(skip_type_params(MaxLabel))]
	pub struct Approval<BlockNumber, MaxLabel: Get<u32>> {
		/// What the code is, for people: name, version, audit.
		pub label: BoundedVec<u8, MaxLabel>,
		/// The block whose governance decision approved it.
		pub approved_at: BlockNumber,
	}

	/// An approval as stored.
	pub type ApprovalOf<T> = Approval<BlockNumberFor<T>, <T as Config>::MaxLabelLen>;

	/// Approved code hashes.
	#[pallet::storage]
	pub type ApprovedCode<T: Config> = StorageMap<_, Identity, T::Hash, ApprovalOf<T>>;

	/// How many code hashes are approved (bounded by `MaxApprovedCode`).
	#[pallet::storage]
	pub type ApprovedCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance approved `code_hash` for issuers.
		CodeApproved { code_hash: T::Hash, label: BoundedVec<u8, T::MaxLabelLen> },
		/// Governance revoked the approval of `code_hash`; existing contracts keep running.
		CodeRevoked { code_hash: T::Hash },
		/// `issuer` created `contract` from approved code `code_hash`.
		Issued { issuer: T::AccountId, code_hash: T::Hash, contract: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer has no active identity with the `Issuer` role.
		NotAnIssuer,
		/// Governance has not approved this code hash (or revoked its approval).
		CodeNotApproved,
		/// This code hash is approved already.
		AlreadyApproved,
		/// `MaxApprovedCode` code hashes are approved already: revoke one first.
		TooManyApproved,
		/// The label is longer than `MaxLabelLen`.
		LabelTooLong,
		/// The label is empty: say what the code is.
		EmptyLabel,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Approve the contract code hashing to `code_hash` for issuers, labelled `label`
		/// (name, version, audit). The code need not be uploaded yet.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::approve_code(label.len() as u32))]
		pub fn approve_code(
			origin: OriginFor<T>,
			code_hash: T::Hash,
			label: Vec<u8>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!label.is_empty(), Error::<T>::EmptyLabel);
			let label: BoundedVec<u8, T::MaxLabelLen> =
				label.try_into().map_err(|_| Error::<T>::LabelTooLong)?;
			ensure!(!ApprovedCode::<T>::contains_key(code_hash), Error::<T>::AlreadyApproved);
			let count = ApprovedCount::<T>::get();
			ensure!(count < T::MaxApprovedCode::get(), Error::<T>::TooManyApproved);
			let approved_at = frame_system::Pallet::<T>::block_number();
			ApprovedCode::<T>::insert(code_hash, Approval { label: label.clone(), approved_at });
			ApprovedCount::<T>::put(count.saturating_add(1));
			Self::deposit_event(Event::CodeApproved { code_hash, label });
			Ok(())
		}

		/// Revoke the approval of `code_hash`: no new contracts from it. Contracts already
		/// made from it are not touched.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke_code())]
		pub fn revoke_code(origin: OriginFor<T>, code_hash: T::Hash) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(ApprovedCode::<T>::contains_key(code_hash), Error::<T>::CodeNotApproved);
			ApprovedCode::<T>::remove(code_hash);
			ApprovedCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			Self::deposit_event(Event::CodeRevoked { code_hash });
			Ok(())
		}

		/// Create a contract from approved code `code_hash` as the signer, running constructor
		/// call `data` with at most `gas_limit` and `storage_deposit_limit` (`None`: the contract
		/// host's default limit). `salt` varies the address.
		///
		/// The signer must hold the `Issuer` role on an active identity. A reverting
		/// constructor fails the call with `Contracts::ContractReverted` (dry-run it first with
		/// `ContractsApi::instantiate` to read why); the gas used is charged either way.
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::instantiate_checks()
				.saturating_add(T::Contracts::weight(data.len() as u32, salt.len() as u32))
				.saturating_add(*gas_limit)
		)]
		pub fn instantiate(
			origin: OriginFor<T>,
			gas_limit: Weight,
			storage_deposit_limit: Option<T::Balance>,
			code_hash: T::Hash,
			data: Vec<u8>,
			salt: Vec<u8>,
		) -> DispatchResultWithPostInfo {
			let issuer = ensure_signed(origin)?;
			let checks = T::WeightInfo::instantiate_checks();
			let refused = |error: Error<T>| DispatchErrorWithPostInfo {
				post_info: Some(checks).into(),
				error: error.into(),
			};
			if !T::Issuers::contains(&issuer) {
				return Err(refused(Error::<T>::NotAnIssuer));
			}
			if !ApprovedCode::<T>::contains_key(code_hash) {
				return Err(refused(Error::<T>::CodeNotApproved));
			}
			let base = T::Contracts::weight(data.len() as u32, salt.len() as u32);
			let (result, gas_used) = T::Contracts::instantiate(
				issuer.clone(),
				gas_limit,
				storage_deposit_limit,
				code_hash,
				data,
				salt,
			);
			let used = checks.saturating_add(base).saturating_add(gas_used);
			match result {
				Ok(contract) => {
					Self::deposit_event(Event::Issued { issuer, code_hash, contract });
					Ok(Some(used).into())
				}
				Err(error) => {
					Err(DispatchErrorWithPostInfo { post_info: Some(used).into(), error })
				}
			}
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `code_hash` is approved now.
		pub fn is_approved(code_hash: &T::Hash) -> bool {
			ApprovedCode::<T>::contains_key(code_hash)
		}
	}
}
