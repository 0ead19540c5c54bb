//! Finding the device: the serial ports attached, which of them look like an OpenEEG amplifier,
//! and choosing one when the user named none.
//!
//! Ports come from `serialport::available_ports()` (on Linux it reads the USB ids, serial number
//! and strings from sysfs even without libudev); `nusb` fills in USB strings serialport lacks.
//! Enumeration never fails: a machine without USB or sysfs simply has fewer ports to show.

use std::path::Path;

use crate::error::Error;

/// One serial port, with what is known about the USB device behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// The device path, e.g. `/dev/ttyUSB0`.
    pub path: String,
    /// USB vendor id, for a USB port.
    pub vid: Option<u16>,
    /// USB product id, for a USB port.
    pub pid: Option<u16>,
    /// USB serial number, if the device has one.
    pub serial_number: Option<String>,
    /// USB manufacturer string.
    pub manufacturer: Option<String>,
    /// USB product string.
    pub product: Option<String>,
    /// A USB-serial bridge that OpenEEG devices use (see [`bridge`]).
    pub likely_openeeg: bool,
}

/// The USB-serial bridges OpenEEG devices are built with, most likely first: the FTDI FT232R is
/// the Olimex EEG-SMT's and most ModularEEG adapters'; the others are common on clones and
/// Arduino-based shields.
const BRIDGES: [(u16, u16, &str); 5] = [
    (0x0403, 0x6001, "FTDI FT232R"),
    (0x0403, 0x6015, "FTDI FT-X"),
    (0x10c4, 0xea60, "Silicon Labs CP210x"),
    (0x1a86, 0x7523, "WCH CH340"),
    (0x067b, 0x2303, "Prolific PL2303"),
];

/// The bridge a USB id belongs to: its rank (0 is the most likely) and name.
pub fn bridge(vid: Option<u16>, pid: Option<u16>) -> Option<(usize, &'static str)> {
    let (vid, pid) = (vid?, pid?);
    BRIDGES
        .iter()
        .position(|&(v, p, _)| v == vid && p == pid)
        .map(|rank| (rank, BRIDGES[rank].2))
}

/// The serial ports on this machine, likely OpenEEG devices first (FT232R first among them),
/// then the rest by path.
pub fn list_ports() -> Vec<PortInfo> {
    let mut ports = system_ports();
    enrich(&mut ports, &usb_devices());
    ports
}

/// The serial ports serialport reports, classified and sorted, without the nusb enrichment
/// (cheap enough to call every few hundred milliseconds while waiting for a device).
pub(crate) fn system_ports() -> Vec<PortInfo> {
    // serialport's sysfs enumeration panics when /sys/class/tty is missing (a container).
    if cfg!(target_os = "linux") && !Path::new("/sys/class/tty").is_dir() {
        return Vec::new();
    }
    let Ok(found) = serialport::available_ports() else {
        return Vec::new();
    };
    let mut ports: Vec<PortInfo> = found
        .into_iter()
        .map(|p| match p.port_type {
            serialport::SerialPortType::UsbPort(usb) => port_info(
                p.port_name,
                Some(usb.vid),
                Some(usb.pid),
                usb.serial_number,
                usb.manufacturer,
                usb.product,
            ),
            _ => port_info(p.port_name, None, None, None, None, None),
        })
        .collect();
    sort(&mut ports);
    ports
}

/// What is known about the port at `path` (followed through symlinks), if it is listed.
pub(crate) fn port_at(path: &str) -> Option<PortInfo> {
    let target = std::fs::canonicalize(path).ok()?;
    system_ports()
        .into_iter()
        .find(|p| std::fs::canonicalize(&p.path).is_ok_and(|c| c == target))
}

fn port_info(
    path: String,
    vid: Option<u16>,
    pid: Option<u16>,
    serial_number: Option<String>,
    manufacturer: Option<String>,
    product: Option<String>,
) -> PortInfo {
    let likely_openeeg = bridge(vid, pid).is_some();
    PortInfo {
        path,
        vid,
        pid,
        serial_number,
        manufacturer,
        product,
        likely_openeeg,
    }
}

/// Likely devices first, by bridge rank; then by path, with numbers in numeric order
/// (`ttyS2` before `ttyS10`).
fn sort(ports: &mut [PortInfo]) {
    ports.sort_by(|a, b| {
        let rank = |p: &PortInfo| bridge(p.vid, p.pid).map_or(usize::MAX, |(r, _)| r);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| path_key(&a.path).cmp(&path_key(&b.path)))
    });
}

fn path_key(path: &str) -> (&str, u64, &str) {
    let stem = path.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &path[stem.len()..];
    (stem, digits.parse().unwrap_or(0), digits)
}

/// A USB device as nusb reports it.
#[derive(Debug, Clone, Default)]
struct UsbDevice {
    vid: u16,
    pid: u16,
    serial_number: Option<String>,
    manufacturer: Option<String>,
    product: Option<String>,
}

/// The USB devices nusb sees; none when it cannot enumerate (no /sys/bus/usb, no permission).
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn usb_devices() -> Vec<UsbDevice> {
    use nusb::MaybeFuture;
    match nusb::list_devices().wait() {
        Ok(devices) => devices
            .map(|d| UsbDevice {
                vid: d.vendor_id(),
                pid: d.product_id(),
                serial_number: d.serial_number().map(str::to_owned),
                manufacturer: d.manufacturer_string().map(str::to_owned),
                product: d.product_string().map(str::to_owned),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn usb_devices() -> Vec<UsbDevice> {
    Vec::new()
}

/// Fills in the USB strings serialport did not report, from the one USB device with the same
/// ids (and serial number, when known). An ambiguous match adds nothing.
fn enrich(ports: &mut [PortInfo], usb: &[UsbDevice]) {
    for port in ports.iter_mut() {
        let (Some(vid), Some(pid)) = (port.vid, port.pid) else {
            continue;
        };
        if port.serial_number.is_some() && port.manufacturer.is_some() && port.product.is_some() {
            continue;
        }
        let mut matches = usb.iter().filter(|d| {
            d.vid == vid
                && d.pid == pid
                && (port.serial_number.is_none() || d.serial_number == port.serial_number)
        });
        let (Some(found), None) = (matches.next(), matches.next()) else {
            continue;
        };
        for (mine, theirs) in [
            (&mut port.serial_number, &found.serial_number),
            (&mut port.manufacturer, &found.manufacturer),
            (&mut port.product, &found.product),
        ] {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        }
    }
}

/// What `--list` prints: a table marking likely OpenEEG devices, or what to check when there
/// are no ports at all.
pub fn format_list(ports: &[PortInfo]) -> String {
    if ports.is_empty() {
        return "No serial ports were found. Check that the device is plugged in with a data cable \
                (some USB cables only charge), look at `sudo dmesg | tail` right after plugging it \
                in for a line like \"FTDI USB Serial Device converter now attached to ttyUSB0\", \
                and that the adapter's driver is available (ftdi_sio, cp210x, ch341 or pl2303).\n\
                `--simulate` runs the reader without a device.\n"
            .to_owned();
    }
    let rows: Vec<[String; 4]> = ports
        .iter()
        .map(|p| {
            let id = match (p.vid, p.pid) {
                (Some(v), Some(d)) => format!("{v:04x}:{d:04x}"),
                _ => "-".to_owned(),
            };
            let strings: Vec<&str> = [&p.manufacturer, &p.product]
                .into_iter()
                .filter_map(|s| s.as_deref())
                .collect();
            let mut device = strings.join(" / ");
            if let Some((_, name)) = bridge(p.vid, p.pid) {
                device = if device.is_empty() {
                    name.to_owned()
                } else {
                    format!("{device} ({name})")
                };
            }
            if device.is_empty() {
                device = "-".to_owned();
            }
            let serial = p.serial_number.clone().unwrap_or_else(|| "-".to_owned());
            [p.path.clone(), id, serial, device]
        })
        .collect();
    let header = ["PATH", "USB ID", "SERIAL", "DEVICE"].map(str::to_owned);
    let width = |i: usize| {
        rows.iter()
            .chain([&header])
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    let line = |mark: &str, r: &[String; 4]| {
        format!(
            "{mark} {:w0$}  {:w1$}  {:w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        )
        .trim_end()
        .to_owned()
            + "\n"
    };
    let mut out = line(" ", &header);
    for (port, row) in ports.iter().zip(&rows) {
        out += &line(if port.likely_openeeg { "*" } else { " " }, row);
    }
    if ports.iter().any(|p| p.likely_openeeg) {
        out += "* likely OpenEEG device (a USB-serial bridge OpenEEG amplifiers use)\n";
    }
    out
}

/// The device to read when the user named none: the one likely OpenEEG device attached.
pub fn pick_device(ports: &[PortInfo]) -> Result<String, Error> {
    let likely: Vec<&PortInfo> = ports.iter().filter(|p| p.likely_openeeg).collect();
    let choose = "Choose a port with -l PATH (`eegreader --list` shows them), \
                  or run without a device: --simulate.";
    match likely.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => Err(Error::new(
            "no OpenEEG device found (no FTDI or other USB-serial adapter is attached)",
        )
        .fix(format!("{}{choose}", format_list(ports)))),
        several => {
            let paths: Vec<&str> = several.iter().map(|p| p.path.as_str()).collect();
            Err(Error::new(format!(
                "{} possible OpenEEG devices are attached: {}",
                several.len(),
                paths.join(", ")
            ))
            .fix(format!(
                "{}{choose} On Linux a /dev/serial/by-id/... path names one adapter and stays the \
                 same when it is replugged.",
                format_list(ports)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usb(path: &str, vid: u16, pid: u16, serial: Option<&str>) -> PortInfo {
        port_info(
            path.to_owned(),
            Some(vid),
            Some(pid),
            serial.map(str::to_owned),
            None,
            None,
        )
    }

    fn plain(path: &str) -> PortInfo {
        port_info(path.to_owned(), None, None, None, None, None)
    }

    #[test]
    fn common_bridges_are_likely_and_ft232r_ranks_first() {
        assert_eq!(bridge(Some(0x0403), Some(0x6001)), Some((0, "FTDI FT232R")));
        for (vid, pid) in [
            (0x0403, 0x6015),
            (0x10c4, 0xea60),
            (0x1a86, 0x7523),
            (0x067b, 0x2303),
        ] {
            assert!(
                usb("/dev/ttyUSB0", vid, pid, None).likely_openeeg,
                "{vid:04x}:{pid:04x}"
            );
        }
        assert!(!usb("/dev/ttyACM0", 0x2341, 0x0043, None).likely_openeeg); // Arduino Uno CDC
        assert!(!usb("/dev/ttyUSB0", 0x0403, 0x6010, None).likely_openeeg); // FT2232 JTAG
        assert!(!plain("/dev/ttyS0").likely_openeeg);
        assert_eq!(bridge(None, Some(0x6001)), None);
    }

    #[test]
    fn sorting_puts_likely_devices_first_then_paths_in_numeric_order() {
        let mut ports = vec![
            plain("/dev/ttyS10"),
            usb("/dev/ttyUSB1", 0x1a86, 0x7523, None),
            plain("/dev/ttyS2"),
            usb("/dev/ttyUSB2", 0x0403, 0x6001, Some("A9")),
        ];
        sort(&mut ports);
        let paths: Vec<&str> = ports.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/dev/ttyUSB2", "/dev/ttyUSB1", "/dev/ttyS2", "/dev/ttyS10"]
        );
    }

    #[test]
    fn pick_device_takes_the_only_likely_device() {
        let ports = [
            plain("/dev/ttyS0"),
            usb("/dev/ttyUSB0", 0x0403, 0x6001, Some("A9")),
        ];
        assert_eq!(pick_device(&ports).unwrap(), "/dev/ttyUSB0");
    }

    #[test]
    fn pick_device_refuses_to_guess_between_several() {
        let ports = [
            usb("/dev/ttyUSB0", 0x0403, 0x6001, None),
            usb("/dev/ttyUSB1", 0x10c4, 0xea60, None),
        ];
        let e = pick_device(&ports).unwrap_err();
        assert!(e.what.contains("2 possible OpenEEG devices"), "{e}");
        assert!(e.what.contains("/dev/ttyUSB0, /dev/ttyUSB1"), "{e}");
        let fix = e.fix.unwrap();
        assert!(
            fix.contains("-l PATH") && fix.contains("--simulate"),
            "{fix}"
        );
        assert!(
            fix.contains("0403:6001") && fix.contains("10c4:ea60"),
            "{fix}"
        );
    }

    #[test]
    fn pick_device_with_no_candidate_lists_the_ports_or_says_there_are_none() {
        let e = pick_device(&[plain("/dev/ttyS0")]).unwrap_err();
        assert!(e.what.contains("no OpenEEG device"), "{e}");
        let fix = e.fix.unwrap();
        assert!(
            fix.contains("/dev/ttyS0") && fix.contains("-l PATH") && fix.contains("--simulate")
        );

        let fix = pick_device(&[]).unwrap_err().fix.unwrap();
        assert!(
            fix.contains("No serial ports were found") && fix.contains("dmesg"),
            "{fix}"
        );
    }

    #[test]
    fn format_list_is_an_aligned_table_marking_likely_devices() {
        let mut ftdi = usb("/dev/ttyUSB0", 0x0403, 0x6001, Some("A9007CZr"));
        ftdi.manufacturer = Some("FTDI".into());
        ftdi.product = Some("FT232R USB UART".into());
        let text = format_list(&[
            ftdi,
            plain("/dev/ttyS0"),
            usb("/dev/ttyUSB1", 0x1a86, 0x7523, None),
        ]);
        let expected = concat!(
            "  PATH          USB ID     SERIAL    DEVICE\n",
            "* /dev/ttyUSB0  0403:6001  A9007CZr  FTDI / FT232R USB UART (FTDI FT232R)\n",
            "  /dev/ttyS0    -          -         -\n",
            "* /dev/ttyUSB1  1a86:7523  -         WCH CH340\n",
            "* likely OpenEEG device (a USB-serial bridge OpenEEG amplifiers use)\n",
        );
        assert_eq!(text, expected);
        assert!(!format_list(&[plain("/dev/ttyS0")]).contains("likely"));
    }

    #[test]
    fn enrich_fills_missing_strings_only_from_an_unambiguous_match() {
        let dev = |serial: &str, product: &str| UsbDevice {
            vid: 0x0403,
            pid: 0x6001,
            serial_number: Some(serial.into()),
            manufacturer: Some("FTDI".into()),
            product: Some(product.into()),
        };
        let usb_devices = [dev("A1", "EEG-SMT"), dev("B2", "FT232R USB UART")];
        let mut ports = [
            usb("/dev/ttyUSB0", 0x0403, 0x6001, Some("B2")),
            usb("/dev/ttyUSB1", 0x0403, 0x6001, None), // two candidates: left alone
            usb("/dev/ttyUSB2", 0x10c4, 0xea60, None), // no candidate
        ];
        ports[0].product = Some("kept".into());
        enrich(&mut ports, &usb_devices);
        assert_eq!(ports[0].manufacturer.as_deref(), Some("FTDI"));
        assert_eq!(ports[0].product.as_deref(), Some("kept"));
        assert_eq!(ports[1], usb("/dev/ttyUSB1", 0x0403, 0x6001, None));
        assert_eq!(ports[2], usb("/dev/ttyUSB2", 0x10c4, 0xea60, None));
    }

    #[test]
    fn listing_the_real_machine_never_panics() {
        let ports = list_ports();
        let _ = format_list(&ports);
        let _ = pick_device(&ports);
    }
}
