//! A detector attached to one channel, reporting to the handler's hook for its kind.

use std::ops::ControlFlow;

use super::Handler;
use crate::Packet;
use crate::detect::{BandPowerDetector, QualityMonitor, ThresholdDetector};
use crate::units::DeviceProfile;

/// A detector of any kind.
pub(super) enum Detector {
    Threshold(ThresholdDetector),
    BandPower(BandPowerDetector),
    Quality(QualityMonitor),
}

/// A detector on one channel.
pub(super) struct Watch {
    pub channel: usize,
    pub detector: Detector,
}

impl Watch {
    /// Feeds the watched channel of `packet` (sampled at `t`) to the detector, and what it
    /// reports to `handler`.
    pub fn feed<H: Handler + ?Sized>(
        &mut self,
        packet: &Packet,
        t: f64,
        profile: &DeviceProfile,
        handler: &mut H,
    ) -> ControlFlow<()> {
        let Some(&code) = packet.channels().get(self.channel) else {
            return ControlFlow::Continue(());
        };
        let channel = self.channel;
        let microvolts = profile.to_microvolts(code);
        match &mut self.detector {
            Detector::Threshold(d) => match d.push(microvolts, t) {
                Some(crossing) => handler.threshold(channel, &crossing),
                None => ControlFlow::Continue(()),
            },
            Detector::BandPower(d) => match d.push(microvolts, t) {
                Some(change) => handler.band_power(channel, &change),
                None => ControlFlow::Continue(()),
            },
            // Quality works on raw codes: railing is a property of the ADC.
            Detector::Quality(d) => match d.push(code, t) {
                Some(change) => handler.quality(channel, &change),
                None => ControlFlow::Continue(()),
            },
        }
    }

    /// The samples do not continue the previous ones: detectors must not compute across.
    pub fn gap(&mut self) {
        match &mut self.detector {
            Detector::Threshold(d) => d.gap(),
            Detector::BandPower(d) => d.gap(),
            Detector::Quality(d) => d.gap(),
        }
    }
}
