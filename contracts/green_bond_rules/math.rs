//! Checked arithmetic that returns [`Error`] instead of panicking, for chaining with `?`.

use crate::Error;

/// Checked operations on the integer types the crate uses.
pub(crate) trait Checked: Sized {
	/// `self + rhs`, or [`Error::Overflow`].
	fn add_c(self, rhs: Self) -> Result<Self, Error>;
	/// `self - rhs`, or [`Error::Overflow`] (below zero for unsigned types).
	fn sub_c(self, rhs: Self) -> Result<Self, Error>;
	/// `self * rhs`, or [`Error::Overflow`].
	fn mul_c(self, rhs: Self) -> Result<Self, Error>;
	/// `self / rhs` rounded towards zero, or [`Error::DivisionByZero`] (or
	/// [`Error::Overflow`] for `MIN / -1`).
	fn div_c(self, rhs: Self) -> Result<Self, Error>;
	/// `self % rhs`, or [`Error::DivisionByZero`].
	fn rem_c(self, rhs: Self) -> Result<Self, Error>;
}

macro_rules! impl_checked {
	($($t:ty),*) => {$(
		impl Checked for $t {
			fn add_c(self, rhs: Self) -> Result<Self, Error> {
				self.checked_add(rhs).ok_or(Error::Overflow)
			}
			fn sub_c(self, rhs: Self) -> Result<Self, Error> {
				self.checked_sub(rhs).ok_or(Error::Overflow)
			}
			fn mul_c(self, rhs: Self) -> Result<Self, Error> {
				self.checked_mul(rhs).ok_or(Error::Overflow)
			}
			fn div_c(self, rhs: Self) -> Result<Self, Error> {
				if rhs == 0 {
					return Err(Error::DivisionByZero);
				}
				self.checked_div(rhs).ok_or(Error::Overflow)
			}
			fn rem_c(self, rhs: Self) -> Result<Self, Error> {
				if rhs == 0 {
					return Err(Error::DivisionByZero);
				}
				self.checked_rem(rhs).ok_or(Error::Overflow)
			}
		}
	)*};
}

impl_checked!(u8, u32, u64, u128, i32, i64, i128);

/// Greatest common divisor (Euclid); `gcd(0, 0) == 0`.
pub(crate) fn gcd(mut a: u128, mut b: u128) -> u128 {
	while b != 0 {
		// `b != 0`, so the remainder exists.
		let r = a.checked_rem(b).unwrap_or(0);
		a = b;
		b = r;
	}
	a
}

/// `a * b / c` rounded down, or [`Error::Overflow`] / [`Error::DivisionByZero`].
pub(crate) fn mul_div_floor(a: u128, b: u128, c: u128) -> Result<u128, Error> {
	a.mul_c(b)?.div_c(c)
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	#[test]
	fn checked_ops_report_overflow_and_division_by_zero() {
		assert_eq!(u128::MAX.add_c(1), Err(Error::Overflow));
		assert_eq!(0u64.sub_c(1), Err(Error::Overflow));
		assert_eq!(i64::MIN.div_c(-1), Err(Error::Overflow));
		assert_eq!(7u32.div_c(0), Err(Error::DivisionByZero));
		assert_eq!(7u32.rem_c(0), Err(Error::DivisionByZero));
		assert_eq!(7u32.rem_c(4), Ok(3));
	}

	#[test]
	fn gcd_of_known_pairs() {
		assert_eq!(gcd(12, 18), 6);
		assert_eq!(gcd(0, 5), 5);
		assert_eq!(gcd(5, 0), 5);
		assert_eq!(gcd(0, 0), 0);
		assert_eq!(gcd(365, 182), 1);
	}
}
