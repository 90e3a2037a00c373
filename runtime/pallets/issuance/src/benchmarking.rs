//! Benchmarks of code approval and of the checks `instantiate` adds to `pallet-contracts`.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn approve_code(l: Linear<1, { T::MaxLabelLen::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let hash = T::Hash::default();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, hash, vec![b'x'; l as usize]);

		assert!(Pallet::<T>::is_approved(&hash));
		Ok(())
	}

	#[benchmark]
	fn revoke_code() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let hash = T::Hash::default();
		Pallet::<T>::approve_code(origin.clone(), hash, b"code".to_vec())
			.map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, hash);

		assert!(!Pallet::<T>::is_approved(&hash));
		Ok(())
	}

	/// What `instantiate` adds to the contract host's own weight: the issuer's identity and
	/// the code's approval, read by an issuer sending unapproved code (the refusal reads both
	/// and stops before the contract host).
	#[benchmark]
	fn instantiate_checks() -> Result<(), BenchmarkError> {
		let issuer: T::AccountId = whitelisted_caller();
		T::BenchmarkHelper::make_issuer(&issuer);
		let hash = T::Hash::default();

		#[block]
		{
			let refused = Pallet::<T>::instantiate(
				frame_system::RawOrigin::Signed(issuer).into(),
				Weight::zero(),
				None,
				hash,
				Vec::new(),
				Vec::new(),
			);
			assert!(refused.is_err());
		}

		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
