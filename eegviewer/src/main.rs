//! eegviewer: the real-time viewer for OpenEEG streams. Not built yet (issue #4).

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!("eegviewer: the viewer is not built yet (issue #4).");
    ExitCode::from(2)
}
