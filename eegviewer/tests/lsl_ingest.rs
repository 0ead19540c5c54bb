//! The viewer's LSL ingest, without a window: a pylsl outlet publishes a known 8-channel signal
//! and the ingest yields Batches with its first 6 channels as codes, at its times.
//!
//! Needs Python with pylsl (`EEG_PYTHON`) and liblsl (`LSL_LIB`); `.ci/run` sets both up.
//! Without them the test says so and passes. It runs itself again with `LSLAPICFG` naming a
//! loopback-only config, unless `LSLAPICFG` is already set.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use eegviewer::ingest::lsl::{LslInput, spawn_lsl_ingest};
use eegviewer::ingest::reader::channel;

const SAMPLES: usize = 512;

#[test]
fn an_lsl_stream_becomes_batches_of_its_samples() {
    let (Some(python), true) = (
        std::env::var_os("EEG_PYTHON"),
        std::env::var_os("LSL_LIB").is_some(),
    ) else {
        eprintln!(
            "skipped: set EEG_PYTHON (a Python with pylsl) and LSL_LIB (liblsl's path) to run the LSL test"
        );
        return;
    };
    // liblsl reads LSLAPICFG when it is loaded, and setting a variable in this process would
    // need unsafe code: the test runs itself again, as a child with its loopback config.
    let Some(config) = std::env::var_os("LSLAPICFG") else {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("lsl_api.cfg");
        // Loopback only, with a session id of our own: no other LSL program sees us.
        std::fs::write(
            &config,
            format!(
                "[ports]\nIPv6 = disable\n[multicast]\nResolveScope = machine\n\
                 [lab]\nKnownPeers = {{127.0.0.1}}\nSessionID = eegviewer-test-{}\n",
                std::process::id()
            ),
        )
        .unwrap();
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                "an_lsl_stream_becomes_batches_of_its_samples",
                "--exact",
                "--nocapture",
            ])
            .env("LSLAPICFG", &config)
            .status()
            .unwrap();
        assert!(status.success());
        return;
    };

    let name = format!("eegviewer-test-{}", std::process::id());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsl/outlet.py");
    let mut outlet = Command::new(python)
        .arg(script)
        .args([&name, &SAMPLES.to_string()])
        .env("LSLAPICFG", &config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("EEG_PYTHON runs");
    let mut lines = BufReader::new(outlet.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");

    let input = LslInput::open(&name, 10.0).unwrap();
    assert!(
        input.describe().contains("8 channels") && input.describe().contains("first 6"),
        "{}",
        input.describe()
    );
    // Not one of eegreader's streams: no declared scale, the viewer's applies.
    assert_eq!(input.declared_uv_per_lsb(), None);
    let (sender, receiver) = channel();
    spawn_lsl_ingest(input, 0.5, sender, || {}).unwrap();
    let mut samples = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while samples.len() < SAMPLES {
        let left = deadline.saturating_duration_since(Instant::now());
        let batch = receiver.recv_timeout(left).expect("samples arrive");
        assert!(!batch.ends_stream(), "{:?}", batch.markers);
        samples.extend(batch.samples);
    }
    assert_eq!(samples.len(), SAMPLES);

    let mut value = |prefix: &str| -> f64 {
        let line = lines.next().unwrap().unwrap();
        line.strip_prefix(prefix).unwrap().parse().unwrap()
    };
    let t0 = value("t0 ");
    let offset = value("offset ");
    // Closing its standard input ends the outlet.
    drop(outlet.stdin.take());
    let mut worst_us: f64 = 0.0;
    for (i, sample) in samples.iter().enumerate() {
        let expected: [u16; 6] = std::array::from_fn(|c| ((7 * i + 100 * c) % 1024) as u16);
        assert_eq!(sample.values, expected, "sample {i}");
        assert_eq!(sample.sample_index, Some(i as u64));
        let wall_us = (t0 + i as f64 / 256.0 + offset) * 1e6;
        worst_us = worst_us.max((sample.timestamp_us as f64 - wall_us).abs());
    }
    eprintln!("LSL ingest timestamps vs the outlet's: worst {worst_us:.1} us");
    assert!(
        worst_us < 1000.0,
        "worst timestamp difference {worst_us} us"
    );
    assert!(outlet.wait().unwrap().success());
}
