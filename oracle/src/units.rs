//! UN/CEFACT Recommendation 20 unit codes the oracle understands, and exact conversion among the
//! codes of one quantity.
//!
//! | quantity | code | unit          | in the base unit  |
//! |----------|------|---------------|-------------------|
//! | energy   | JOU  | joule         | 1 J (base)        |
//! | energy   | KJO  | kilojoule     | 1 000 J           |
//! | energy   | 3B   | megajoule     | 1 000 000 J       |
//! | energy   | GV   | gigajoule     | 10^9 J            |
//! | energy   | WHR  | watt hour     | 3 600 J           |
//! | energy   | KWH  | kilowatt hour | 3 600 000 J       |
//! | energy   | MWH  | megawatt hour | 3.6 * 10^9 J      |
//! | energy   | GWH  | gigawatt hour | 3.6 * 10^12 J     |
//! | volume   | MLT  | millilitre    | 0.001 l           |
//! | volume   | LTR  | litre         | 1 l (base)        |
//! | volume   | MTQ  | cubic metre   | 1 000 l           |
//! | mass     | GRM  | gram          | 0.001 kg          |
//! | mass     | KGM  | kilogram      | 1 kg (base)       |
//! | mass     | TNE  | tonne         | 1 000 kg          |
//! | mass     | KTN  | kilotonne     | 1 000 000 kg      |
//! | ratio    | C62  | one           | 1 (base)          |
//! | ratio    | P1   | percent       | 0.01              |
//!
//! A conversion multiplies by the source factor and divides by the target's, in
//! `rust_decimal` (28 significant digits). Every conversion between these codes is exact except
//! into a unit whose factor does not divide the source's (e.g. joules into kilowatt hours), which
//! rounds at the 28th significant digit, far below any feed's decimals.

use rust_decimal::Decimal;

/// What a unit measures; only units of the same quantity convert into each other.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Quantity {
	/// Energy (base: joule).
	Energy,
	/// Volume (base: litre).
	Volume,
	/// Mass (base: kilogram).
	Mass,
	/// A dimensionless ratio (base: one).
	Ratio,
}

/// A unit the oracle knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Unit {
	/// Its UN/CEFACT code.
	pub code: &'static str,
	/// What it measures.
	pub quantity: Quantity,
	/// How many base units one of it is, as (mantissa, scale) of a decimal.
	factor: (i64, u32),
}

impl Unit {
	/// The unit's size in base units.
	pub fn factor(&self) -> Decimal {
		Decimal::new(self.factor.0, self.factor.1)
	}
}

const fn unit(code: &'static str, quantity: Quantity, mantissa: i64, scale: u32) -> Unit {
	Unit { code, quantity, factor: (mantissa, scale) }
}

/// Every unit the oracle knows.
pub const UNITS: [Unit; 17] = [
	unit("JOU", Quantity::Energy, 1, 0),
	unit("KJO", Quantity::Energy, 1_000, 0),
	unit("3B", Quantity::Energy, 1_000_000, 0),
	unit("GV", Quantity::Energy, 1_000_000_000, 0),
	unit("WHR", Quantity::Energy, 3_600, 0),
	unit("KWH", Quantity::Energy, 3_600_000, 0),
	unit("MWH", Quantity::Energy, 3_600_000_000, 0),
	unit("GWH", Quantity::Energy, 3_600_000_000_000, 0),
	unit("MLT", Quantity::Volume, 1, 3),
	unit("LTR", Quantity::Volume, 1, 0),
	unit("MTQ", Quantity::Volume, 1_000, 0),
	unit("GRM", Quantity::Mass, 1, 3),
	unit("KGM", Quantity::Mass, 1, 0),
	unit("TNE", Quantity::Mass, 1_000, 0),
	unit("KTN", Quantity::Mass, 1_000_000, 0),
	unit("C62", Quantity::Ratio, 1, 0),
	unit("P1", Quantity::Ratio, 1, 2),
];

/// Why a value cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
	/// The code is not in [`UNITS`].
	#[error("unknown unit code {0:?}")]
	Unknown(String),
	/// The two units measure different things.
	#[error("unit {from} cannot be converted to {to}: different quantities")]
	Mismatch {
		/// The source unit.
		from: String,
		/// The wanted unit.
		to: String,
	},
	/// The converted value does not fit a decimal.
	#[error("converting {value} {from} to {to} overflows")]
	Overflow {
		/// The value.
		value: Decimal,
		/// The source unit.
		from: String,
		/// The wanted unit.
		to: String,
	},
}

/// The unit with `code`, if the oracle knows it.
pub fn lookup(code: &str) -> Result<Unit, UnitError> {
	UNITS
		.iter()
		.find(|unit| unit.code == code)
		.copied()
		.ok_or_else(|| UnitError::Unknown(code.into()))
}

/// `value` in unit `from`, expressed in unit `to`.
pub fn convert(value: Decimal, from: &str, to: &str) -> Result<Decimal, UnitError> {
	let source = lookup(from)?;
	let target = lookup(to)?;
	if source.quantity != target.quantity {
		return Err(UnitError::Mismatch { from: from.into(), to: to.into() });
	}
	if source.code == target.code {
		return Ok(value);
	}
	let overflow = || UnitError::Overflow { value, from: from.into(), to: to.into() };
	value
		.checked_mul(source.factor())
		.and_then(|base| base.checked_div(target.factor()))
		.map(|converted| converted.normalize())
		.ok_or_else(overflow)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use std::str::FromStr;

	fn d(text: &str) -> Decimal {
		Decimal::from_str(text).unwrap()
	}

	#[test]
	fn energy_converts_exactly_between_watt_hour_multiples() {
		assert_eq!(convert(d("1.5"), "MWH", "KWH").unwrap(), d("1500"));
		assert_eq!(convert(d("1234.567"), "WHR", "KWH").unwrap(), d("1.234567"));
		assert_eq!(convert(d("0.000002"), "GWH", "KWH").unwrap(), d("2"));
		assert_eq!(convert(d("3.6"), "3B", "KWH").unwrap(), d("1"));
		assert_eq!(convert(d("7200"), "KJO", "KWH").unwrap(), d("2"));
		assert_eq!(convert(d("1"), "KWH", "JOU").unwrap(), d("3600000"));
	}

	#[test]
	fn volume_and_mass_convert_exactly() {
		assert_eq!(convert(d("2500"), "LTR", "MTQ").unwrap(), d("2.5"));
		assert_eq!(convert(d("0.75"), "MTQ", "LTR").unwrap(), d("750"));
		assert_eq!(convert(d("1250"), "KGM", "TNE").unwrap(), d("1.25"));
		assert_eq!(convert(d("3"), "KTN", "TNE").unwrap(), d("3000"));
		assert_eq!(convert(d("12.5"), "P1", "C62").unwrap(), d("0.125"));
	}

	#[test]
	fn units_of_different_quantities_or_unknown_codes_do_not_convert() {
		assert_eq!(
			convert(d("1"), "MTQ", "KWH"),
			Err(UnitError::Mismatch { from: "MTQ".into(), to: "KWH".into() })
		);
		assert_eq!(convert(d("1"), "XYZ", "KWH"), Err(UnitError::Unknown("XYZ".into())));
		assert_eq!(convert(d("1"), "kWh", "KWH"), Err(UnitError::Unknown("kWh".into())));
	}

	#[test]
	fn conversion_overflow_is_an_error_not_a_panic() {
		assert!(matches!(convert(Decimal::MAX, "GWH", "JOU"), Err(UnitError::Overflow { .. })));
	}
}
