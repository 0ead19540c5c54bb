//! Feeds arbitrary bytes to the decoder in two chunkings and checks its invariants, not just
//! that it does not panic.
#![no_main]

use libeeg::{Decoder, DecoderConfig, Event, ProtocolChoice};
use libfuzzer_sys::fuzz_target;

fn run(config: &DecoderConfig, data: &[u8], chunk: usize) -> (Vec<Event>, libeeg::Stats) {
    let mut decoder = Decoder::new(config.clone());
    let mut events = Vec::new();
    for part in data.chunks(chunk.max(1)) {
        decoder.push(part);
        while let Some(event) = decoder.poll() {
            events.push(event);
        }
        let s = decoder.stats();
        // Bytes are conserved and held bytes stay bounded.
        assert_eq!(s.bytes_in, s.packet_bytes + s.skipped_bytes + decoder.buffered() as u64);
        assert!(decoder.buffered() <= part.len() + config.max_gap + 64);
    }
    decoder.finish();
    events.extend(std::iter::from_fn(|| decoder.poll()));
    assert_eq!(decoder.buffered(), 0);
    (events, *decoder.stats())
}

fuzz_target!(|input: (u8, u16, &[u8])| {
    let (selector, chunk, data) = input;
    let protocol = [ProtocolChoice::Auto, ProtocolChoice::P2, ProtocolChoice::P3][usize::from(selector % 3)];
    let config = DecoderConfig { low_latency: selector & 4 != 0, ..DecoderConfig::with_protocol(protocol) };
    let (whole, stats) = run(&config, data, data.len());
    let (chunked, _) = run(&config, data, usize::from(chunk % 64) + 1);
    // The same bytes give the same events whatever the chunking (low-latency mode trades that
    // away by design: it delivers before the bytes that would prove a packet arrive).
    if !config.low_latency {
        assert_eq!(whole, chunked);
    }
    let mut lost = 0;
    let mut last_index = None;
    for event in &whole {
        match event {
            Event::Packet(p) => {
                assert!(p.samples.iter().all(|&s| s <= libeeg::MAX_CODE));
                assert!(p.switches <= 0x0F);
                // Sample indices only move forward.
                assert!(last_index.is_none_or(|i| p.sample_index > i));
                last_index = Some(p.sample_index);
            }
            Event::PacketsLost { count, .. } => lost += count,
            _ => {}
        }
    }
    assert_eq!(lost, stats.lost);
});
