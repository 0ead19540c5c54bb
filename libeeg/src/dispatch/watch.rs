//! A detector attached to one channel, with the callback it feeds.

use std::ops::ControlFlow;

use super::flow::Callback;
use super::notice::{BandPowerNotice, ChannelNotice, QualityNotice, ThresholdNotice};
use crate::Packet;
use crate::detect::{BandPowerDetector, QualityMonitor, ThresholdDetector};
use crate::units::DeviceProfile;

/// The detector of a watch and its callback.
pub(super) enum Detector {
    Threshold(ThresholdDetector, Callback<ThresholdNotice>),
    BandPower(BandPowerDetector, Callback<BandPowerNotice>),
    Quality(QualityMonitor, Callback<QualityNotice>),
}

/// A detector on one channel.
pub(super) struct Watch {
    pub channel: usize,
    pub detector: Detector,
}

impl Watch {
    /// Feeds the watched channel of `packet` (sample time `t`) to the detector.
    pub fn feed(&mut self, packet: &Packet, t: f64, profile: &DeviceProfile) -> ControlFlow<()> {
        let Some(&code) = packet.channels().get(self.channel) else {
            return ControlFlow::Continue(());
        };
        let channel = self.channel;
        let microvolts = profile.to_microvolts(code);
        match &mut self.detector {
            Detector::Threshold(d, f) => notify(channel, d.push(microvolts, t), f),
            Detector::BandPower(d, f) => notify(channel, d.push(microvolts, t), f),
            // Quality works on raw codes: railing is a property of the ADC.
            Detector::Quality(d, f) => notify(channel, d.push(code, t), f),
        }
    }

    /// Samples were lost: detectors must not compute across the gap.
    pub fn gap(&mut self) {
        match &mut self.detector {
            Detector::Threshold(d, _) => d.gap(),
            Detector::BandPower(d, _) => d.gap(),
            Detector::Quality(d, _) => d.gap(),
        }
    }
}

fn notify<E>(
    channel: usize,
    event: Option<E>,
    f: &mut Callback<ChannelNotice<E>>,
) -> ControlFlow<()> {
    match event {
        Some(event) => f(&ChannelNotice { channel, event }),
        None => ControlFlow::Continue(()),
    }
}
