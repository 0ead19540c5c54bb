//! Opening a serial port, and saying why it could not be opened and how to fix that.
//!
//! Raw mode comes from serialport's `TTYPort::open`, which applies `cfmakeraw` (clearing ISIG,
//! ICANON, IEXTEN, ECHO*, IXON, ICRNL, INLCR, IGNCR, ISTRIP, PARMRK, BRKINT, IGNBRK and OPOST,
//! and setting CS8) and then our 8N1 / no flow control settings (clearing IXOFF, INPCK, PARENB,
//! CSTOPB and CRTSCTS). Every byte therefore arrives unchanged and nothing is echoed to the
//! device; the serial source's tests check it byte by byte through a pseudo-terminal left in
//! cooked mode.

use std::io;
use std::time::Duration;

use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits};

use crate::error::Error;
use crate::source::discover::{self, PortInfo};

/// An open serial port.
#[cfg(unix)]
pub type Port = serialport::TTYPort;
/// An open serial port.
#[cfg(windows)]
pub type Port = serialport::COMPort;

/// Why a port could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenFailure {
    Missing,
    RegularFile,
    Directory,
    Permission,
    Busy,
    Other(String),
}

/// Opens `path` at `baud` raw, 8N1, without flow control and exclusively, with reads that block
/// for at most `timeout`. Bytes that arrived before the port was configured are discarded.
pub fn port(path: &str, baud: u32, timeout: Duration) -> Result<Port, OpenFailure> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(OpenFailure::Missing),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            return Err(OpenFailure::Permission);
        }
        Err(e) => return Err(OpenFailure::Other(e.to_string())),
        Ok(m) if m.is_file() => return Err(OpenFailure::RegularFile),
        Ok(m) if m.is_dir() => return Err(OpenFailure::Directory),
        Ok(_) => {}
    }
    let builder = serialport::new(path, baud)
        .data_bits(DataBits::Eight)
        .parity(Parity::None)
        .stop_bits(StopBits::One)
        .flow_control(FlowControl::None)
        .timeout(timeout);
    // TIOCEXCL (refuses other opens) plus an exclusive flock (refuses other flock users).
    #[cfg(unix)]
    let builder = builder.exclusive(true);
    let port = builder.open_native().map_err(|e| match e.kind() {
        // serialport's kind for EBUSY at open and for a lock held by someone else.
        serialport::ErrorKind::NoDevice => OpenFailure::Busy,
        serialport::ErrorKind::Io(io::ErrorKind::PermissionDenied) => OpenFailure::Permission,
        serialport::ErrorKind::Io(io::ErrorKind::NotFound) => OpenFailure::Missing,
        _ => OpenFailure::Other(e.description),
    })?;
    // Bytes queued before raw mode applied may have been altered; the decoder resyncs anyway.
    let _ = port.clear(ClearBuffer::Input);
    Ok(port)
}

impl OpenFailure {
    /// What went wrong opening `path`, and how to fix it.
    pub fn explain(self, path: &str) -> Error {
        match self {
            Self::Missing => missing_error(path, &discover::list_ports()),
            Self::Permission => permission_error(path, group_of(path)),
            Self::Busy => busy_error(path),
            Self::RegularFile => Error::new(format!("{path} is a file, not a serial device"))
                .fix(format!("To decode a capture file use --replay {path}")),
            Self::Directory => Error::new(format!("{path} is a directory, not a serial device"))
                .fix(format!(
                    "Serial ports on this machine:\n{}",
                    discover::format_list(&discover::list_ports())
                )),
            Self::Other(why) => {
                let e = Error::new(format!("cannot open {path} as a serial port: {why}"));
                if why.contains("No such device") {
                    e.fix("The device node exists but no device answers: it may have just been unplugged. \
                           `sudo dmesg | tail` shows what the kernel saw.")
                } else {
                    e
                }
            }
        }
    }
}

fn missing_error(path: &str, ports: &[PortInfo]) -> Error {
    let what = match std::fs::read_link(path) {
        Ok(target) => format!(
            "serial device {path} does not exist (it links to {}, which is missing)",
            target.display()
        ),
        Err(_) => format!("serial device {path} does not exist"),
    };
    let fix = if ports.is_empty() {
        discover::format_list(ports)
    } else {
        format!(
            "Serial ports on this machine:\n{}Choose one with -l PATH (`eegreader --list` shows \
             this list), or run without a device: --simulate.",
            discover::format_list(ports)
        )
    };
    Error::new(what).fix(fix)
}

fn permission_error(path: &str, group: Option<String>) -> Error {
    let group = group
        .filter(|g| g != "root")
        .unwrap_or_else(|| "dialout".to_owned());
    Error::new(format!("permission denied opening {path}")).fix(format!(
        "Serial devices belong to the `{group}` group. Add yourself to it, then log out and back in \
         (or start a shell with `newgrp {group}`):\n\
         \x20 sudo usermod -aG {group} $USER\n\
         Or let the group use the adapter with a udev rule, in /etc/udev/rules.d/99-openeeg.rules:\n\
         \x20 SUBSYSTEM==\"tty\", ATTRS{{idVendor}}==\"0403\", ATTRS{{idProduct}}==\"6001\", MODE=\"0660\", GROUP=\"{group}\"\n\
         then run `sudo udevadm control --reload-rules && sudo udevadm trigger` or replug the device.\n\
         The reader never needs root: do not run it with sudo."
    ))
}

fn busy_error(path: &str) -> Error {
    Error::new(format!("{path} is busy: another program has it open")).fix(format!(
        "Only one program can read the device at a time: close the other one (another eegreader, \
         a serial terminal, BrainBay; on Linux ModemManager or brltty sometimes grab USB-serial \
         adapters). `fuser -v {path}` shows which process holds it."
    ))
}

/// The name of the group owning `path`, from /etc/group.
#[cfg(unix)]
fn group_of(path: &str) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let gid = std::fs::metadata(path).ok()?.gid();
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == gid).then(|| name.to_owned())
    })
}

#[cfg(not(unix))]
fn group_of(_path: &str) -> Option<String> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use serialport::TTYPort;

    use super::*;

    const TIMEOUT: Duration = Duration::from_millis(50);

    /// What opening `path` says when it fails.
    fn error_opening(path: &str) -> Error {
        match port(path, 57600, TIMEOUT) {
            Ok(_) => panic!("{path} opened"),
            Err(failure) => failure.explain(path),
        }
    }

    #[test]
    fn a_second_reader_is_refused_as_busy() {
        // serialport's `pair()` keeps the slave open, without the exclusive lock.
        let (_master, slave) = TTYPort::pair().expect("pseudo-terminal");
        let path = slave.name().expect("slave path");
        let _first = port(&path, 57600, TIMEOUT).unwrap_or_else(|f| panic!("{f:?}"));
        let e = error_opening(&path);
        assert_eq!(
            e.what,
            format!("{path} is busy: another program has it open")
        );
        assert!(e.fix.unwrap().contains(&format!("fuser -v {path}")));
    }

    #[test]
    fn a_missing_device_says_so_and_how_to_choose() {
        let e = error_opening("/dev/ttyOPENEEG-missing");
        assert_eq!(
            e.what,
            "serial device /dev/ttyOPENEEG-missing does not exist"
        );
        let fix = e.fix.unwrap();
        assert!(
            fix.contains("-l PATH") || fix.contains("No serial ports were found"),
            "{fix}"
        );

        let ports = [PortInfo {
            path: "/dev/ttyUSB0".into(),
            vid: Some(0x0403),
            pid: Some(0x6001),
            serial_number: None,
            manufacturer: None,
            product: None,
            likely_openeeg: true,
        }];
        let fix = missing_error("/dev/ttyUSB1", &ports).fix.unwrap();
        assert!(
            fix.contains("/dev/ttyUSB0") && fix.contains("-l PATH") && fix.contains("--list"),
            "{fix}"
        );
        assert!(
            missing_error("/dev/x", &[])
                .fix
                .unwrap()
                .contains("No serial ports were found")
        );
    }

    #[test]
    fn a_dangling_link_names_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("eeg");
        std::os::unix::fs::symlink("/dev/ttyOPENEEG-gone", &link).unwrap();
        let e = error_opening(link.to_str().unwrap());
        assert!(
            e.what
                .ends_with("(it links to /dev/ttyOPENEEG-gone, which is missing)"),
            "{e}"
        );
    }

    #[test]
    fn a_regular_file_points_to_replay() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let path = file.path().to_str().unwrap();
        let e = error_opening(path);
        assert_eq!(
            e.fix.unwrap(),
            format!("To decode a capture file use --replay {path}")
        );
    }

    #[test]
    fn permission_denied_explains_the_group_and_the_udev_rule() {
        let e = permission_error("/dev/ttyUSB0", Some("uucp".into()));
        assert_eq!(e.what, "permission denied opening /dev/ttyUSB0");
        let fix = e.fix.unwrap();
        assert!(fix.contains("sudo usermod -aG uucp $USER"), "{fix}");
        assert!(fix.contains("log out and back in"));
        assert!(fix.contains(
            r#"SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", ATTRS{idProduct}=="6001", MODE="0660", GROUP="uucp""#
        ));
        assert!(fix.contains("/etc/udev/rules.d/99-openeeg.rules"));
        assert!(fix.contains("never needs root"));
        // A device left to root gets the usual group rather than advice to join root.
        let fix = permission_error("/dev/ttyUSB0", Some("root".into()))
            .fix
            .unwrap();
        assert!(fix.contains("sudo usermod -aG dialout $USER"), "{fix}");
    }
}
