//! Benchmarks of the validator set: adding to a set one short of `MaxValidators`, removing from a
//! full one.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::Get;

/// Fills the set with `count` generated validators.
fn fill<T: Config>(count: u32) -> Result<(), BenchmarkError> {
	let mut set: Vec<T::AccountId> = (0..count).map(|i| account("validator", i, 0)).collect();
	set.sort();
	let set = frame_support::BoundedVec::try_from(set)
		.map_err(|_| BenchmarkError::Stop("MaxValidators too small"))?;
	Validators::<T>::put(set);
	Ok(())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		fill::<T>(T::MaxValidators::get().saturating_sub(1))?;
		let new: T::AccountId = account("new", 0, 0);
		let lookup = T::Lookup::unlookup(new.clone());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, lookup);

		assert!(Validators::<T>::get().contains(&new));
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		fill::<T>(T::MaxValidators::get())?;
		let gone: T::AccountId = account("validator", 0, 0);
		let lookup = T::Lookup::unlookup(gone.clone());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, lookup);

		assert!(!Validators::<T>::get().contains(&gone));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
