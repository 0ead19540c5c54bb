//! The frequency of the local power grid, whose hum EEG electrodes pick up.

use std::fmt;

/// Mains frequency: 50 Hz in Europe, Africa, most of Asia and Oceania and eastern Japan;
/// 60 Hz in the Americas, Korea, Taiwan, the Philippines, Saudi Arabia and western Japan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Mains {
    /// 50 Hz.
    #[default]
    Hz50,
    /// 60 Hz.
    Hz60,
}

impl Mains {
    /// The frequency in hertz.
    pub fn hz(self) -> f64 {
        match self {
            Self::Hz50 => 50.0,
            Self::Hz60 => 60.0,
        }
    }
}

impl fmt::Display for Mains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Hz", self.hz())
    }
}

#[cfg(test)]
mod tests {
    use super::Mains;

    #[test]
    fn frequencies_and_labels() {
        assert_eq!((Mains::Hz50.hz(), Mains::Hz60.hz()), (50.0, 60.0));
        assert_eq!(Mains::Hz60.to_string(), "60 Hz");
        assert_eq!(Mains::default(), Mains::Hz50);
    }
}
