//! `eegreader --replay` of every libeeg fixture (`fixtures/*.bin`) against golden outputs: the
//! original text format in `fixtures/<name>.reader.txt` and the JSON lines in
//! `fixtures/<name>.reader.jsonl`.
//!
//! Timestamps are wall-clock based, so each `timestamp_us` (data lines, `#` lines, JSON keys)
//! is replaced by its offset from the first packet's timestamp; the offsets are index / rate,
//! the same on every run. `UPDATE_GOLDEN=1 cargo test -p eegreader --test golden` rewrites the
//! goldens; review the diff before committing it.

mod common;
#[path = "common/json.rs"]
mod json;
#[path = "common/normalise.rs"]
mod normalise;

use std::path::Path;

use common::{DataLine, captures, output, reader, summary_u64};
use json::Json;
use normalise::{normalise_json, normalise_text};

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// Replays `bin` with `args`; returns stdout, after checking the exit status and the summary.
fn replay(bin: &Path, args: &[&str]) -> String {
    let out = output(reader().arg("--replay").arg(bin).args(args));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{} {args:?}: {}\n{stderr}",
        bin.display(),
        out.status
    );
    common::assert_no_panic(&stderr);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let packets = if args.contains(&"--json") {
        stdout
            .lines()
            .filter(|l| l.starts_with("{\"timestamp_us\":"))
            .count()
    } else {
        stdout.lines().filter(|l| !l.starts_with('#')).count()
    };
    assert_eq!(
        summary_u64(&stderr, "packets") as usize,
        packets,
        "{}: summary vs lines",
        bin.display()
    );
    stdout
}

/// Compares `actual` with the golden at `path`, or rewrites it with `UPDATE_GOLDEN=1`.
fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if actual == expected {
        return;
    }
    if updating() {
        std::fs::write(path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("updated {}", path.display());
        return;
    }
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a);
    let line = first.unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    failures.push(format!(
        "{} differs from line {} on ({} lines expected, {} got):\n- {}\n+ {}",
        path.display(),
        line + 1,
        expected.lines().count(),
        actual.lines().count(),
        expected.lines().nth(line).unwrap_or("(end)"),
        actual.lines().nth(line).unwrap_or("(end)"),
    ));
}

#[test]
fn replays_of_the_fixtures_match_their_goldens() {
    let mut failures = Vec::new();
    for bin in captures() {
        let text = normalise_text(&replay(&bin, &[]));
        assert!(
            text.lines()
                .last()
                .is_some_and(|l| l.starts_with("# end: ")),
            "{}: no '# end' line last",
            bin.display()
        );
        let json = normalise_json(&replay(&bin, &["--json"]));
        check(&bin.with_extension("reader.txt"), &text, &mut failures);
        check(&bin.with_extension("reader.jsonl"), &json, &mut failures);

        // Both formats carry the same packets at the same times.
        let text_packets: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let json_packets: Vec<String> = json
            .lines()
            .filter_map(|l| match Json::parse(l) {
                Ok(Json::Object(f)) if f[0].0 == "timestamp_us" => Some(f),
                _ => None,
            })
            .map(|f| {
                let n = |v: &Json| match v {
                    Json::Number(n) => n.to_string(),
                    other => panic!("{other:?}"),
                };
                let Json::Array(channels) = &f[4].1 else {
                    unreachable!()
                };
                let channels: Vec<String> = channels.iter().map(n).collect();
                format!(
                    "{}|{}|{}|{}|{}",
                    n(&f[0].1),
                    n(&f[2].1),
                    n(&f[3].1),
                    channels.join("|"),
                    n(&f[6].1)
                )
            })
            .collect();
        assert_eq!(
            text_packets,
            json_packets,
            "{}: text and JSON disagree",
            bin.display()
        );
        assert!(!text_packets.is_empty(), "{}: no packets", bin.display());

        // --no-events leaves exactly the data lines.
        let quiet = replay(&bin, &["--no-events"]);
        assert!(
            quiet.lines().all(|l| !l.starts_with('#')),
            "{}: event with --no-events",
            bin.display()
        );
        assert_eq!(
            normalise_text(&quiet).lines().collect::<Vec<_>>(),
            text_packets,
            "{}",
            bin.display()
        );
    }
    assert!(
        failures.is_empty(),
        "replay output differs from the goldens; if the change is intended, rerun with UPDATE_GOLDEN=1 \
         and review `git diff fixtures/`:\n\n{}",
        failures.join("\n\n")
    );
}

/// A packet line of a libeeg transcript (`fixtures/<name>.expected`, format in
/// `tests/src/transcript.rs`): `packet P2 index=0 counter=1 samples=[ 595  596 ...] switches=0F`.
fn transcript_packet(line: &str) -> (u64, DataLine) {
    let field = |key: &str| -> &str {
        let start = line
            .find(key)
            .unwrap_or_else(|| panic!("no {key} in {line}"))
            + key.len();
        let rest = &line[start..];
        &rest[..rest.find([' ', ']']).unwrap_or(rest.len())]
    };
    let samples: Vec<u16> = line[line.find('[').unwrap() + 1..line.find(']').unwrap()]
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let packet = DataLine {
        timestamp_us: 0,
        version: if line.starts_with("packet P3") { 3 } else { 2 },
        frame: field("counter=").parse().unwrap(),
        channels: samples.try_into().unwrap(),
        switches: u8::from_str_radix(field("switches="), 16).unwrap(),
    };
    (field("index=").parse().unwrap(), packet)
}

/// The sample time of index `i` relative to index `first`, at 256 Hz, as the reader rounds it.
fn offset_us(i: u64, first: u64) -> i64 {
    let us = |i: u64| (i as f64 * 1e6 / 256.0).round() as i64;
    us(i) - us(first)
}

#[test]
fn replays_deliver_exactly_what_the_decoder_transcripts_list() {
    for bin in captures() {
        let transcript = std::fs::read_to_string(bin.with_extension("expected")).unwrap();
        let expected: Vec<(u64, DataLine)> = transcript
            .lines()
            .filter(|l| l.starts_with("packet "))
            .map(transcript_packet)
            .collect();
        let text = normalise_text(&replay(&bin, &[]));
        let got: Vec<DataLine> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(DataLine::parse)
            .collect();
        assert_eq!(got.len(), expected.len(), "{}", bin.display());
        // A capture recorded live replays at its recorded times (its goldens hold them).
        let recorded = libeeg::arrivals::path_of(&bin).exists();
        let first = expected[0].0;
        for (line, (index, packet)) in got.iter().zip(&expected) {
            assert_eq!(
                line.content(),
                packet.content(),
                "{} index {index}",
                bin.display()
            );
            // Replayed timestamps are sample index / nominal rate.
            if !recorded {
                assert_eq!(
                    line.timestamp_us,
                    offset_us(*index, first),
                    "{} index {index}",
                    bin.display()
                );
            }
        }
        // Every loss the decoder counted is a '#' line at the same sample.
        let lost = |prefix: &str, text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.starts_with(prefix))
                .map(|l| {
                    let words: Vec<&str> = l.split([' ', '=']).collect();
                    words
                        .iter()
                        .filter(|w| w.parse::<u64>().is_ok())
                        .take(2)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect()
        };
        assert_eq!(
            lost("# lost ", &text),
            lost("lost count=", &transcript),
            "{}",
            bin.display()
        );
    }
}

#[test]
fn goldens_exist_for_every_fixture() {
    if updating() {
        return;
    }
    for bin in captures() {
        for ext in ["reader.txt", "reader.jsonl"] {
            let golden = bin.with_extension(ext);
            assert!(
                golden.is_file(),
                "{} missing: run UPDATE_GOLDEN=1 cargo test -p eegreader --test golden",
                golden.display()
            );
        }
    }
}
