//! Decoder throughput on simulated streams, in bytes per second.
//!
//! Each stream (~16 MB) is generated once with the [`Simulator`], outside the timed loop, and
//! fed to a fresh [`Decoder`] in 64 KiB chunks, as a reader draining a serial port or a capture
//! file would. Every packet is consumed: one sample of each goes through
//! [`black_box`] so the compiler cannot drop the work of building it.
//!
//! - `p2_clean`: clean P2 through [`Decoder::decode`] (target: >= 1 GB/s).
//! - `p2_damaged_2pct`: P2 with about 2 % of packets damaged (target: >= 300 MB/s).
//! - `p3_clean`: clean 6-channel P3 through [`Decoder::decode`].
//! - `p2_clean_pull`: clean P2 through the pull API ([`Decoder::push`] then [`Decoder::poll`]).
//!
//! Run with `cargo bench -p libeeg --bench decode`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, Throughput, measurement::WallTime};
use libeeg::sim::{Damaged, FaultConfig, SimConfig, Simulator};
use libeeg::{Decoder, DecoderConfig, Event, Protocol};

/// Size of each generated stream.
const STREAM_BYTES: usize = 16 << 20;
/// Bytes handed to the decoder per call, as one large read would return.
const CHUNK: usize = 64 << 10;

/// About 2 % of packets damaged: [`FaultConfig::demo`] scaled by 0.4, i.e. per packet 0.8 %
/// single-byte drops, 0.8 % junk insertions, 0.2 % bursts of 1-64 lost bytes and 0.4 % removed
/// packets (2.2 % of packets hit; bursts that run on into the next packets add a little).
fn two_percent_damage() -> FaultConfig {
    FaultConfig {
        drop_byte: 0.008,
        insert_junk: 0.008,
        drop_burst: 0.002,
        remove_packet: 0.004,
        ..FaultConfig::default()
    }
}

fn simulator(protocol: Protocol) -> Simulator {
    Simulator::new(SimConfig {
        seed: 42,
        protocol,
        ..SimConfig::default()
    })
}

/// About [`STREAM_BYTES`] of clean packets.
fn clean_stream(protocol: Protocol) -> Vec<u8> {
    let mut sim = simulator(protocol);
    let packet_len = sim.encoder().packet_len();
    sim.packets(STREAM_BYTES / packet_len)
}

/// About [`STREAM_BYTES`] of P2 with [`two_percent_damage`].
fn damaged_p2_stream() -> Damaged {
    let mut sim = simulator(Protocol::P2);
    let damaged = Damaged::from_simulator(&mut sim, STREAM_BYTES / 17, &two_percent_damage(), 7);
    let hit = damaged.sent.len() - damaged.intact_count();
    eprintln!(
        "p2_damaged_2pct: {} of {} packets ({:.2} %) not intact; {}",
        hit,
        damaged.sent.len(),
        100.0 * hit as f64 / damaged.sent.len() as f64,
        damaged.counts
    );
    damaged
}

/// One sample of a packet event, or 0.
#[inline]
fn sample_of(event: &Event) -> u64 {
    match event {
        Event::Packet(p) => u64::from(p.samples[0]),
        _ => 0,
    }
}

/// Decodes `stream` with [`Decoder::decode`]; returns the sum of channel 1 and the packet count.
fn decode_all(stream: &[u8]) -> (u64, u64) {
    let mut decoder = Decoder::new(DecoderConfig::default());
    let mut sum = 0u64;
    for chunk in stream.chunks(CHUNK) {
        decoder.decode(chunk, |event| sum += black_box(sample_of(&event)));
    }
    decoder.finish();
    while let Some(event) = decoder.poll() {
        sum += black_box(sample_of(&event));
    }
    (sum, decoder.stats().packets)
}

/// The same through the pull API: push a chunk, poll until `None`.
fn pull_all(stream: &[u8]) -> (u64, u64) {
    let mut decoder = Decoder::new(DecoderConfig::default());
    let mut sum = 0u64;
    for chunk in stream.chunks(CHUNK) {
        decoder.push(chunk);
        while let Some(event) = decoder.poll() {
            sum += black_box(sample_of(&event));
        }
    }
    decoder.finish();
    while let Some(event) = decoder.poll() {
        sum += black_box(sample_of(&event));
    }
    (sum, decoder.stats().packets)
}

/// Registers one benchmark after checking, untimed, that the stream really decodes to packets
/// (a bench that silently skips everything would measure the wrong path).
fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    stream: &[u8],
    min_packets: u64,
    run: fn(&[u8]) -> (u64, u64),
) {
    let (_, packets) = run(stream);
    assert!(
        packets >= min_packets,
        "{name}: only {packets} packets decoded, expected >= {min_packets}"
    );
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function(name, |b| b.iter(|| run(black_box(stream))));
}

fn benches(c: &mut Criterion) {
    let p2 = clean_stream(Protocol::P2);
    let p3 = clean_stream(Protocol::P3);
    let damaged = damaged_p2_stream();
    let p2_packets = (p2.len() / 17) as u64;
    let p3_packets = (p3.len() / 11) as u64;
    // Refused or unprovable packets beside damage are not delivered; the rest must be.
    let damaged_floor = damaged.intact_count() as u64 * 99 / 100;

    let mut group = c.benchmark_group("decode");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    bench(&mut group, "p2_clean", &p2, p2_packets, decode_all);
    bench(
        &mut group,
        "p2_damaged_2pct",
        &damaged.bytes,
        damaged_floor,
        decode_all,
    );
    bench(&mut group, "p3_clean", &p3, p3_packets, decode_all);
    bench(&mut group, "p2_clean_pull", &p2, p2_packets, pull_all);
    group.finish();
}

fn main() {
    // What `criterion_group!`/`criterion_main!` expand to, written out so the bench crate has
    // no undocumented public items.
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
