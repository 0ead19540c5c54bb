//! `--screenshot FILE --frames N`: render N frames, ask the renderer for the window's pixels,
//! write them as a PNG and close the window.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use egui::{ColorImage, Context, ViewportCommand};

/// The outcome, read by `main` once the window has closed: `None` if no screenshot arrived.
pub type Outcome = Arc<Mutex<Option<Result<(), String>>>>;

/// A screenshot to take after a number of frames.
#[derive(Debug)]
pub struct Screenshot {
    path: PathBuf,
    frames: u64,
    seen: u64,
    requested: bool,
    tx: Sender<Arc<ColorImage>>,
    rx: Receiver<Arc<ColorImage>>,
    outcome: Outcome,
}

impl Screenshot {
    /// Writes `path` after `frames` frames; the outcome lands in the returned handle.
    pub fn new(path: PathBuf, frames: u64) -> (Self, Outcome) {
        let (tx, rx) = channel();
        let outcome = Outcome::default();
        (
            Self {
                path,
                frames,
                seen: 0,
                requested: false,
                tx,
                rx,
                outcome: outcome.clone(),
            },
            outcome,
        )
    }

    /// Called once per frame, after the UI is drawn.
    pub fn frame(&mut self, ctx: &Context) {
        self.seen += 1;
        if let Ok(image) = self.rx.try_recv() {
            let result = write_png(&self.path, &image)
                .map_err(|e| format!("cannot write {}: {e}", self.path.display()));
            *self
                .outcome
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(result);
            ctx.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        if self.seen >= self.frames && !self.requested {
            self.requested = true;
            let tx = self.tx.clone();
            let wake = ctx.clone();
            ctx.request_screenshot(move |image| {
                let _ = tx.send(image);
                wake.request_repaint();
            });
        }
        // Keep frames coming until the picture is taken.
        ctx.request_repaint();
    }
}

/// Writes `image` as an 8-bit RGB PNG (the window is opaque: alpha is dropped).
pub fn write_png(path: &Path, image: &ColorImage) -> Result<(), Box<dyn std::error::Error>> {
    let [w, h] = image.size;
    let mut encoder = png::Encoder::new(
        BufWriter::new(File::create(path)?),
        u32::try_from(w)?,
        u32::try_from(h)?,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let rgb: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| [c.r(), c.g(), c.b()])
        .collect();
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(())
}
