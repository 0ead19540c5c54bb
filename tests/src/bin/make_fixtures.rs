//! Regenerates the golden fixtures: for each capture, `fixtures/<name>.bin` (the bytes) and
//! `fixtures/<name>.expected` (its transcript, decoded whole with automatic protocol detection).
//!
//! `cargo run -p workspace-tests --bin make_fixtures [DIR]`
//!
//! Everything comes from the simulator and the fault injector with fixed seeds, so the `.bin`
//! files come out the same on every run; only a change in libeeg's simulator, encoder or
//! injector changes them. A change in the decoder changes only the `.expected` files. Review
//! the diff before keeping it.
//!
//! Each fixture also states what its transcript should show (losses, resyncs, a stall...). The
//! goldens are written regardless, but a claim that no longer holds is reported and the exit
//! status is 1: the fixture has stopped testing what its name says.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::time::Duration;

use libeeg::arrivals::{self, Entry, Header, Writer};
use libeeg::encode::{Encoder, encode_p2};
use libeeg::sim::{Damaged, FaultConfig, Frame, SimConfig, Simulator};
use libeeg::{DecoderConfig, Event, Protocol, Stats};
use workspace_tests::transcript::render;
use workspace_tests::{decode, decode_recorded};

/// One capture and what its transcript must show.
struct Fixture {
    name: &'static str,
    bytes: Vec<u8>,
    /// For a capture recorded live: its arrivals file's entries, written beside it.
    arrivals: Option<Vec<Entry>>,
    claims: Vec<Claim>,
    /// What the fault injector did, for the report.
    injected: Option<String>,
}

/// Something a fixture's decoded run must show, with a description for the report.
struct Claim {
    what: &'static str,
    holds: fn(&[Event], &Stats) -> bool,
}

fn claim(what: &'static str, holds: fn(&[Event], &Stats) -> bool) -> Claim {
    Claim { what, holds }
}

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"));
    match run(&dir) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("make_fixtures: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}

/// Writes every fixture into `dir`; `Ok(false)` when some fixture no longer shows its story.
fn run(dir: &Path) -> std::io::Result<bool> {
    std::fs::create_dir_all(dir)?;
    let mut broken = Vec::new();
    let fixtures = fixtures();
    for fixture in &fixtures {
        let config = DecoderConfig::default();
        let (events, stats) = match &fixture.arrivals {
            Some(entries) => decode_recorded(&config, &fixture.bytes, entries),
            None => decode(&config, &fixture.bytes, fixture.bytes.len()),
        };
        let expected = render(&events, &stats);
        let capture = dir.join(format!("{}.bin", fixture.name));
        std::fs::write(&capture, &fixture.bytes)?;
        if let Some(entries) = &fixture.arrivals {
            let mut file = Vec::new();
            let mut writer = Writer::start(
                &Header::new(FIXTURE_WALL_START_US, "make_fixtures"),
                &mut file,
            );
            for entry in entries {
                writer.push(entry, &mut file);
            }
            std::fs::write(arrivals::path_of(&capture), file)?;
        }
        std::fs::write(dir.join(format!("{}.expected", fixture.name)), &expected)?;
        println!(
            "{:<30} {:>6} bytes  {:>4} packets  lost {:>3}  resyncs {:>2}  refused {:>2}",
            fixture.name,
            fixture.bytes.len(),
            stats.packets,
            stats.lost,
            stats.resyncs,
            stats.refused_packets
        );
        if let Some(injected) = &fixture.injected {
            println!("{:<30} injected: {injected}", "");
        }
        for c in fixture
            .claims
            .iter()
            .filter(|c| !(c.holds)(&events, &stats))
        {
            broken.push(format!("{}: {}", fixture.name, c.what));
        }
    }
    for claim in &broken {
        eprintln!("warning: a fixture no longer shows what it is for: {claim}");
    }
    // A renamed or retired fixture leaves its old files behind, and the golden test would keep
    // checking them: say so rather than delete anything.
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let is_fixture_file = path
            .extension()
            .is_some_and(|ext| ext == "bin" || ext == "expected" || ext == "arrivals");
        // `<name>.bin.arrivals` has the stem `<name>.bin`.
        let name = stem.strip_suffix(".bin").unwrap_or(stem);
        if is_fixture_file && !fixtures.iter().any(|f| f.name == name) {
            eprintln!(
                "warning: {} is not made by make_fixtures; delete it if it is stale",
                path.display()
            );
        }
    }
    Ok(broken.is_empty())
}

fn fixtures() -> Vec<Fixture> {
    vec![
        p2_clean(),
        p3_clean(),
        p2_damaged(),
        p3_damaged(),
        p2_text_header_mid_packet(),
        p2_startup_constant_counter(),
        p2_tty_mangled(),
        p2_counter_wrap_and_switches(),
        p3_device_id(),
        p2_restart_boot_noise(),
        p2_reset_signal_after_resync(),
        p2_restart_without_signal(),
    ]
}

fn simulator(seed: u64, protocol: Protocol, first_counter: u8) -> Simulator {
    Simulator::new(SimConfig {
        seed,
        protocol,
        first_counter,
        ..SimConfig::default()
    })
}

/// Claims every clean stream makes: nothing skipped, lost or left over.
fn clean_claims() -> Vec<Claim> {
    vec![
        claim("nothing lost, skipped or refused", |_, s| {
            s.lost == 0 && s.skipped_bytes == 0 && s.refused_packets == 0 && s.resyncs == 0
        }),
        claim("every byte is in a packet", |e, s| {
            s.packet_bytes == s.bytes_in
                && !e.iter().any(|e| matches!(e, Event::TrailingBytes { .. }))
        }),
    ]
}

/// 400 P2 packets straight from the simulator, counter starting at 1.
fn p2_clean() -> Fixture {
    let bytes = simulator(101, Protocol::P2, 1).packets(400);
    Fixture {
        arrivals: None,
        name: "p2_clean",
        bytes,
        claims: clean_claims(),
        injected: None,
    }
}

/// 500 six-channel P3 packets straight from the simulator.
fn p3_clean() -> Fixture {
    let bytes = simulator(102, Protocol::P3, 0).packets(500);
    Fixture {
        arrivals: None,
        name: "p3_clean",
        bytes,
        claims: clean_claims(),
        injected: None,
    }
}

/// FaultConfig::demo() with every rate about doubled, plus header drops for P2.
fn heavy_faults(protocol: Protocol) -> FaultConfig {
    let demo = FaultConfig::demo();
    FaultConfig {
        drop_byte: 2.0 * demo.drop_byte,
        insert_junk: 2.0 * demo.insert_junk,
        drop_burst: 2.0 * demo.drop_burst,
        remove_packet: 2.0 * demo.remove_packet,
        drop_header_bytes: if protocol == Protocol::P2 { 0.005 } else { 0.0 },
        ..FaultConfig::default()
    }
}

fn damaged_claims() -> Vec<Claim> {
    vec![
        claim("packets lost", |e, s| {
            s.lost > 0 && e.iter().any(|e| matches!(e, Event::PacketsLost { .. }))
        }),
        claim("sync lost and regained", |e, s| {
            s.resyncs > 0 && e.iter().any(|e| matches!(e, Event::SyncLost { .. }))
        }),
        claim("bytes skipped", |_, s| s.skipped_bytes > 0),
        claim("a well-formed packet refused", |_, s| s.refused_packets > 0),
    ]
}

/// 700 P2 packets through the heavy fault mix.
fn p2_damaged() -> Fixture {
    let mut sim = simulator(103, Protocol::P2, 0);
    let damaged = Damaged::from_simulator(&mut sim, 700, &heavy_faults(Protocol::P2), 3);
    let injected = Some(damaged.counts.to_string());
    Fixture {
        arrivals: None,
        name: "p2_damaged",
        bytes: damaged.bytes,
        claims: damaged_claims(),
        injected,
    }
}

/// 800 P3 packets through the heavy fault mix. (Injector seed 9: with this mix most seeds
/// give a refused packet; seed 4, for one, gives none.)
fn p3_damaged() -> Fixture {
    let mut sim = simulator(104, Protocol::P3, 0);
    let damaged = Damaged::from_simulator(&mut sim, 800, &heavy_faults(Protocol::P3), 9);
    let injected = Some(damaged.counts.to_string());
    Fixture {
        arrivals: None,
        name: "p3_damaged",
        bytes: damaged.bytes,
        claims: damaged_claims(),
        injected,
    }
}

/// Length of the ASCII header a BrainBay archive starts with.
const TEXT_HEADER_LEN: usize = 255;

/// A 255-byte ASCII header (the shape of a BrainBay archive's, not its exact text), then a P2
/// stream cut at both ends: it starts 9 bytes into a packet and stops 8 bytes into one.
fn p2_text_header_mid_packet() -> Fixture {
    let text = "OpenEEG capture archive\r\nDevice: ModularEEG (P2)\r\nChannels: 6\r\n\
                Sample rate: 256 Hz\r\nRecorded with: workspace-tests make_fixtures\r\n";
    let mut bytes = text.as_bytes().to_vec();
    bytes.resize(TEXT_HEADER_LEN, b' ');
    let stream = simulator(105, Protocol::P2, 0).packets(402);
    bytes.extend_from_slice(&stream[9..stream.len() - 9]);
    Fixture {
        arrivals: None,
        name: "p2_text_header_mid_packet",
        injected: None,
        bytes,
        claims: vec![
            claim("header and cut packet skipped before sync", |e, _| {
                matches!(e.first(), Some(Event::SyncAcquired { skipped_bytes, .. })
                    if *skipped_bytes == (TEXT_HEADER_LEN + 17 - 9) as u64)
            }),
            claim("400 packets, nothing lost", |_, s| {
                s.packets == 400 && s.lost == 0
            }),
            claim("the cut last packet is trailing", |e, _| {
                matches!(e.last(), Some(Event::TrailingBytes { count: 8 }))
            }),
        ],
    }
}

/// Firmware start-up: 40 real packets that all carry counter 0, then normal counting.
fn p2_startup_constant_counter() -> Fixture {
    let mut sim = simulator(106, Protocol::P2, 0);
    let mut bytes = Vec::new();
    for _ in 0..40 {
        let frame = sim.next_frame();
        encode_p2(0, &frame.samples, frame.switches, &mut bytes);
    }
    sim.encoder_mut().set_counter(1);
    bytes.extend(sim.packets(360));
    Fixture {
        arrivals: None,
        name: "p2_startup_constant_counter",
        injected: None,
        bytes,
        claims: vec![
            claim("the stall is reported", |e, _| {
                e.iter()
                    .any(|e| matches!(e, Event::CounterStalled { counter: 0, .. }))
            }),
            claim(
                "all 400 packets delivered, 39 repeats, nothing lost",
                |_, s| s.packets == 400 && s.repeated_counters == 39 && s.lost == 0,
            ),
        ],
    }
}

/// 500 P2 packets through a default-mode tty: 0x03, 0x11, 0x13, 0x1A, 0x1C eaten, CR -> LF.
fn p2_tty_mangled() -> Fixture {
    let mut sim = simulator(107, Protocol::P2, 0);
    let tty = FaultConfig {
        tty_mangle: true,
        ..FaultConfig::default()
    };
    let damaged = Damaged::from_simulator(&mut sim, 500, &tty, 7);
    Fixture {
        arrivals: None,
        name: "p2_tty_mangled",
        injected: Some(damaged.counts.to_string()),
        bytes: damaged.bytes,
        claims: vec![
            claim("packets lost", |_, s| s.lost > 0),
            claim("bytes skipped", |_, s| s.skipped_bytes > 0),
        ],
    }
}

/// Switch presses placed by hand: (first frame, frames held, switches byte).
const PRESSES: [(usize, usize, u8); 4] = [
    (60, 70, 0x0E),
    (250, 40, 0x0B),
    (290, 30, 0x03),
    (560, 80, 0x07),
];

/// 700 clean P2 packets from counter 200 (the counter wraps 255 -> 0 three times) from a
/// 257.14 Hz board, with switch presses placed by hand: one of them joined by a second switch.
fn p2_counter_wrap_and_switches() -> Fixture {
    let mut sim = Simulator::new(SimConfig {
        seed: 108,
        rate_hz: 257.14,
        switch_presses: false,
        ..SimConfig::default()
    });
    let mut frames: Vec<Frame> = sim.frames(700);
    for (start, len, switches) in PRESSES {
        for frame in &mut frames[start..start + len] {
            frame.switches = switches;
        }
    }
    let mut encoder = Encoder::new(Protocol::P2, 200);
    let mut bytes = Vec::new();
    for frame in &frames {
        encoder.encode(&frame.samples, frame.switches, &mut bytes);
    }
    Fixture {
        arrivals: None,
        name: "p2_counter_wrap_and_switches",
        injected: None,
        bytes,
        claims: vec![
            claim("every switch change reported", |e, _| {
                e.iter()
                    .filter(|e| matches!(e, Event::SwitchChanged { .. }))
                    .count()
                    == 7
            }),
            claim("counter wraps are not losses", |_, s| {
                s.packets == 700 && s.lost == 0
            }),
        ],
    }
}

/// 300 clean six-channel P3 packets from counter 13: the id string arrives one character per
/// 8 packets (the first, 'm', in packet 3); the NUL that ends it a second time, and so
/// proves a whole id, is in packet 139.
fn p3_device_id() -> Fixture {
    let bytes = simulator(109, Protocol::P3, 13).packets(300);
    Fixture {
        arrivals: None,
        name: "p3_device_id",
        injected: None,
        bytes,
        claims: vec![
            claim("the id is reported once", |e, _| {
                let ids: Vec<_> = e
                    .iter()
                    .filter(|e| matches!(e, Event::DeviceId(_)))
                    .collect();
                ids == [&Event::DeviceId("mEEGv1.0".into())]
            }),
            claim("nothing lost", |_, s| s.lost == 0 && s.skipped_bytes == 0),
        ],
    }
}

/// A reset signal (the Olimex shield's sketch): `n` packets with counter 0, every channel at
/// mid-scale and `switches`.
fn reset_signal(n: usize, switches: u8, out: &mut Vec<u8>) {
    for _ in 0..n {
        encode_p2(0, &[libeeg::MID_SCALE; 6], switches, out);
    }
}

/// `n` simulated frames with the Olimex shield's switches byte (0x01), encoded from `counter`.
fn shield_packets(sim: &mut Simulator, counter: u8, n: usize, out: &mut Vec<u8>) {
    let mut encoder = Encoder::new(Protocol::P2, counter);
    for mut frame in sim.frames(n) {
        frame.switches = 0x01;
        encoder.encode(&frame.samples, frame.switches, out);
    }
}

/// An Olimex shield restarting as its port opens: 200 packets from counter 40, the next cut
/// short after 9 bytes, 23 bytes of boot noise, the sketch's reset signal (125 packets: counter
/// 0, mid-scale, switches 0x02), then its first normal packet (counter 0 again) and 1..=199.
fn p2_restart_boot_noise() -> Fixture {
    let mut sim = simulator(110, Protocol::P2, 0);
    let mut bytes = Vec::new();
    shield_packets(&mut sim, 40, 200, &mut bytes);
    let mut cut = Vec::new();
    shield_packets(&mut sim, 240, 1, &mut cut);
    bytes.extend(&cut[..9]);
    bytes.extend(b"\x00\xf8\x7f\x00\xfe\r\nboot v2.1\r\n\x00\x00\xff");
    reset_signal(125, 0x02, &mut bytes);
    shield_packets(&mut sim, 0, 200, &mut bytes);
    Fixture {
        arrivals: None,
        name: "p2_restart_boot_noise",
        injected: None,
        bytes,
        claims: vec![
            claim("one restart, shown by the reset signal", |e, s| {
                s.restarts == 1
                    && e.iter().any(|e| {
                        matches!(
                            e,
                            Event::Restart {
                                sample_index: 200,
                                previous_counter: 239,
                                counter: 0,
                                evidence: libeeg::RestartEvidence::ResetSignal,
                            }
                        )
                    })
            }),
            claim("all 525 packets delivered, nothing lost", |_, s| {
                s.packets == 525 && s.lost == 0 && s.refused_packets == 0
            }),
        ],
    }
}

/// Other firmware's reset signal right after a resync: 150 packets, the next cut short after
/// 14 bytes with nothing after it, then 376 packets with counter 0 at mid-scale whose switches
/// stay as they were (real captures show runs of 376), then counting from 1.
fn p2_reset_signal_after_resync() -> Fixture {
    let mut sim = simulator(111, Protocol::P2, 200);
    let mut bytes = sim.packets(150);
    bytes.extend(&sim.packets(1)[..14]);
    reset_signal(376, 0x0F, &mut bytes);
    sim.encoder_mut().set_counter(1);
    bytes.extend(sim.packets(100));
    Fixture {
        arrivals: None,
        name: "p2_reset_signal_after_resync",
        injected: None,
        bytes,
        claims: vec![
            claim("one restart, shown by the reset signal", |_, s| {
                s.restarts == 1 && s.resyncs == 1
            }),
            claim("the whole run delivered, nothing lost", |_, s| {
                s.packets == 626 && s.lost == 0 && s.repeated_counters == 375
            }),
        ],
    }
}

/// Wall-clock origin of the fixtures recorded "live" (2023-11-14T22:13:20Z).
const FIXTURE_WALL_START_US: i64 = 1_700_000_000_000_000;

/// When a board's bytes reach the host through a USB adapter with a 16 ms latency timer: every
/// 16 ms, all packets sent since, 1 ms later. `packet_ends` holds, for each packet in order, the
/// stream offset just past it and when it was sent (seconds); returns the reads, with a read
/// timeout logged every 100 ms that passes with no read.
fn reads_every_16_ms(packet_ends: &[(usize, f64)]) -> Vec<Entry> {
    const READ: f64 = 0.016;
    const TIMEOUT: f64 = 0.1;
    let mut entries = Vec::new();
    let mut read_end = 0;
    let mut last_read = 0.0;
    let mut k = 0;
    while k < packet_ends.len() {
        let due = (packet_ends[k].1 / READ).floor() * READ + READ;
        while due - last_read > TIMEOUT + READ {
            last_read += TIMEOUT;
            entries.push(Entry::Quiet {
                at: Duration::from_secs_f64(last_read + 0.001),
            });
        }
        while k < packet_ends.len() && packet_ends[k].1 < due {
            k += 1;
        }
        let end = packet_ends[k - 1].0;
        entries.push(Entry::Read {
            len: end - read_end,
            at: Duration::from_secs_f64(due + 0.001),
        });
        read_end = end;
        last_read = due;
    }
    entries
}

/// A ModularEEG that browns out and restarts with no reset signal, recorded live (with its
/// arrivals file): 400 packets at 256 Hz from counter 100, the next cut short after 7 bytes, 11
/// bytes of boot noise sent with it, 700 ms of silence, then counting from 0 for 300 packets.
/// The counter says 13 packets passed (243 to 0); 0.7 s is 179 periods: a restart, not a loss.
/// Without its arrivals file the same bytes can only read as 12 lost packets.
fn p2_restart_without_signal() -> Fixture {
    const RATE: f64 = 256.0;
    let mut sim = simulator(112, Protocol::P2, 100);
    let mut bytes = Vec::new();
    let mut ends = Vec::new();
    for k in 0..400 {
        bytes.extend(sim.packets(1));
        ends.push((bytes.len(), k as f64 / RATE));
    }
    bytes.extend(&sim.packets(1)[..7]);
    bytes.extend(b"\xfe\x00\x1b[0m\r\n\xff\x00");
    ends.push((bytes.len(), 400.0 / RATE));
    sim.encoder_mut().set_counter(0);
    let restart_at = 400.0 / RATE + 0.7;
    for k in 0..300 {
        bytes.extend(sim.packets(1));
        ends.push((bytes.len(), restart_at + k as f64 / RATE));
    }
    Fixture {
        name: "p2_restart_without_signal",
        arrivals: Some(reads_every_16_ms(&ends)),
        injected: None,
        bytes,
        claims: vec![
            claim("one restart, shown by the elapsed time", |e, s| {
                s.restarts == 1
                    && e.iter().any(|e| {
                        matches!(
                            e,
                            Event::Restart {
                                sample_index: 400,
                                previous_counter: 243,
                                counter: 0,
                                evidence: libeeg::RestartEvidence::ElapsedTime,
                            }
                        )
                    })
            }),
            claim("all 700 packets delivered, nothing lost", |_, s| {
                s.packets == 700 && s.lost == 0
            }),
        ],
    }
}
