//! Checks a screenshot taken by `smoke.sh` (`eegviewer --screenshot FILE`): every one of the
//! six channel bands holds trace pixels. Ignored in plain `cargo test` (it needs a screenshot
//! from a real window); `smoke.sh` runs it with `--ignored` and `EEGVIEWER_SCREENSHOT` set.

use std::fs::File;

/// Rows of the toolbar and the status bar, at the default 1280 x 800 window, left out.
const TOP: usize = 60;
const BOTTOM: usize = 60;
/// Columns of the axis on the left and the events list on the right, left out.
const LEFT: usize = 80;
const RIGHT: usize = 180;

#[test]
#[ignore = "needs a screenshot from a real window: run by eegviewer/smoke.sh"]
fn the_screenshot_shows_six_traces() {
    let path =
        std::env::var("EEGVIEWER_SCREENSHOT").expect("EEGVIEWER_SCREENSHOT names the PNG to check");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        File::open(&path).expect("the screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("pixels");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    assert!(
        w > LEFT + RIGHT + 100 && h > TOP + BOTTOM + 120,
        "{w} x {h} is too small"
    );
    // Traces are saturated colours; the background, grid and text are greys.
    let coloured = |x: usize, y: usize| {
        let p = &buf[(y * w + x) * channels..][..3];
        let (lo, hi) = (p.iter().min().unwrap(), p.iter().max().unwrap());
        hi - lo > 60
    };
    let band = (h - TOP - BOTTOM) / 6;
    for ch in 0..6 {
        let rows = TOP + ch * band..TOP + (ch + 1) * band;
        let count = rows
            .flat_map(|y| (LEFT..w - RIGHT).map(move |x| (x, y)))
            .filter(|&(x, y)| coloured(x, y))
            .count();
        assert!(
            count > 300,
            "channel {} band has {count} trace pixels",
            ch + 1
        );
    }
}
