//! The one error type of the green bond's logic: one variant per cause, so a caller (and a
//! user reading the contract's answer) can tell exactly what was wrong.

/// Why an operation was refused. Nothing is written when an error is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Error {
	// Arithmetic.
	/// A result would not fit its integer type.
	Overflow,
	/// A division by zero was asked for.
	DivisionByZero,

	// Calendar, day count, schedule.
	/// A date that does not exist or lies outside the supported years (1970-9999).
	InvalidDate,
	/// A time that should be a date (midnight UTC) is not.
	NotMidnight,
	/// A later date was given before an earlier one.
	DatesOutOfOrder,
	/// No business day found near a date (cannot happen with weekends as the only holidays).
	NoBusinessDay,
	/// A coupon frequency that does not divide the year (or zero periods per year).
	InvalidFrequency,
	/// ACT/ACT ICMA needs the regular coupon period and none was given.
	MissingRegularPeriod,
	/// A schedule or stub would have more than the allowed number of periods.
	TooManyPeriods,
	/// A compressed schedule's period length is zero.
	ZeroPeriodLength,
	/// A compressed schedule's maturity is not a whole number of periods after issue.
	MaturityOffPeriodGrid,
	/// The maturity date is not after the issue date.
	MaturityNotAfterIssue,
	/// A calendar-frequency bond's issue date is not midnight UTC.
	IssueDateNotMidnight,
	/// A calendar-frequency bond's maturity date is not midnight UTC.
	MaturityDateNotMidnight,
	/// A calendar-frequency bond's record date offset is not a whole number of days.
	RecordOffsetNotWholeDays,
	/// A record date would fall on or before the start of its accrual period.
	RecordDateBeforeAccrualStart,
	/// A record date would not come after the previous period's.
	RecordDatesNotIncreasing,

	// Terms.
	/// The ISIN is not two letters, nine letters or digits, and a digit.
	IsinMalformed,
	/// The ISIN's check digit is wrong.
	IsinChecksumMismatch,
	/// The CFI code is not six uppercase letters.
	CfiMalformed,
	/// The CFI code's first letter is not an ISO 10962 category.
	CfiUnknownCategory,
	/// The CFI code is not that of a debt instrument (`D`).
	CfiNotDebt,
	/// The CFI code's second letter is not an ISO 10962 debt group.
	CfiUnknownGroup,
	/// The denomination is zero.
	ZeroDenomination,
	/// The issue size is not a positive whole number of denominations.
	IssueSizeNotWholeDenominations,
	/// The minimum raise is zero.
	ZeroMinimumRaise,
	/// The minimum raise exceeds the issue size.
	MinimumRaiseAboveIssueSize,
	/// The minimum subscription is not a positive whole number of denominations.
	MinimumSubscriptionNotWholeDenominations,
	/// The minimum subscription exceeds the issue size.
	MinimumSubscriptionAboveIssueSize,
	/// The subscription window does not end after it starts.
	SubscriptionWindowEmpty,
	/// The subscription window ends after the issue date.
	SubscriptionEndsAfterIssue,
	/// The coupon cap exceeds 100 %.
	CouponCapTooHigh,
	/// The coupon floor exceeds the cap.
	CouponFloorAboveCap,
	/// The base coupon is below the floor.
	CouponBelowFloor,
	/// The base coupon is above the cap.
	CouponAboveCap,
	/// No use-of-proceeds category is given.
	NoUseOfProceeds,
	/// A use-of-proceeds category is listed twice.
	DuplicateUseOfProceeds,
	/// The framework document hash is missing (all zero).
	MissingFrameworkHash,
	/// The second-party opinion hash is given but all zero.
	ZeroSecondPartyOpinionHash,
	/// Call dates are not strictly increasing.
	CallDatesNotIncreasing,
	/// A call date is not an (unadjusted) coupon date before maturity.
	CallDateNotCouponDate,
	/// A call premium exceeds 100 %.
	CallPremiumTooHigh,
	/// The claim period is zero, so holders could never claim.
	ZeroClaimPeriod,
	/// An investor category is capped twice.
	DuplicateInvestorCap,
	/// An investor cap is not a positive whole number of denominations.
	InvestorCapNotWholeDenominations,
	/// An investor cap is below the minimum subscription, so nobody of that category could
	/// subscribe.
	InvestorCapBelowMinimumSubscription,
	/// The resident priority's jurisdiction is not two uppercase letters.
	InvalidJurisdiction,
	/// The resident tranche is not a positive whole number of denominations.
	PriorityTrancheNotWholeDenominations,
	/// The resident tranche exceeds the issue size.
	PriorityTrancheAboveIssueSize,

	// KPIs.
	/// More KPIs than allowed.
	TooManyKpis,
	/// A KPI's coupon step is zero.
	ZeroKpiStep,
	/// A KPI's coupon step exceeds 100 %.
	KpiStepTooLarge,
	/// A KPI has no targets.
	NoKpiTargets,
	/// A KPI's targets are not by strictly increasing observation period.
	KpiTargetsNotIncreasing,
	/// A KPI target observes the last coupon period, so no coupon would follow it.
	KpiTargetAfterLastCoupon,
	/// A KPI target's observation date is not after the issue date.
	KpiObservationBeforeIssue,
	/// A KPI target's observation date is after the record date of the coupon it moves.
	KpiObservationAfterRecordDate,
	/// A KPI outcome cannot be told yet (before its observation date); the rate cannot be
	/// fixed yet.
	KpiUndetermined,

	// Subscriptions and allocation.
	/// The amount is zero.
	ZeroAmount,
	/// An amount is not a whole number of denominations.
	NotWholeDenominations,
	/// The investor's total subscription would be below the minimum subscription.
	BelowMinimumSubscription,
	/// The investor's total subscription would exceed its category's cap.
	InvestorCapExceeded,

	// Payouts.
	/// The funding would exceed what is due.
	FundingExceedsDue,
	/// The payment is in default: its funding is frozen.
	DistributionDefaulted,
	/// The payment's remainder was reclaimed: no more funding or claims.
	DistributionClosed,
	/// The payment is already in default.
	AlreadyDefaulted,
	/// The payment is fully funded, so it cannot be in default.
	FullyFunded,
	/// The payment is not fully funded and not in default: nothing can be claimed yet.
	NotFunded,
	/// A claim for zero units.
	NothingToClaim,
	/// Claims would exceed the units recorded at the record date.
	ClaimExceedsRecordedUnits,
	/// Claims would exceed the cash funded.
	InsufficientFunds,

	// Checkpoints.
	/// A balance change in an epoch before the holder's last one (the clock went backwards).
	EpochInPast,
	/// Every passed record date has been claimed.
	NoRecordToClaim,
	/// A checkpoint segment the claim needs is missing (storage inconsistent).
	CheckpointMissing,
}
