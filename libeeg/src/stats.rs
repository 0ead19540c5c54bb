//! Running counters of what the decoder has seen.

/// Counters kept by [`Decoder`](crate::Decoder). Bytes are conserved:
/// `bytes_in == packet_bytes + skipped_bytes + decoder.buffered()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Bytes pushed into the decoder.
    pub bytes_in: u64,
    /// Packets delivered.
    pub packets: u64,
    /// Bytes of the delivered packets.
    pub packet_bytes: u64,
    /// Packets missing from the stream, counted from counter gaps: both those the transport
    /// destroyed and those the decoder refused because their framing could not be proven.
    pub lost: u64,
    /// Times sync was regained after it had been lost.
    pub resyncs: u64,
    /// Bytes discarded because they could not be framed as packets (junk, damaged packets).
    pub skipped_bytes: u64,
    /// Well-formed packets the decoder held and then refused because the bytes after them
    /// suggested a splice of two damaged packets. Each is also counted in `lost`.
    pub refused_packets: u64,
    /// Packets whose counter repeated the previous one (real packets, delivered).
    pub repeated_counters: u64,
    /// Counter jumps read as device restarts rather than losses ([`Event::Restart`](crate::Event::Restart)).
    pub restarts: u64,
}
