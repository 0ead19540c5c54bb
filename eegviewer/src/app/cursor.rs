//! Measurement cursors: up to two stream times placed on the plots, and the sample each one
//! reads from the history. A cursor reads the nearest real sample and never interpolates;
//! in a gap it reads nothing.

use super::session::{NOMINAL_RATE_HZ, Session};

/// The two cursors; B measures against A.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cursors {
    /// The first cursor, stream time in seconds (a sample's time once placed on data).
    pub a: Option<f64>,
    /// The second cursor.
    pub b: Option<f64>,
}

impl Cursors {
    /// Places cursor A (or B with `second`) at `t`, on the nearest sample when there is one.
    /// B without A becomes A.
    pub fn place(&mut self, session: &Session, t: f64, second: bool) {
        let t = nearest_sample(session, t).unwrap_or(t);
        if second && self.a.is_some() {
            self.b = Some(t);
        } else {
            self.a = Some(t);
        }
    }

    /// Removes both.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Whether neither is placed.
    pub fn is_empty(&self) -> bool {
        self.a.is_none() && self.b.is_none()
    }
}

/// The time of the sample nearest to stream time `t`; `None` when `t` falls in a gap
/// (between samples of different segments) or more than a sample period away from the data.
fn nearest_sample(session: &Session, t: f64) -> Option<f64> {
    let period = 1.0 / session.rate_hz().unwrap_or(NOMINAL_RATE_HZ);
    let history = session.history();
    let reach = history.config().max_step.max(period);
    let span = history.span(t - reach, t + reach);
    let times: Vec<f64> = span
        .times()
        .iter()
        .flat_map(|s| s.iter().copied())
        .collect();
    let segments: Vec<u32> = span
        .segments()
        .iter()
        .flat_map(|s| s.iter().copied())
        .collect();
    let after = times.partition_point(|&time| time < t);
    let before = after.checked_sub(1);
    let after = (after < times.len()).then_some(after);
    let pick = match (before, after) {
        (Some(b), Some(a)) if segments[b] != segments[a] => return None,
        (Some(b), Some(a)) => {
            if t - times[b] <= times[a] - t {
                b
            } else {
                a
            }
        }
        (Some(i), None) | (None, Some(i)) if (times[i] - t).abs() <= period => i,
        _ => return None,
    };
    Some(times[pick])
}

/// The value of history column `column` at stream time `t`, from the nearest real sample
/// (see the module documentation); `None` in a gap or away from the data.
pub fn value_at(session: &Session, column: usize, t: f64) -> Option<f32> {
    let time = nearest_sample(session, t)?;
    // The sample at `time` exactly: a span of one instant.
    let span = session.history().span(time, time);
    let values = span.values(column);
    values.iter().find_map(|part| part.last().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::item::{Batch, Marker, MarkerAt, Sample};
    use crate::signal::filter::FilterSettings;

    fn sample(i: u64, value: u16) -> Sample {
        Sample {
            timestamp_us: (i as f64 * 1e6 / 256.0) as i64,
            sample_index: Some(i),
            frame: (i % 256) as u8,
            values: [value; 6],
            switches: 15,
        }
    }

    /// Samples 0..100 at 600, 10 lost, then 110..200 at 700.
    fn session() -> Session {
        let mut session = Session::new(60.0, FilterSettings::OFF);
        let mut samples: Vec<Sample> = (0..100).map(|i| sample(i, 600)).collect();
        samples.extend((110..200).map(|i| sample(i, 700)));
        let lost = Marker::Lost {
            count: 10,
            first_sample_index: 100,
            at_us: 0,
        };
        session.ingest(&Batch {
            samples,
            markers: vec![MarkerAt {
                before_sample: 100,
                marker: lost,
            }],
            ..Batch::default()
        });
        session
    }

    #[test]
    fn a_cursor_reads_the_nearest_sample_and_nothing_in_a_gap() {
        let session = session();
        let raw = 0;
        assert_eq!(value_at(&session, raw, 50.2 / 256.0), Some(600.0));
        assert_eq!(value_at(&session, raw, 150.0 / 256.0), Some(700.0));
        // In the gap: no interpolation, no neighbour's value.
        assert_eq!(value_at(&session, raw, 105.0 / 256.0), None);
        // Beyond the newest sample.
        assert_eq!(value_at(&session, raw, 3.0), None);
    }

    #[test]
    fn a_cursor_snaps_to_a_sample_and_b_needs_a() {
        let session = session();
        let mut cursors = Cursors::default();
        cursors.place(&session, 10.3 / 256.0, true);
        // Sample 10 is at 39062 µs (timestamps are whole microseconds).
        assert!((cursors.a.unwrap() - 0.039_062).abs() < 1e-9, "{cursors:?}");
        assert_eq!(cursors.b, None);
        cursors.place(&session, 20.0 / 256.0, true);
        assert!(cursors.b.is_some());
        cursors.clear();
        assert!(cursors.is_empty());
    }
}
