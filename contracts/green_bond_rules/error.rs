//! The one error type of the green bond's logic: one variant per cause, so a caller (and a
//! user reading the contract's answer) can tell exactly what was wrong.

/// Why an operation was refused. Nothing is written when an error is returned.
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
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

	// The bond's state machine (`data`).
	/// The bond's state has already been set up.
	AlreadyInitialised,
	/// The bond's state has not been set up.
	NotInitialised,
	/// The subscriber limit is zero.
	ZeroMaxSubscribers,
	/// The holder limit is below the subscriber limit, so closing the book could exceed it.
	MaxHoldersBelowMaxSubscribers,
	/// No agent was named.
	NoAgent,
	/// More agents than allowed.
	TooManyAgents,
	/// A KPI feed the terms (or a rate fixing) refer to is unknown to the oracle.
	UnknownKpi,
	/// Only the issuer may do this (setting a bond up included: the caller must be the issuer
	/// its terms name).
	NotIssuer,
	/// Only an agent may do this.
	NotAgent,
	/// The bond is not in a phase that allows this.
	WrongPhase,
	/// The subscription window has not opened yet.
	SubscriptionNotOpen,
	/// The subscription window has closed.
	SubscriptionEnded,
	/// The subscription window is still open: the book cannot be closed yet.
	SubscriptionStillOpen,
	/// The bond is paused.
	Paused,
	/// The bond is already paused.
	AlreadyPaused,
	/// The bond is not paused.
	NotPaused,
	/// The account is frozen.
	AccountFrozen,
	/// The sender is frozen.
	SenderFrozen,
	/// The recipient is frozen.
	RecipientFrozen,
	/// The investor does not pass compliance (identity, claims, jurisdiction).
	NotCompliant,
	/// The sender does not pass compliance.
	SenderNotCompliant,
	/// The recipient does not pass compliance.
	RecipientNotCompliant,
	/// The investor's identity records no investor category.
	NoInvestorCategory,
	/// The book already has the most subscribers allowed.
	TooManySubscribers,
	/// The bond already has the most holders allowed.
	TooManyHolders,
	/// A subscriber listed in the book has no subscription (storage inconsistent).
	SubscriberMissing,
	/// There is no refund to withdraw.
	NothingToRefund,
	/// The sender holds fewer units than the amount.
	InsufficientBalance,
	/// The sender's units not frozen are fewer than the amount.
	InsufficientUnfrozenBalance,
	/// The spender's allowance is lower than the amount.
	InsufficientAllowance,
	/// A transfer from an account to itself.
	SelfTransfer,
	/// The last record date has passed: balances are fixed for redemption.
	BalancesFixed,
	/// Freezing more units than the account holds.
	FreezeExceedsBalance,
	/// Unfreezing more units than are frozen.
	UnfreezeExceedsFrozen,
	/// No such coupon period.
	UnknownPeriod,
	/// The payment is not owed: its coupon period comes after the call.
	PaymentNotOwed,
	/// The coupon's rate has not been fixed (and nothing funded).
	PaymentNotFixed,
	/// The coupon's rate is already fixed.
	RateAlreadyFixed,
	/// The payment's due date plus grace period has not passed.
	GracePeriodNotOver,
	/// The payment's claim period has not expired.
	ClaimPeriodNotOver,
	/// The payment has no cash to reclaim (never fixed or funded).
	NothingToReclaim,
	/// The terms have no call on that date.
	NoCallOnDate,
	/// The call's coupon record date has passed: too late to give notice.
	CallNoticeTooLate,
	/// The redemption has started (funded or defaulted): the bond can no longer be called.
	RedemptionStarted,
	/// The caller is neither the holder nor the account it was recovered to.
	NotBeneficiary,
	/// The account was recovered to another: the new account acts for it.
	AccountRecovered,
	/// The recovery target was itself recovered to another account.
	RecoveryTargetRecovered,
	/// A recovery to the same account.
	RecoveryToSameAccount,
	/// The lost and the new account do not belong to the same identity.
	NotSameIdentity,
	/// A chain of recoveries is longer than allowed.
	RecoveryChainTooLong,
	/// A document hash is all zero.
	ZeroDocumentHash,
	/// A report lists no category.
	EmptyReport,
	/// A report lists more entries than there are categories.
	TooManyReportEntries,
	/// A report lists a category twice.
	DuplicateReportCategory,
	/// A report names a use-of-proceeds category the terms do not list.
	UnknownUseOfProceeds,
	/// Allocations would exceed the proceeds raised.
	AllocationExceedsProceeds,

	// The contract's cash leg (the cash token contract).
	/// The cash token refused a transfer (the payer's balance or allowance is too low).
	CashTransferRefused,
	/// The call to the cash token failed: it trapped, ran out of gas, or answered something
	/// that is not the cash token's reply.
	CashCallFailed,

	// Setup, continued.
	/// The terms' issuer has no active identity holding the `Issuer` role.
	IssuerNotRegistered,
	/// A KPI target's observation date comes before its feed period's KPI can be final: the
	/// period's end, plus the feed's report deadline, plus its challenge window.
	ObservationBeforeVerification,
}
