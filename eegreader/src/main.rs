//! eegreader: the command-line reader for OpenEEG amplifiers. Not built yet: the decoding
//! library it will be a thin layer over is in `libeeg`; the reader itself is issue #3.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!("eegreader: the reader is not built yet (issue #3). The decoder is in libeeg;");
    eprintln!("try: cargo run --release -p libeeg --example alpha_bursts");
    ExitCode::from(2)
}
