//! What kind of damage made a false packet, so the quality table can say which classes remain.

use libeeg::sim::Damaged;
use libeeg::{Packet, Protocol};

use crate::{wire, wire_of};

/// The kinds of false packet framing cannot always expose (PROTOCOL.md, "What framing can and
/// cannot prove").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FalseClass {
    /// A sent packet that lost bytes and gained as many: at most two edits from its bytes.
    Damaged,
    /// The head of a sent packet joined to bytes of a later one.
    Splice,
    /// A header that no sent packet nearby starts with: junk holding a fake header.
    Fake,
    /// None of the above.
    Other,
}

impl FalseClass {
    /// Every class, in table order.
    pub const ALL: [FalseClass; 4] = [Self::Damaged, Self::Splice, Self::Fake, Self::Other];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Damaged => "lost+gained",
            Self::Splice => "splice",
            Self::Fake => "fake header",
            Self::Other => "other",
        }
    }
}

/// How many sent packets around the false one are compared with it.
const NEAR: usize = 64;

/// The class of false packet `p`, delivered when `next` was the first sent packet not yet
/// matched.
pub fn classify(damaged: &Damaged, next: usize, p: &Packet) -> FalseClass {
    let sent = &damaged.sent;
    let seen = wire_of(p);
    let around = next.saturating_sub(2)..sent.len().min(next + NEAR);
    let wires: Vec<(usize, Vec<u8>)> = around.map(|j| (j, wire(p.protocol, &sent[j]))).collect();
    let same_counter = || wires.iter().filter(|(j, _)| sent[*j].counter == p.counter);
    if same_counter().any(|(_, w)| edit_distance(&seen, w) <= 2) {
        return FalseClass::Damaged;
    }
    let head_len = match p.protocol {
        Protocol::P2 => 4,
        Protocol::P3 => 1,
    };
    let spliced = same_counter().any(|(j, w)| {
        (head_len..seen.len()).any(|k| {
            seen[..k] == w[..k]
                && wires
                    .iter()
                    .filter(|(m, _)| m > j)
                    .any(|(_, later)| later.windows(seen.len() - k).any(|x| x == &seen[k..]))
        })
    });
    if spliced {
        return FalseClass::Splice;
    }
    if !wires.iter().any(|(_, w)| w[..head_len] == seen[..head_len]) {
        return FalseClass::Fake;
    }
    FalseClass::Other
}

/// Levenshtein distance between two short byte strings.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(x != y);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_one_lost_and_one_gained_byte_as_two() {
        assert_eq!(edit_distance(b"abcdef", b"abcdef"), 0);
        assert_eq!(edit_distance(b"abcdef", b"abdefX"), 2);
        assert_eq!(edit_distance(b"abcdef", b"abXdef"), 1);
        assert_eq!(edit_distance(b"", b"ab"), 2);
    }
}
