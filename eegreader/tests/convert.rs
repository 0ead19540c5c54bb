//! `eegreader convert`: each fixture converted offline equals what `--replay` prints or records
//! (the same sinks), timestamps from `--start` or the capture's modification time, and every
//! refusal and failure with its message and exit status.

mod common;
#[path = "common/json.rs"]
mod json;
#[path = "common/normalise.rs"]
mod normalise;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, UNIX_EPOCH};

use common::{captures, data_lines, fixture, output, reader, summary};
use normalise::{normalise_json, normalise_text};

/// With this start, timestamps are offsets from the first sample, as in the goldens.
const EPOCH: &str = "1970-01-01T00:00:00Z";

fn convert(input: &Path, out: &Path, args: &[&str]) -> Output {
    output(reader().arg("convert").arg(input).arg(out).args(args))
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Converts and checks success; returns stderr.
fn convert_ok(input: &Path, out: &Path, args: &[&str]) -> String {
    let result = convert(input, out, args);
    let stderr = stderr_of(&result);
    common::assert_no_panic(&stderr);
    assert!(
        result.status.success(),
        "{} -> {}: {stderr}",
        input.display(),
        out.display()
    );
    stderr
}

/// Checks a failed conversion: status 1, the message, no panic; returns stderr.
fn convert_fails(input: &Path, out: &Path, args: &[&str], message: &str) -> String {
    let result = convert(input, out, args);
    let stderr = stderr_of(&result);
    common::assert_no_panic(&stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(message),
        "expected {message:?} in:\n{stderr}"
    );
    stderr
}

#[test]
fn text_and_json_conversions_equal_the_replay_goldens() {
    let dir = tempfile::tempdir().unwrap();
    for bin in captures() {
        for (name, golden) in [("out.txt", "reader.txt"), ("out.jsonl", "reader.jsonl")] {
            let out = dir.path().join(name);
            convert_ok(&bin, &out, &["--start", EPOCH, "--force"]);
            let expected = std::fs::read_to_string(bin.with_extension(golden)).unwrap();
            // A capture recorded live starts at its first read, not at `--start`.
            let written = std::fs::read_to_string(&out).unwrap();
            let got = match name {
                "out.txt" => normalise_text(&written),
                _ => normalise_json(&written),
            };
            assert!(
                got == expected,
                "{} as {name} differs from {golden}",
                bin.display()
            );
        }
    }
}

/// A CSV recording's rows with timestamps made relative to the first packet's, and its footer;
/// the header (source, start time) left out.
fn csv_rows(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.ends_with('\n'), "{}: unfinished", path.display());
    let origin: i64 = text
        .lines()
        .find(|l| l.starts_with("packet,"))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .expect("a packet row");
    text.lines()
        .filter(|l| !l.starts_with("# ") || l.starts_with("# packets=") || l.starts_with("# lost="))
        .map(|l| {
            let mut fields: Vec<String> = l.split(',').map(str::to_owned).collect();
            // The column header row has a name there, event rows may have nothing.
            if let Some(t) = fields.get_mut(2)
                && let Ok(us) = t.parse::<i64>()
            {
                *t = (us - origin).to_string();
            }
            fields.join(",")
        })
        .collect()
}

#[test]
fn csv_conversions_equal_replay_recordings_with_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    for bin in captures() {
        let converted = dir.path().join("converted.csv");
        let recorded = dir.path().join("recorded.csv");
        let stderr = convert_ok(&bin, &converted, &["--force"]);
        let replay = output(
            reader()
                .arg("--replay")
                .arg(&bin)
                .arg("--record-csv")
                .arg(&recorded),
        );
        assert!(replay.status.success());
        assert_eq!(
            csv_rows(&converted),
            csv_rows(&recorded),
            "{}",
            bin.display()
        );
        // The same key=value summary as acquisition, with the same counts (losses included).
        let (ours, theirs) = (summary(&stderr), summary(&stderr_of(&replay)));
        for key in [
            "packets",
            "lost",
            "resyncs",
            "skipped_bytes",
            "refused",
            "bytes",
            "protocol",
        ] {
            assert_eq!(ours[key], theirs[key], "{} {key}", bin.display());
        }
        assert!(stderr.contains(&format!("eegreader: wrote {} (", converted.display())));
    }
    // The damaged fixture loses 86 of its 700 packets.
    let stderr = convert_ok(&fixture("p2_damaged"), &dir.path().join("d.csv"), &[]);
    assert_eq!(summary(&stderr)["lost"], "86", "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("d.csv")).unwrap();
    assert!(text.contains("\n# lost=86\n"), "{text}");
}

#[test]
fn a_wav_conversion_has_a_valid_header_and_every_packet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean.WAV");
    convert_ok(&fixture("p2_clean"), &out, &["--rate", "257.14"]);
    let mut wav = hound::WavReader::open(&out).expect("a valid WAV file");
    let spec = wav.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (6, 257, 16)
    );
    let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    let golden = std::fs::read_to_string(fixture("p2_clean").with_extension("reader.txt")).unwrap();
    let packets = data_lines(&golden.lines().collect::<Vec<_>>());
    assert_eq!(samples.len(), packets.len() * 6);
    for (frame, packet) in samples.chunks(6).zip(&packets) {
        let expected: Vec<i16> = packet
            .channels
            .iter()
            .map(|&code| ((i32::from(code) - 512) * 64) as i16)
            .collect();
        assert_eq!(frame, expected.as_slice());
    }
}

#[test]
fn an_ascii_header_before_the_first_packet_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("session.arc");
    let mut bytes = b"BrainBay archive\r\nDevice: ModularEEG P2\r\nChannels: 6\r\nRate: 256\r\n\
Written by hand for this test, not by BrainBay.\r\n\r\n"
        .to_vec();
    let header_len = bytes.len() as u64;
    bytes.extend(std::fs::read(fixture("p2_clean")).unwrap());
    std::fs::write(&archive, &bytes).unwrap();
    let out = dir.path().join("session.txt");
    let stderr = convert_ok(&archive, &out, &["--start", EPOCH]);
    let fields = summary(&stderr);
    assert_eq!(fields["packets"], "400", "{stderr}");
    assert_eq!(fields["lost"], "0", "{stderr}");
    assert!(fields["skipped_bytes"].parse::<u64>().unwrap() >= header_len);
    let data = |text: &str| data_lines(&text.lines().collect::<Vec<_>>());
    let golden = std::fs::read_to_string(fixture("p2_clean").with_extension("reader.txt")).unwrap();
    assert_eq!(data(&std::fs::read_to_string(&out).unwrap()), data(&golden));
}

#[test]
fn without_start_the_capture_ends_at_its_modification_time() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("capture.bin");
    std::fs::copy(fixture("p2_clean"), &capture).unwrap();
    let end = UNIX_EPOCH + Duration::from_secs(1_714_557_600); // 2024-05-01T10:00:00Z
    std::fs::File::options()
        .write(true)
        .open(&capture)
        .unwrap()
        .set_modified(end)
        .unwrap();
    let out = dir.path().join("capture.txt");
    let stderr = convert_ok(&capture, &out, &[]);
    assert!(
        stderr.contains("a raw capture holds no times: the first sample is placed at 2024-05-01T09:59:58.437500Z"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines = data_lines(&text.lines().collect::<Vec<_>>());
    // 400 samples at 256 Hz: 1.5625 s before the end.
    assert_eq!(lines[0].timestamp_us, 1_714_557_600_000_000 - 1_562_500);
    // --start places the first sample exactly.
    convert_ok(
        &capture,
        &out,
        &["--force", "--start", "2024-05-01T12:00:00+02:00"],
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines = data_lines(&text.lines().collect::<Vec<_>>());
    assert_eq!(lines[0].timestamp_us, 1_714_557_600_000_000);
}

#[test]
fn a_dash_writes_to_standard_output() {
    let text = output(
        reader()
            .args(["convert", "--to", "text", "--start", EPOCH])
            .arg(fixture("p3_damaged"))
            .arg("-"),
    );
    assert!(text.status.success(), "{}", stderr_of(&text));
    let golden =
        std::fs::read_to_string(fixture("p3_damaged").with_extension("reader.txt")).unwrap();
    assert!(String::from_utf8(text.stdout).unwrap() == golden);

    let csv = output(
        reader()
            .args(["convert", "--to", "csv"])
            .arg(fixture("p3_clean"))
            .arg("-"),
    );
    assert!(csv.status.success(), "{}", stderr_of(&csv));
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("packet,")).count(),
        500
    );
    assert!(csv.contains("\n# packets=500\n"), "{csv}");
}

#[test]
fn refusals_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let clean = fixture("p2_clean");
    let missing = dir.path().join("missing.bin");
    let out = dir.path().join("out.csv");

    convert_fails(&missing, &out, &[], "cannot open capture ");
    convert_fails(dir.path(), &out, &[], "is a directory, not a capture");
    assert!(!out.exists());

    let e = convert_fails(
        &clean,
        &dir.path().join("no/such/dir/out.csv"),
        &[],
        "cannot create CSV file ",
    );
    assert!(e.contains("does not exist: create it"), "{e}");

    let e = convert_fails(
        &clean,
        &dir.path().join("out.xyz"),
        &[],
        "cannot tell the output format of ",
    );
    assert!(e.contains(".csv, .wav, .json, .jsonl, .txt, .edf"), "{e}");
    assert!(e.contains("--to csv|wav|json|text|edf"), "{e}");
    convert_fails(&clean, Path::new("-"), &[], "give --to ");
    convert_fails(
        &clean,
        Path::new("-"),
        &["--to", "wav"],
        "WAV output cannot go to standard output",
    );

    // The input as output is refused even with --force, through another name too.
    let capture = dir.path().join("capture.bin");
    std::fs::copy(&clean, &capture).unwrap();
    for args in [&[][..], &["--force", "--to", "csv"]] {
        convert_fails(
            &capture,
            &capture,
            args,
            "is the input: converting into it would destroy the capture",
        );
    }
    let alias = dir.path().join(".").join("capture.bin");
    convert_fails(
        &capture,
        &alias,
        &["--force", "--to", "csv"],
        "is the input",
    );
    assert_eq!(
        std::fs::read(&capture).unwrap(),
        std::fs::read(&clean).unwrap()
    );

    // An existing output is kept unless --force.
    std::fs::write(&out, "precious").unwrap();
    let e = convert_fails(&clean, &out, &[], "exists: converting would replace it");
    assert!(e.contains("--force"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    convert_ok(&clean, &out, &["--force"]);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("\n# packets=400\n")
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_capture_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("locked.bin");
    std::fs::copy(fixture("p2_clean"), &capture).unwrap();
    std::fs::set_permissions(&capture, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: nothing to check then.
    if std::fs::File::open(&capture).is_ok() {
        return;
    }
    let e = convert_fails(
        &capture,
        &dir.path().join("out.csv"),
        &[],
        "cannot open capture ",
    );
    assert!(e.contains("ermission denied"), "{e}");
}

#[test]
fn an_input_without_packets_is_an_error_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.bin");
    std::fs::write(&text, "not a capture, only words\n".repeat(100)).unwrap();
    for name in ["out.csv", "out.wav", "out.txt"] {
        let out = dir.path().join(name);
        let e = convert_fails(&text, &out, &[], "no packets in ");
        assert!(
            e.contains("none of its 2600 bytes framed as P2 or P3"),
            "{e}"
        );
        assert!(
            e.contains(&format!("{} was not kept", out.display())),
            "{e}"
        );
        assert_eq!(summary(&e)["packets"], "0");
        assert!(!out.exists(), "{name} left behind");
    }
}

#[test]
fn a_failing_output_says_what_it_holds() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    // /dev/full takes the open and refuses the first block of lines.
    let e = convert_fails(
        &fixture("p2_damaged"),
        Path::new("/dev/full"),
        &["--to", "text", "--force"],
        "No space left on device",
    );
    assert!(
        e.contains("/dev/full is incomplete: it holds 0 bytes, written before the error stopped the conversion at byte 11669 of 11669"),
        "{e}"
    );
    assert!(e.contains("the disk is full"), "{e}");
}

#[test]
fn the_flag_interface_and_the_subcommand_do_not_mix() {
    let out = output(reader().args(["--json", "convert", "a.bin", "b.csv"]));
    assert!(!out.status.success());
    common::assert_no_panic(&stderr_of(&out));
}
