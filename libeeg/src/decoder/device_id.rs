//! The P3 device id string, spelt one character per 8 packets.

/// Collects the characters of the NUL-terminated id between two NULs.
#[derive(Debug, Default)]
pub(super) struct DeviceIdText {
    text: Vec<u8>,
    /// A NUL was seen and no id slot was lost since.
    started: bool,
    reported: Option<String>,
}

/// Longest id accepted; anything longer is not an id.
const MAX_LEN: usize = 32;

impl DeviceIdText {
    /// Feeds one packet's aux byte (`lost` packets were missing before it); returns the id when
    /// it completes and differs from the last one reported.
    pub fn update(&mut self, counter: u8, aux: u8, lost: u64) -> Option<String> {
        // Only a lost id slot (counter & 7 == 0) breaks the string.
        let lost_a_slot = lost >= 8 || (1..=lost).any(|k| counter.wrapping_sub(k as u8) & 7 == 0);
        if lost_a_slot {
            self.restart(false);
        }
        if counter & 7 != 0 {
            return None;
        }
        if aux != 0 {
            if self.started && self.text.len() < MAX_LEN && aux.is_ascii_graphic() {
                self.text.push(aux);
            } else {
                self.restart(false);
            }
            return None;
        }
        let id = String::from_utf8(std::mem::take(&mut self.text))
            .ok()
            .filter(|id| self.started && !id.is_empty());
        self.restart(true);
        let id = id.filter(|id| self.reported.as_ref() != Some(id))?;
        self.reported = Some(id.clone());
        Some(id)
    }

    fn restart(&mut self, started: bool) {
        self.text.clear();
        self.started = started;
    }
}
