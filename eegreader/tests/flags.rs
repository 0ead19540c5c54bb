//! The flags acquisition and `eegreader convert` share: the same help text in `eegreader --help`
//! and `eegreader convert --help`, and the same check.

mod common;

use std::collections::BTreeMap;

use common::{fixture, output, reader};

/// The flags defined once for both commands (`cli/session.rs`).
const SHARED: [&str; 6] = [
    "--protocol",
    "--rate",
    "--profile",
    "--scale",
    "--labels",
    "--no-events",
];

/// The help printed for `args`.
fn help(args: &[&str]) -> String {
    let out = output(reader().args(args));
    assert!(out.status.success(), "{args:?}: {}", out.status);
    String::from_utf8(out.stdout).expect("help is UTF-8")
}

/// Each option's entry in `help` (its line of names and value, then its description, possible
/// values and default), by long name.
fn options(help: &str) -> BTreeMap<String, String> {
    let mut options = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in help.lines() {
        // An option's entry starts at `  -x, --name` or `      --name`; its text is indented
        // further, and the section ends at an unindented line ("Examples:").
        let starts_entry = line.starts_with("  -") || line.starts_with("      --");
        if starts_entry || (!line.is_empty() && !line.starts_with(' ')) {
            options.extend(current.take());
        }
        if starts_entry {
            let name = line
                .split_whitespace()
                .find(|w| w.starts_with("--"))
                .unwrap();
            current = Some((name.to_owned(), String::new()));
        }
        if let Some((_, entry)) = &mut current {
            entry.push_str(line.trim_end());
            entry.push('\n');
        }
    }
    options.extend(current);
    options
}

#[test]
fn a_flag_of_both_commands_has_one_help_text() {
    let live = options(&help(&["--help"]));
    let convert = options(&help(&["convert", "--help"]));
    for flag in SHARED {
        assert!(
            live.contains_key(flag) && convert.contains_key(flag),
            "{flag}"
        );
    }
    for (flag, text) in &live {
        // Live, it qualifies --replay's capture and needs --replay; in convert, INPUT.
        if flag == "--ignore-arrivals" {
            continue;
        }
        if let Some(convert_text) = convert.get(flag) {
            assert_eq!(text, convert_text, "{flag} is described differently");
        }
    }
}

#[test]
fn a_shared_flag_is_refused_with_the_same_words_by_both_commands() {
    let dir = tempfile::tempdir().unwrap();
    let converted = dir.path().join("out.csv");
    let capture = fixture("p2_clean");
    for bad in [
        ["--scale", "0"],
        ["--rate", "0"],
        ["--profile", "openbci"],
        ["--labels", "Fp1,,C3"],
    ] {
        // A flag let through would stream for a second and succeed.
        let live = output(reader().args(["--simulate", "--duration", "1"]).args(bad));
        let convert = output(
            reader()
                .arg("convert")
                .arg(&capture)
                .arg(&converted)
                .args(bad),
        );
        let live_err = String::from_utf8_lossy(&live.stderr);
        assert!(!live.status.success(), "{bad:?}: {live_err}");
        assert_eq!(live.status.code(), convert.status.code(), "{bad:?}");
        assert!(live_err.starts_with("eegreader: "), "{bad:?}: {live_err}");
        assert_eq!(
            live_err,
            String::from_utf8_lossy(&convert.stderr),
            "{bad:?}"
        );
        assert!(!converted.exists(), "{bad:?}");
    }
}
