//! Benchmarks of the identity registry: one per call, plus the `CheckIdentity` extension.
//!
//! Each benchmark sets up the worst case the call can meet: a full registrar list for the caller
//! check, and a target identity holding `MaxClaims` claims with custom ids of the longest length,
//! so its record is as large as it gets. Setup writes storage directly where going through the
//! calls would need a registrar the worst case leaves no room for.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	dispatch::{DispatchInfo, PostDispatchInfo},
	traits::{EnsureOrigin, Get},
};
use frame_system::RawOrigin;
use sp_runtime::traits::{
	AsSystemOriginSigner, AsTransactionAuthorizedOrigin, DispatchTransaction, Dispatchable,
	StaticLookup,
};

const SEED: u32 = 0;
/// A day in milliseconds: claims set up here expire a day from now.
const DAY: Moment = 86_400_000;

fn lei() -> Lei {
	Lei(*b"5493001KJTIIGC8Y1R12")
}

fn jurisdiction() -> CountryCode {
	CountryCode(*b"ZW")
}

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event.into());
}

/// Appoints registrars until only `free` places are left in the list.
fn fill_registrars<T: Config>(free: u32) -> Result<(), BenchmarkError> {
	let target = T::MaxRegistrars::get().saturating_sub(free) as usize;
	let mut index: u32 = 0;
	while Registrars::<T>::get().len() < target {
		let registrar: T::AccountId = account("registrar", index, SEED);
		index = index.saturating_add(1);
		if !Pallet::<T>::is_registrar(&registrar) {
			Pallet::<T>::do_appoint_registrar(registrar, Some(lei()), jurisdiction())?;
		}
	}
	Ok(())
}

/// A registrar from a full list.
fn registrar<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	fill_registrars::<T>(0)?;
	Registrars::<T>::get().last().cloned().ok_or(BenchmarkError::Stop("no registrar"))
}

/// A custom claim kind with the longest id, told apart by `index`.
fn custom_kind<T: Config>(index: u32) -> Result<ClaimKindOf<T>, BenchmarkError> {
	let mut id: Vec<u8> = index.to_le_bytes().to_vec();
	id.resize(T::MaxCustomClaimIdLen::get() as usize, b'-');
	let id = BoundedVec::try_from(id).map_err(|_| BenchmarkError::Stop("claim id too long"))?;
	Ok(ClaimKind::Custom(id))
}

/// Registers `who` as a professional investor in storage, holding `MaxClaims` custom claims
/// attested by `issuer`, valid for a day unless `revoked`.
fn investor_with_claims<T: Config>(
	who: &T::AccountId,
	issuer: &T::AccountId,
	revoked: bool,
) -> Result<(), BenchmarkError> {
	let expiry = Pallet::<T>::now().saturating_add(DAY);
	let claims = (0..T::MaxClaims::get())
		.map(|index| -> Result<Claim<T>, BenchmarkError> {
			Ok(Claim { kind: custom_kind::<T>(index)?, issuer: issuer.clone(), expiry, revoked })
		})
		.collect::<Result<Vec<_>, BenchmarkError>>()?;
	let claims =
		BoundedVec::try_from(claims).map_err(|_| BenchmarkError::Stop("too many claims"))?;
	Identities::<T>::insert(
		who,
		IdentityInfo {
			status: IdentityStatus::Active,
			roles: Roles::from(Role::Investor),
			lei: Some(lei()),
			jurisdiction: jurisdiction(),
			category: Some(InvestorCategory::Professional),
			registered_by: Some(issuer.clone()),
			claims,
		},
	);
	Ok(())
}

#[benchmarks(where
	T: Send + Sync,
	<T as frame_system::Config>::RuntimeCall:
		Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>,
	<<T as frame_system::Config>::RuntimeCall as Dispatchable>::RuntimeOrigin:
		AsSystemOriginSigner<T::AccountId> + AsTransactionAuthorizedOrigin + Clone,
)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_identity() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		let roles = Roles::from_roles(&[Role::Investor, Role::Auditor]);
		let category = Some(InvestorCategory::Professional);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			T::Lookup::unlookup(target.clone()),
			Some(lei()),
			jurisdiction(),
			category,
			roles,
		);

		assert_last_event::<T>(Event::IdentityRegistered {
			account: target,
			registrar: Some(caller),
			roles,
			lei: Some(lei()),
			jurisdiction: jurisdiction(),
			category,
		});
		Ok(())
	}

	#[benchmark]
	fn set_roles() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&target, &caller, false)?;
		let roles = Roles::from_roles(&[Role::Issuer, Role::SettlementAgent]);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::Lookup::unlookup(target.clone()), roles, None);

		assert_last_event::<T>(Event::RolesSet {
			account: target,
			registrar: caller,
			roles,
			category: None,
		});
		Ok(())
	}

	// The worst case: the claims are full of revoked ones, which must be cleared to make room.
	#[benchmark]
	fn add_claim() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&target, &caller, true)?;
		let kind = custom_kind::<T>(T::MaxClaims::get())?;
		let expiry = Pallet::<T>::now().saturating_add(DAY);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			T::Lookup::unlookup(target.clone()),
			kind.clone(),
			expiry,
		);

		assert_last_event::<T>(Event::ClaimAdded {
			account: target,
			registrar: caller,
			kind,
			expiry,
		});
		Ok(())
	}

	// The claim revoked is the last one looked at.
	#[benchmark]
	fn revoke_claim() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&target, &caller, false)?;
		let kind = custom_kind::<T>(T::MaxClaims::get().saturating_sub(1))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::Lookup::unlookup(target.clone()), kind.clone());

		assert_last_event::<T>(Event::ClaimRevoked { account: target, registrar: caller, kind });
		Ok(())
	}

	#[benchmark]
	fn suspend() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&target, &caller, false)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::Lookup::unlookup(target.clone()));

		assert_last_event::<T>(Event::IdentitySuspended { account: target, registrar: caller });
		Ok(())
	}

	#[benchmark]
	fn reactivate() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&target, &caller, false)?;
		Pallet::<T>::do_suspend(&caller, target.clone())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::Lookup::unlookup(target.clone()));

		assert_last_event::<T>(Event::IdentityReactivated { account: target, registrar: caller });
		Ok(())
	}

	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let caller = registrar::<T>()?;
		let target: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&target, &caller, false)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::Lookup::unlookup(target.clone()));

		assert_last_event::<T>(Event::IdentityRevoked { account: target, registrar: caller });
		Ok(())
	}

	// The appointee already has the largest identity record; the list has one place left.
	#[benchmark]
	fn appoint_registrar() -> Result<(), BenchmarkError> {
		fill_registrars::<T>(1)?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let target: T::AccountId = account("target", 0, SEED);
		let issuer: T::AccountId = account("issuer", 0, SEED);
		investor_with_claims::<T>(&target, &issuer, false)?;

		#[extrinsic_call]
		_(origin, T::Lookup::unlookup(target.clone()), Some(lei()), jurisdiction());

		assert_last_event::<T>(Event::RegistrarAppointed {
			account: target,
			roles: Roles::from_roles(&[Role::Investor, Role::Registrar]),
			lei: Some(lei()),
			jurisdiction: jurisdiction(),
		});
		Ok(())
	}

	#[benchmark]
	fn remove_registrar() -> Result<(), BenchmarkError> {
		let target = registrar::<T>()?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let roles = Identities::<T>::get(&target)
			.map(|identity| identity.roles.without(Role::Registrar))
			.unwrap_or_default();

		#[extrinsic_call]
		_(origin, T::Lookup::unlookup(target.clone()));

		assert_last_event::<T>(Event::RegistrarRemoved { account: target, roles });
		Ok(())
	}

	// A signer with an active identity that is not exempt: the extension reads its identity.
	#[benchmark]
	fn check_identity() -> Result<(), BenchmarkError> {
		let issuer: T::AccountId = account("issuer", 0, SEED);
		let signer: T::AccountId = account("target", 0, SEED);
		investor_with_claims::<T>(&signer, &issuer, false)?;
		let call: <T as frame_system::Config>::RuntimeCall =
			frame_system::Call::remark { remark: vec![] }.into();
		let info = DispatchInfo::default();

		#[block]
		{
			CheckIdentity::<T>::new().test_run(
				RawOrigin::Signed(signer).into(),
				&call,
				&info,
				0,
				0,
				|_| Ok(().into()),
			)??;
		}

		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
