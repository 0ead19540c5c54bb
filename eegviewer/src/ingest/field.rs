//! Fields of packets and events, shared by the text, JSON and CSV parsers: decimals are plain
//! ASCII digits (an optional `-` for timestamps), checked for overflow and for the range
//! eegreader can write, so a damaged value is refused rather than drawn.

use libeeg::{MAX_CODE, Protocol, p2};

/// Digits only, at least one, no sign, no spaces; `None` on overflow.
#[inline]
pub fn unsigned(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in field {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
    }
    Some(value)
}

/// An optional `-` then digits; `None` on overflow.
#[inline]
pub fn signed(field: &[u8]) -> Option<i64> {
    match field.split_first() {
        Some((b'-', digits)) => {
            let magnitude = unsigned(digits)?;
            // i64::MIN has no positive counterpart.
            0i64.checked_sub_unsigned(magnitude)
        }
        _ => i64::try_from(unsigned(field)?).ok(),
    }
}

/// A raw channel code, 0..=1023.
#[inline]
pub fn code(field: &[u8]) -> Option<u16> {
    unsigned(field)
        .filter(|&v| v <= u64::from(MAX_CODE))
        .map(|v| v as u16)
}

/// The protocol version field: `2` or `3`.
#[inline]
pub fn version(field: &[u8]) -> Option<Protocol> {
    match field {
        b"2" => Some(Protocol::P2),
        b"3" => Some(Protocol::P3),
        _ => None,
    }
}

/// A packet counter, below the protocol's counter cycle (256 for P2, 64 for P3).
#[inline]
pub fn frame(field: &[u8], protocol: Protocol) -> Option<u8> {
    unsigned(field)
        .filter(|&v| v < u64::from(protocol.counter_cycle()))
        .map(|v| v as u8)
}

/// A switch byte: bits 3..0 only (0..=15).
#[inline]
pub fn switches(field: &[u8]) -> Option<u8> {
    small(field, p2::MAX_SWITCHES)
}

/// An integer no larger than `max`.
#[inline]
pub fn small(field: &[u8], max: u8) -> Option<u8> {
    unsigned(field)
        .filter(|&v| v <= u64::from(max))
        .map(|v| v as u8)
}

/// A restart's evidence as eegreader names it (`reset-signal`, `elapsed-time`): a word of
/// lowercase ASCII letters and dashes, at most 32 bytes. Names libeeg may add later pass too.
pub fn evidence(field: &str) -> Option<String> {
    (!field.is_empty()
        && field.len() <= 32
        && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
    .then(|| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_takes_digits_only() {
        assert_eq!(unsigned(b"0"), Some(0));
        assert_eq!(unsigned(b"0512"), Some(512));
        assert_eq!(unsigned(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(unsigned(b"18446744073709551616"), None);
        assert_eq!(unsigned(b"99999999999999999999"), None);
        assert_eq!(unsigned(b"000000000000000000001"), None);
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b" 1",
            b"1 ",
            b"1.0",
            b"1e3",
            b"x",
            b"\xff",
        ] {
            assert_eq!(unsigned(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn signed_timestamps() {
        assert_eq!(signed(b"1700000000000000"), Some(1_700_000_000_000_000));
        assert_eq!(signed(b"-5"), Some(-5));
        assert_eq!(signed(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(signed(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(signed(b"9223372036854775808"), None);
        assert_eq!(signed(b"-9223372036854775809"), None);
        assert_eq!(signed(b"-"), None);
        assert_eq!(signed(b"--5"), None);
    }

    #[test]
    fn ranges() {
        assert_eq!(code(b"1023"), Some(1023));
        assert_eq!(code(b"1024"), None);
        assert_eq!(version(b"2"), Some(Protocol::P2));
        assert_eq!(version(b"3"), Some(Protocol::P3));
        assert_eq!(version(b"4"), None);
        assert_eq!(version(b"02"), None);
        assert_eq!(frame(b"255", Protocol::P2), Some(255));
        assert_eq!(frame(b"256", Protocol::P2), None);
        assert_eq!(frame(b"63", Protocol::P3), Some(63));
        assert_eq!(frame(b"64", Protocol::P3), None);
        assert_eq!(switches(b"15"), Some(15));
        assert_eq!(switches(b"16"), None);
    }

    #[test]
    fn evidence_is_one_lowercase_word() {
        // Every name libeeg gives.
        for known in [
            libeeg::RestartEvidence::ResetSignal,
            libeeg::RestartEvidence::ElapsedTime,
        ] {
            assert_eq!(evidence(known.name()).as_deref(), Some(known.name()));
        }
        assert_eq!(evidence("watchdog").as_deref(), Some("watchdog"));
        for bad in [
            "",
            "reset signal",
            "Reset-Signal",
            "reset-signal)",
            &"a".repeat(33),
        ] {
            assert_eq!(evidence(bad), None, "{bad:?}");
        }
    }
}
