//! Which device a serial source reads, so that it can find it again after it went away: at the
//! path the user gave when that names the same device again (a by-id link, or a symlink
//! re-pointed to the new device); else by its USB serial number at another path.

use std::path::Path;
use std::time::Duration;

use super::open::{self, Port};
use crate::source::discover::{self, PortInfo};

/// The device first opened.
#[derive(Debug)]
pub struct Device {
    /// The path the user gave (may be a symlink such as /dev/serial/by-id/...).
    requested: String,
    /// The USB device first opened, to find it again by serial number and not take another.
    usb: Option<PortInfo>,
}

impl Device {
    /// The device now at `path`.
    pub fn at(path: &str) -> Self {
        Self {
            requested: path.to_owned(),
            usb: discover::port_at(path).filter(|p| p.vid.is_some()),
        }
    }

    /// Its USB serial number, if it has one.
    pub fn serial_number(&self) -> Option<&str> {
        self.usb.as_ref()?.serial_number.as_deref()
    }

    /// Opens the device again where it is now (see [`open::port`]): the port and its path.
    pub fn reopen(&self, baud: u32, timeout: Duration) -> Option<(Port, String)> {
        if Path::new(&self.requested).exists()
            && self.may_be_at(&self.requested)
            && let Ok(port) = open::port(&self.requested, baud, timeout)
        {
            return Some((port, self.requested.clone()));
        }
        let usb = self.usb.as_ref()?;
        usb.serial_number.as_ref()?;
        let elsewhere = discover::system_ports().into_iter().find(|p| {
            p.path != self.requested
                && (p.vid, p.pid, &p.serial_number) == (usb.vid, usb.pid, &usb.serial_number)
        })?;
        let port = open::port(&elsewhere.path, baud, timeout).ok()?;
        Some((port, elsewhere.path))
    }

    /// Whether the device at `path` may be this one: not when it is a USB device with another
    /// serial number than the one first opened.
    fn may_be_at(&self, path: &str) -> bool {
        match (&self.usb, discover::port_at(path)) {
            (Some(first), Some(now)) if first.serial_number.is_some() && now.vid.is_some() => {
                (now.vid, now.pid, &now.serial_number)
                    == (first.vid, first.pid, &first.serial_number)
            }
            _ => true,
        }
    }
}
