//! The libeeg simulator, paced in real time like a device, optionally damaged for demos.

use std::time::{Duration, Instant};

use libeeg::sim::{Damaged, FaultConfig, FaultInjector, SimConfig, Simulator};

use super::{Input, Source};
use crate::error::Error;

/// Simulated device bytes.
pub struct SimulatedSource {
    sim: Simulator,
    faults: Option<(FaultInjector, Damaged)>,
    rate_hz: f64,
    frames_sent: u64,
    buf: Vec<u8>,
    session_start: Instant,
}

/// How often the simulated device delivers a chunk, as an FTDI adapter at 4 ms latency would.
const DELIVERY: Duration = Duration::from_millis(4);

impl SimulatedSource {
    /// A simulator for `config`; with `faults`, the demo mix of damage.
    pub fn new(config: SimConfig, faults: bool, session_start: Instant) -> Self {
        let rate_hz = config.rate_hz;
        let seed = config.seed;
        let sim = Simulator::new(config);
        let faults = faults.then(|| {
            (
                FaultInjector::new(sim.encoder().clone(), FaultConfig::demo(), seed),
                Damaged::default(),
            )
        });
        Self {
            sim,
            faults,
            rate_hz,
            frames_sent: 0,
            buf: Vec::new(),
            session_start,
        }
    }
}

impl Source for SimulatedSource {
    fn next(&mut self) -> Result<Input<'_>, Error> {
        std::thread::sleep(DELIVERY);
        let elapsed = super::since(self.session_start);
        let due = (elapsed.as_secs_f64() * self.rate_hz) as u64;
        self.buf.clear();
        while self.frames_sent < due {
            let frame = self.sim.next_frame();
            match &mut self.faults {
                Some((injector, damaged)) => {
                    injector.push(&frame, damaged);
                    self.buf.append(&mut damaged.bytes);
                    // Only the bytes are wanted; the truth would grow without end.
                    damaged.sent.clear();
                    damaged.restarts.clear();
                    damaged.written_at.clear();
                }
                None => self.sim.encode_frame(&frame, &mut self.buf),
            }
            self.frames_sent += 1;
        }
        if self.buf.is_empty() {
            return Ok(Input::Quiet(elapsed));
        }
        Ok(Input::Bytes(&self.buf, Some(elapsed)))
    }

    fn has_arrival_times(&self) -> bool {
        true
    }

    fn is_real_time(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("simulator at {} Hz", self.rate_hz)
    }
}
