//! Channel labels: `--labels Fp1,Fp2,...` over the defaults `ch1`..`ch6`, checked against what
//! every recording format can store (EDF's 16 ASCII characters are the tightest limit).

use libeeg::CHANNELS;

use crate::error::Error;

/// Longest label an EDF header holds.
pub const MAX_LABEL_LEN: usize = 16;

/// The label of a channel nobody named: `ch1`..`ch6`.
fn default_label(channel: usize) -> String {
    format!("ch{}", channel + 1)
}

/// The six labels: the comma-separated names in `arg` for the first channels, the defaults
/// for the rest. Refuses more than six names, empty names, names longer than 16 characters or
/// outside printable ASCII, and duplicates (readers such as MNE would rename them silently).
pub fn channel_labels(arg: Option<&str>) -> Result<Vec<String>, Error> {
    let mut labels: Vec<String> = (0..CHANNELS).map(default_label).collect();
    let Some(arg) = arg else {
        return Ok(labels);
    };
    let names: Vec<&str> = arg.split(',').map(str::trim).collect();
    if names.len() > CHANNELS {
        return Err(Error::new(format!(
            "--labels has {} names; the device has {CHANNELS} channels",
            names.len()
        ))
        .fix("give at most six comma-separated names, e.g. --labels Fp1,Fp2,C3,C4,P3,P4"));
    }
    for (channel, name) in names.into_iter().enumerate() {
        if name.is_empty() {
            return Err(Error::new(format!(
                "--labels: the name of channel {} is empty",
                channel + 1
            ))
            .fix("give a name for every channel up to the last one named, e.g. --labels Fp1,Fp2"));
        }
        if name.len() > MAX_LABEL_LEN || !name.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(Error::new(format!(
                "--labels: '{name}' (channel {}) is not a label of at most {MAX_LABEL_LEN} printable ASCII characters",
                channel + 1
            ))
            .fix("EDF headers hold 16 ASCII characters per label: shorten it, e.g. 'Fp1' or 'EEG Fp1-A1'"));
        }
        labels[channel] = name.to_owned();
    }
    for (channel, label) in labels.iter().enumerate() {
        if let Some(other) = labels[..channel].iter().position(|l| l == label) {
            return Err(Error::new(format!(
                "--labels: channels {} and {} are both called '{label}'",
                other + 1,
                channel + 1
            ))
            .fix("give each channel its own name"));
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_replace_the_first_defaults() {
        assert_eq!(
            channel_labels(None).unwrap(),
            ["ch1", "ch2", "ch3", "ch4", "ch5", "ch6"]
        );
        assert_eq!(
            channel_labels(Some("Fp1, Fp2 ,EEG C3-A1")).unwrap(),
            ["Fp1", "Fp2", "EEG C3-A1", "ch4", "ch5", "ch6"]
        );
        assert_eq!(
            channel_labels(Some("1234567890123456")).unwrap()[0],
            "1234567890123456"
        );
    }

    #[test]
    fn bad_labels_are_refused_with_the_reason() {
        let error = |arg: &str| channel_labels(Some(arg)).unwrap_err().to_string();
        assert!(error("a,b,c,d,e,f,g").contains("has 7 names"));
        assert!(error("Fp1,,C3").contains("channel 2 is empty"));
        let long = error("Fp1,12345678901234567");
        assert!(
            long.contains("'12345678901234567' (channel 2)") && long.contains("16 ASCII"),
            "{long}"
        );
        assert!(error("Fpé").contains("printable ASCII"));
        assert!(error("ch2").contains("channels 1 and 2 are both called 'ch2'"));
    }
}
