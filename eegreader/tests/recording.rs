//! Recordings through the endings a session really has: the viewer closed (broken pipe),
//! SIGTERM, and `kill -9`; every file is read back with the csv and hound readers, and the raw
//! capture is replayed, and compared with what standard output showed.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;

use common::{DataLine, Running, data_lines, output, reader, summary_u64};
use libeeg::{Decoder, DecoderConfig, Event, ProtocolChoice};

/// The CSV recording's header row.
const COLUMNS: &str = "kind,sample_index,timestamp_us,counter,ch1,ch2,ch3,ch4,ch5,ch6,\
                       ch1_uv,ch2_uv,ch3_uv,ch4_uv,ch5_uv,ch6_uv,switches,lost,detail";

/// One CSV row of kind `packet`.
#[derive(Debug, Clone, PartialEq)]
struct CsvPacket {
    sample_index: u64,
    timestamp_us: i64,
    counter: u8,
    channels: [u16; 6],
    microvolts: [f64; 6],
    switches: u8,
}

impl CsvPacket {
    /// What a data line on stdout shows of it.
    fn line(&self) -> DataLine {
        DataLine {
            timestamp_us: self.timestamp_us,
            version: 2,
            frame: self.counter,
            channels: self.channels,
            switches: self.switches,
        }
    }
}

/// A CSV recording read back the way a user would: comment lines skipped, the header checked,
/// every row complete (the csv reader refuses rows with a different field count).
struct CsvRecording {
    packets: Vec<CsvPacket>,
    /// (sample_index, lost) of each gap row.
    gaps: Vec<(u64, u64)>,
    kinds: Vec<String>,
    text: String,
}

fn read_csv(path: &Path) -> CsvRecording {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(header, COLUMNS);
    let (mut packets, mut gaps, mut kinds) = (Vec::new(), Vec::new(), Vec::new());
    for row in reader.records() {
        let row = row.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let int = |i: usize| -> i64 {
            row[i]
                .parse()
                .unwrap_or_else(|_| panic!("column {i} of {row:?}"))
        };
        kinds.push(row[0].to_owned());
        match &row[0] {
            "packet" => packets.push(CsvPacket {
                sample_index: int(1) as u64,
                timestamp_us: int(2),
                counter: int(3) as u8,
                channels: std::array::from_fn(|c| int(4 + c) as u16),
                microvolts: std::array::from_fn(|c| row[10 + c].parse().unwrap()),
                switches: int(16) as u8,
            }),
            "gap" => gaps.push((int(1) as u64, int(17) as u64)),
            _ => {}
        }
    }
    CsvRecording {
        packets,
        gaps,
        kinds,
        text,
    }
}

/// The packets libeeg decodes from a raw capture: (sample_index, counter, samples, switches).
fn decode_raw(path: &Path) -> Vec<(u64, u8, [u16; 6], u8)> {
    let bytes = std::fs::read(path).unwrap();
    let mut decoder = Decoder::new(DecoderConfig::with_protocol(ProtocolChoice::Auto));
    let mut packets = Vec::new();
    decoder.push(&bytes);
    decoder.finish();
    while let Some(event) = decoder.poll() {
        if let Event::Packet(p) = event {
            packets.push((p.sample_index, p.counter, p.samples, p.switches));
        }
    }
    packets
}

/// `eegreader --replay FILE`: its data lines, and its stderr.
fn replay(path: &Path) -> (Vec<DataLine>, String) {
    let out = output(reader().arg("--replay").arg(path));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "replay of {}: {}\n{stderr}",
        path.display(),
        out.status
    );
    common::assert_no_panic(&stderr);
    let stdout = String::from_utf8(out.stdout).unwrap();
    (data_lines(&stdout.lines().collect::<Vec<_>>()), stderr)
}

fn contents(lines: &[DataLine]) -> Vec<(u8, u8, [u16; 6], u8)> {
    lines.iter().map(DataLine::content).collect()
}

/// A WAV recording: its spec, the frames the header claims, and the file's data bytes.
struct Wav {
    spec: hound::WavSpec,
    frames: Vec<[i16; 6]>,
    /// Bytes after the 68-byte header (hound writes WAVE_FORMAT_EXTENSIBLE for six channels).
    data_bytes_in_file: u64,
}

fn read_wav(path: &Path) -> Wav {
    let mut wav =
        hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = wav.spec();
    let claimed = wav.len() as usize;
    let samples: Vec<i16> = wav
        .samples::<i16>()
        .map(|s| s.expect("every sample the header claims is there"))
        .collect();
    assert_eq!(samples.len(), claimed);
    assert_eq!(samples.len() % 6, 0, "partial frame");
    let frames = samples
        .chunks(6)
        .map(|f| std::array::from_fn(|c| f[c]))
        .collect();
    let data_bytes_in_file = std::fs::metadata(path).unwrap().len() - 68;
    Wav {
        spec,
        frames,
        data_bytes_in_file,
    }
}

/// A 10-bit code as the WAV recording stores it.
fn wav_sample(code: u16) -> i16 {
    ((i32::from(code) - 512) * 64) as i16
}

#[test]
fn a_closed_pipe_without_recordings_ends_the_session_quietly() {
    let mut command = reader();
    command.arg("--simulate");
    let (mut run, stdout) = Running::start_raw_stdout(command);
    let mut stdout = BufReader::new(stdout);
    for _ in 0..5 {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "stderr:\n{}",
            run.stderr.text()
        );
    }
    // The viewer is closed.
    drop(stdout);
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    common::assert_no_panic(&stderr);
    assert!(summary_u64(&stderr, "packets") >= 4, "{stderr}");
    // Nothing to say about it: no error, no note (the note is for sessions that keep recording).
    assert!(
        !stderr.contains("closed") && !stderr.to_lowercase().contains("broken pipe"),
        "{stderr}"
    );
}

#[test]
fn a_replay_into_a_closed_pipe_ends_quietly() {
    // `eegreader --replay big.bin | head -1`: a block-buffered replay meets the closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let mut sim = libeeg::sim::Simulator::new(libeeg::sim::SimConfig::default());
    std::fs::write(&path, sim.packets(100_000)).unwrap();
    let mut command = reader();
    command.arg("--replay").arg(&path);
    let (mut run, stdout) = Running::start_raw_stdout(command);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert_eq!(line, "# protocol P2\n");
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    common::assert_no_panic(&stderr);
    assert!(
        summary_u64(&stderr, "packets") < 100_000,
        "it stopped early: {stderr}"
    );
    assert!(
        !stderr.contains("closed") && !stderr.to_lowercase().contains("broken pipe"),
        "{stderr}"
    );
}

#[test]
fn a_closed_pipe_while_recording_keeps_recording() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, raw_path) = (dir.path().join("s.csv"), dir.path().join("s.bin"));
    let mut command = reader();
    command
        .arg("--simulate")
        .arg("--record-csv")
        .arg(&csv_path)
        .arg("--record-raw")
        .arg(&raw_path);
    let (mut run, stdout) = Running::start_raw_stdout(command);
    let mut stdout = BufReader::new(stdout);
    let mut shown = Vec::new();
    while shown.len() < 20 {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "stderr:\n{}",
            run.stderr.text()
        );
        if !line.starts_with('#') {
            shown.push(DataLine::parse(line.trim_end()));
        }
    }
    drop(stdout);
    assert!(
        run.stderr.wait_for_text("standard output was closed"),
        "stderr:\n{}",
        run.stderr.text()
    );

    // Wait until the recording holds a second of packets sampled after the pipe closed.
    let closed_at_us = shown.last().unwrap().timestamp_us;
    let deadline = std::time::Instant::now() + common::PATIENCE;
    loop {
        let csv = std::fs::read_to_string(&csv_path).unwrap();
        let newest = csv
            .lines()
            .rev()
            .filter(|l| l.starts_with("packet,"))
            .find_map(|l| l.split(',').nth(2)?.parse::<i64>().ok());
        if newest.is_some_and(|t| t > closed_at_us + 1_000_000) {
            break;
        }
        assert!(
            run.running(),
            "the reader stopped after stdout closed:\n{}",
            run.stderr.text()
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the recording stopped growing:\n{csv}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    run.signal("TERM");
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    common::assert_no_panic(&stderr);
    assert_eq!(
        run.stderr.count("standard output was closed"),
        1,
        "said more than once:\n{stderr}"
    );

    let csv = read_csv(&csv_path);
    let packets = summary_u64(&stderr, "packets") as usize;
    assert_eq!(csv.packets.len(), packets);
    assert!(
        csv.packets.len() > shown.len() + 256,
        "{} rows, {} shown",
        csv.packets.len(),
        shown.len()
    );
    // What stdout showed before it closed is the start of the recording.
    let recorded: Vec<DataLine> = csv.packets.iter().map(CsvPacket::line).collect();
    assert_eq!(recorded[..shown.len()], shown[..]);
    assert!(csv.packets.last().unwrap().timestamp_us > closed_at_us + 1_000_000);
    assert!(
        csv.text
            .lines()
            .last()
            .unwrap()
            .starts_with("# estimated_rate_hz="),
        "not finalised"
    );

    // The raw capture decodes to exactly the recorded packets.
    let raw: Vec<_> = decode_raw(&raw_path);
    let from_csv: Vec<_> = csv
        .packets
        .iter()
        .map(|p| (p.sample_index, p.counter, p.channels, p.switches))
        .collect();
    assert_eq!(raw, from_csv);
}

#[test]
fn sigterm_finalises_every_recording() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, wav_path, raw_path) = (
        dir.path().join("s.csv"),
        dir.path().join("s.wav"),
        dir.path().join("s.bin"),
    );
    let mut command = reader();
    command
        .args(["--simulate", "--seed", "5"])
        .arg("--record-csv")
        .arg(&csv_path)
        .arg("--record-wav")
        .arg(&wav_path)
        .arg("--record-raw")
        .arg(&raw_path);
    let mut run = Running::start(command);
    // About two seconds of signal.
    assert!(
        run.stdout().wait_for_data_lines(512),
        "stderr:\n{}",
        run.stderr.text()
    );
    run.signal("TERM");
    let status = run.wait();
    let stderr = run.stderr.text();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    common::assert_no_panic(&stderr);
    let shown = data_lines(&run.stdout().lines());
    let packets = summary_u64(&stderr, "packets") as usize;
    assert_eq!(shown.len(), packets, "{stderr}");
    assert!(
        run.stdout()
            .lines()
            .last()
            .unwrap()
            .starts_with("# end: estimated rate ")
    );

    // CSV: one row per packet, as stdout showed them, in order, finalised.
    let csv = read_csv(&csv_path);
    assert_eq!(csv.kinds.first().map(String::as_str), Some("protocol"));
    assert_eq!(
        csv.packets.iter().map(CsvPacket::line).collect::<Vec<_>>(),
        shown
    );
    assert!(
        csv.packets
            .windows(2)
            .all(|w| w[0].sample_index < w[1].sample_index),
        "sample_index must increase"
    );
    for p in &csv.packets {
        for (code, uv) in p.channels.iter().zip(p.microvolts) {
            assert_eq!(uv, (f64::from(*code) - 512.0) * 0.5, "{p:?}");
        }
    }
    assert!(csv.text.starts_with("# OpenEEG recording by eegreader"));
    let last = csv.text.lines().last().unwrap();
    let rate: f64 = last
        .strip_prefix("# estimated_rate_hz=")
        .expect("rate on the last line")
        .parse()
        .unwrap();
    assert!(rate > 200.0 && rate < 300.0, "{last}");
    assert!(csv.text.contains(&format!("\n# packets={packets}\n")));

    // WAV: six 16-bit channels at 256 Hz, one frame per packet (silence for gaps), same codes.
    let wav = read_wav(&wav_path);
    assert_eq!(wav.spec.channels, 6);
    assert_eq!(wav.spec.bits_per_sample, 16);
    assert_eq!(wav.spec.sample_format, hound::SampleFormat::Int);
    assert_eq!(wav.spec.sample_rate, 256);
    assert_eq!(
        wav.data_bytes_in_file,
        wav.frames.len() as u64 * 12,
        "header and data disagree"
    );
    let mut expected = Vec::new();
    let mut gaps = csv.gaps.iter().peekable();
    for p in &csv.packets {
        while let Some(&&(at, lost)) = gaps.peek() {
            if at > p.sample_index {
                break;
            }
            expected.extend(std::iter::repeat_n([0i16; 6], lost as usize));
            gaps.next();
        }
        expected.push(p.channels.map(wav_sample));
    }
    assert_eq!(wav.frames.len(), expected.len());
    assert!(
        wav.frames == expected,
        "WAV samples differ from (code - 512) * 64 of the CSV codes"
    );

    // Raw: replays into the same packets.
    let (replayed, replay_stderr) = replay(&raw_path);
    assert_eq!(contents(&replayed), contents(&shown), "{replay_stderr}");
    assert_eq!(summary_u64(&replay_stderr, "packets") as usize, packets);
}

#[test]
fn after_kill_9_every_recording_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, wav_path, raw_path) = (
        dir.path().join("s.csv"),
        dir.path().join("s.wav"),
        dir.path().join("s.bin"),
    );
    let mut command = reader();
    command
        .args(["--simulate", "--seed", "9"])
        .arg("--record-csv")
        .arg(&csv_path)
        .arg("--record-wav")
        .arg(&wav_path)
        .arg("--record-raw")
        .arg(&raw_path);
    let mut run = Running::start(command);
    // 2.5 s of signal: the recordings were flushed at least twice (once a second).
    assert!(
        run.stdout().wait_for_data_lines(640),
        "stderr:\n{}",
        run.stderr.text()
    );
    run.signal("KILL");
    let status = run.wait();
    assert!(!status.success());
    let shown = data_lines(&run.stdout().lines());
    // At most the last second is lost; allow one more for a machine too busy to keep time.
    let least = shown.len() - 2 * 256;

    // WAV: the header is valid and claims no more than the file holds, and what it claims is
    // the start of the session.
    let wav = read_wav(&wav_path);
    assert_eq!(
        (
            wav.spec.channels,
            wav.spec.bits_per_sample,
            wav.spec.sample_rate
        ),
        (6, 16, 256)
    );
    assert!(
        wav.frames.len() >= least,
        "WAV has {} frames of {} packets",
        wav.frames.len(),
        shown.len()
    );
    assert!(wav.data_bytes_in_file >= wav.frames.len() as u64 * 12);
    let expected: Vec<[i16; 6]> = shown
        .iter()
        .take(wav.frames.len())
        .map(|l| l.channels.map(wav_sample))
        .collect();
    assert!(
        wav.frames == expected,
        "WAV samples are not the session's first packets"
    );

    // CSV: parses to the end (the last row is complete) and is the start of the session.
    let csv = read_csv(&csv_path);
    assert!(
        csv.packets.len() >= least,
        "CSV has {} rows of {} packets",
        csv.packets.len(),
        shown.len()
    );
    let recorded: Vec<DataLine> = csv.packets.iter().map(CsvPacket::line).collect();
    assert_eq!(recorded[..], shown[..recorded.len()]);
    assert!(csv.text.ends_with('\n'));
    assert!(
        !csv.text.contains("# estimated_rate_hz="),
        "a killed session cannot have finalised"
    );

    // Raw: replays into the start of the session.
    let (replayed, _) = replay(&raw_path);
    assert!(
        replayed.len() >= least,
        "raw replays {} of {} packets",
        replayed.len(),
        shown.len()
    );
    assert_eq!(contents(&replayed), contents(&shown[..replayed.len()]));
    eprintln!(
        "kill -9 after {} packets on stdout: WAV kept {}, CSV {}, raw {}",
        shown.len(),
        wav.frames.len(),
        csv.packets.len(),
        replayed.len()
    );
}
