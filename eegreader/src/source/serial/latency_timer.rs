//! The FTDI latency timer. An FTDI adapter (the Olimex EEG-SMT's FT232R) holds received bytes
//! until its buffer fills or the timer runs out, 16 ms by default, so packets would arrive in
//! bursts; Linux exposes the timer in sysfs, and at 1 ms each packet arrives as it is sent.

use std::path::Path;

/// Sets the latency timer of the FTDI adapter at `path` to 1 ms, following symlinks to find its
/// ttyUSBn name; says what happened, or `None` when it is not an FTDI adapter.
#[cfg(target_os = "linux")]
pub fn tune(path: &str) -> Option<String> {
    let device = std::fs::canonicalize(path).ok()?;
    let tty = device.file_name()?.to_str()?;
    set(Path::new("/sys/bus/usb-serial/devices"), tty)
}

#[cfg(not(target_os = "linux"))]
pub fn tune(_path: &str) -> Option<String> {
    None
}

/// Sets `<sysfs>/<tty>/latency_timer` to 1 ms if it exists; says what happened.
fn set(sysfs: &Path, tty: &str) -> Option<String> {
    let file = sysfs.join(tty).join("latency_timer");
    if !file.exists() {
        return None;
    }
    let read = || {
        std::fs::read_to_string(&file)
            .ok()?
            .trim()
            .parse::<u32>()
            .ok()
    };
    let was = read();
    if was == Some(1) {
        return Some("FTDI latency timer is 1 ms".to_owned());
    }
    let why = match std::fs::write(&file, "1") {
        Ok(()) if read() == Some(1) => {
            let was = was.map_or_else(String::new, |ms| format!(" (was {ms} ms)"));
            return Some(format!("FTDI latency timer set to 1 ms{was}"));
        }
        Ok(()) => "the driver kept its value".to_owned(),
        Err(e) => e.to_string(),
    };
    Some(unwritable(tty, was, &why))
}

/// What an unwritable timer costs, and how to make it writable.
fn unwritable(tty: &str, was: Option<u32>, why: &str) -> String {
    let problem = match was {
        Some(ms) => {
            format!("is {ms} ms and not writable ({why}): packets will arrive in {ms} ms bursts")
        }
        None => format!("could not be set to 1 ms ({why}): packets may arrive in bursts"),
    };
    format!(
        "FTDI latency timer {problem}; to fix: echo 1 | sudo tee \
         /sys/bus/usb-serial/devices/{tty}/latency_timer, or for good with a udev rule in \
         /etc/udev/rules.d/99-openeeg.rules: ACTION==\"add\", SUBSYSTEM==\"usb-serial\", \
         DRIVER==\"ftdi_sio\", ATTR{{latency_timer}}=\"1\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latency_timer_is_set_when_writable() {
        let sysfs = tempfile::tempdir().unwrap();
        let dir = sysfs.path().join("ttyUSB0");
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(set(sysfs.path(), "ttyUSB1"), None, "not an FTDI adapter");

        std::fs::write(dir.join("latency_timer"), "16\n").unwrap();
        assert_eq!(
            set(sysfs.path(), "ttyUSB0").as_deref(),
            Some("FTDI latency timer set to 1 ms (was 16 ms)")
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("latency_timer")).unwrap(),
            "1"
        );
        assert_eq!(
            set(sysfs.path(), "ttyUSB0").as_deref(),
            Some("FTDI latency timer is 1 ms")
        );
    }

    #[test]
    fn an_unwritable_latency_timer_says_what_it_costs_and_how_to_fix_it() {
        let note = unwritable("ttyUSB0", Some(16), "Permission denied");
        assert!(note.starts_with(
            "FTDI latency timer is 16 ms and not writable (Permission denied): packets will arrive in 16 ms bursts; to fix: "
        ), "{note}");
        assert!(
            note.contains("echo 1 | sudo tee /sys/bus/usb-serial/devices/ttyUSB0/latency_timer")
        );
        assert!(note.contains(r#"ATTR{latency_timer}="1""#));
    }
}
