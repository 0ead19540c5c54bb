#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod arrivals;
pub mod clock;
mod decoder;
pub mod detect;
pub mod dispatch;
pub mod encode;
mod event;
mod packet;
mod protocol;
pub mod sim;
pub mod spectrum;
mod stats;
mod timed;
pub mod units;
pub mod wire;

pub use decoder::{Decoder, DecoderConfig, ProtocolChoice};
pub use dispatch::Dispatcher;
pub use event::{Event, RestartEvidence};
pub use packet::{CHANNELS, MAX_CODE, MID_SCALE, Packet};
pub use protocol::{Protocol, p2, p3};
pub use stats::Stats;
pub use timed::{Timed, TimedDecoder};
