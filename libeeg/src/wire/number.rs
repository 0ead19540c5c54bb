//! Decimal numbers as every wire format writes and reads them. Integers are written straight
//! into the output buffer (a replay writes millions of them a second, so they bypass `fmt`);
//! fractional values (microvolts, rates) to six decimals with trailing zeros trimmed. Integers
//! are read strictly: ASCII digits, an optional `-` where a value may be negative, no spaces,
//! no `+`, checked for overflow.

use std::io::Write;

/// "00", "01", .. "99": two digits per division.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends `v` in decimal.
pub fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    // u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        digits[start] = b'0' + v as u8;
    }
    // At most 20 digits: a loop of pushes into reserved space beats a memcpy call for 1-4.
    out.reserve(digits.len() - start);
    for &d in &digits[start..] {
        out.push(d);
    }
}

/// Appends `v` in decimal, with a `-` when negative.
pub fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Appends `v` rounded to six decimals without trailing zeros (`-12.5`, `0`, `1.56`), and
/// returns true; appends nothing and returns false when `v` is not finite.
///
/// For microvolts, six decimals is a millionth of a microvolt, far below one ADC step (about
/// 0.5 uV), so nothing measurable is lost, and products like `3 * 0.52` print as `1.56`
/// rather than `1.5600000000000001`. Ties round to even, as `format!("{v:.6}")` does; zero
/// has no sign (`-1e-9` prints `0`).
pub fn push_decimal(out: &mut Vec<u8>, v: f64) -> bool {
    if !v.is_finite() {
        return false;
    }
    let millionths = (v * 1e6).round_ties_even();
    // Up to 2^53 every integer is exact, and the integer path is ten times faster than `fmt`.
    if millionths.abs() >= 9.0e15 {
        return push_decimal_slow(out, v);
    }
    let millionths = millionths as i64;
    if millionths < 0 {
        out.push(b'-');
    }
    let millionths = millionths.unsigned_abs();
    push_u64(out, millionths / 1_000_000);
    let mut fraction = millionths % 1_000_000;
    if fraction != 0 {
        let mut places = 6;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            places -= 1;
        }
        out.push(b'.');
        let start = out.len();
        push_u64(out, fraction);
        // Leading zeros of the fraction: .05 is 5 in two places.
        let missing = places - (out.len() - start);
        out.splice(start..start, std::iter::repeat_n(b'0', missing));
    }
    true
}

/// Reads digits only (at least one, at most 20), as [`push_u64`] writes them; `None` on
/// anything else or on overflow.
pub(crate) fn parse_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in text {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    Some(value)
}

/// Reads an optional `-` then digits, as [`push_i64`] writes them; `None` on anything else or
/// on overflow.
pub(crate) fn parse_i64(text: &[u8]) -> Option<i64> {
    match text.split_first() {
        // i64::MIN has no positive counterpart, so the magnitude is subtracted from 0.
        Some((b'-', digits)) => 0i64.checked_sub_unsigned(parse_u64(digits)?),
        _ => i64::try_from(parse_u64(text)?).ok(),
    }
}

/// Reads a finite number (`257.142857`, `0.5`; what [`push_decimal`] writes and what Rust's
/// `f64` parser accepts), refusing infinities and NaN.
pub(crate) fn parse_finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// [`push_decimal`] for huge values, through `fmt`.
#[cold]
fn push_decimal_slow(out: &mut Vec<u8>, v: f64) -> bool {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{v:.6}");
    // `{:.6}` always prints a '.', so trimming stops there at the latest.
    while out.last() == Some(&b'0') {
        out.pop();
    }
    if out.last() == Some(&b'.') {
        out.pop();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = b"x".to_vec();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn integers() {
        assert_eq!(text(|o| push_u64(o, 0)), "x0");
        assert_eq!(text(|o| push_u64(o, 1023)), "x1023");
        assert_eq!(text(|o| push_u64(o, u64::MAX)), "x18446744073709551615");
        assert_eq!(text(|o| push_i64(o, -1)), "x-1");
        assert_eq!(text(|o| push_i64(o, i64::MIN)), "x-9223372036854775808");
        assert_eq!(
            text(|o| push_i64(o, 1_700_000_000_000_000)),
            "x1700000000000000"
        );
    }

    #[test]
    fn integers_of_every_length() {
        let mut v = 1u64;
        for _ in 0..19 {
            for n in [v - 1, v, v + 1, v * 5] {
                assert_eq!(text(|o| push_u64(o, n)), format!("x{n}"));
            }
            v *= 10;
        }
    }

    #[test]
    fn decimals_agree_with_fmt() {
        // Every code through the usual scales, as the sinks see them.
        for k in [0.5, 0.52, 0.488, 0.977, 0.488_281_25, 1.0 / 3.0] {
            for code in 0..=1023u16 {
                let v = (f64::from(code) - 512.0) * k;
                let expected = format!("{v:.6}");
                let expected = expected.trim_end_matches('0').trim_end_matches('.');
                let expected = if expected == "-0" { "0" } else { expected };
                assert_eq!(
                    text(|o| assert!(push_decimal(o, v))),
                    format!("x{expected}"),
                    "{code} * {k}"
                );
            }
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(text(|o| assert!(push_decimal(o, 0.0))), "x0");
        assert_eq!(text(|o| assert!(push_decimal(o, -0.0))), "x0");
        assert_eq!(text(|o| assert!(push_decimal(o, -1e-9))), "x0");
        assert_eq!(text(|o| assert!(push_decimal(o, -256.0))), "x-256");
        assert_eq!(text(|o| assert!(push_decimal(o, 255.5))), "x255.5");
        assert_eq!(text(|o| assert!(push_decimal(o, 3.0 * 0.52))), "x1.56");
        assert_eq!(text(|o| assert!(push_decimal(o, 100.0))), "x100");
        assert_eq!(
            text(|o| assert!(push_decimal(o, 257.142_857_14))),
            "x257.142857"
        );
        assert_eq!(text(|o| assert!(!push_decimal(o, f64::NAN))), "x");
        assert_eq!(text(|o| assert!(!push_decimal(o, f64::INFINITY))), "x");
        assert_eq!(text(|o| assert!(push_decimal(o, 0.05))), "x0.05");
        assert_eq!(text(|o| assert!(push_decimal(o, -0.000001))), "x-0.000001");
        assert_eq!(
            text(|o| assert!(push_decimal(o, 1e12 + 0.25))),
            "x1000000000000.25"
        );
        assert_eq!(
            text(|o| assert!(push_decimal(o, -2.5e20))),
            "x-250000000000000000000"
        );
        assert_eq!(
            text(|o| assert!(push_decimal(o, 1e10 + 0.1234565))),
            "x10000000000.123457"
        );
    }

    #[test]
    fn integers_read_back() {
        for v in [0, 1, 9, 10, 1023, 1_700_000_000_000_000, u64::MAX] {
            assert_eq!(
                parse_u64(&text(|o| push_u64(o, v)).as_bytes()[1..]),
                Some(v)
            );
        }
        for v in [i64::MIN, -1, 0, 5, i64::MAX] {
            assert_eq!(
                parse_i64(&text(|o| push_i64(o, v)).as_bytes()[1..]),
                Some(v)
            );
        }
        assert_eq!(parse_u64(b"0512"), Some(512));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"000000000000000000001"), None);
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-9223372036854775809"), None);
        for bad in [
            &b""[..],
            b"-",
            b"--5",
            b"+1",
            b" 1",
            b"1 ",
            b"1.0",
            b"1e3",
            b"x",
            b"\xff",
        ] {
            assert_eq!(parse_u64(bad), None, "{bad:?}");
            assert_eq!(parse_i64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn decimals_read_back() {
        assert_eq!(parse_finite("257.142857"), Some(257.142857));
        assert_eq!(parse_finite("0.5"), Some(0.5));
        assert_eq!(parse_finite("inf"), None);
        assert_eq!(parse_finite("NaN"), None);
        assert_eq!(parse_finite("fast"), None);
    }
}
