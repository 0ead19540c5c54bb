//! The Screenshot button (and F12): the window saved as `eegviewer-YYYYMMDD-HHMMSS.png` in
//! the screenshot directory (the current one unless `--screenshot-dir` says otherwise), and a
//! notice saying where it went or why it did not. The name's time is UTC, so names sort in
//! the order they were taken wherever the files end up. Failure (a read-only directory, a
//! full disk, a renderer that cannot take screenshots) is a notice, never a panic.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use egui::{Align2, Color32, ColorImage, Context, RichText};

use super::screenshot::write_png;

/// How long a notice stays on screen.
const NOTICE_TIME: Duration = Duration::from_secs(6);
/// A renderer that sends no picture within this time cannot take screenshots.
const RENDERER_TIMEOUT: Duration = Duration::from_secs(5);
/// Colour of a failure notice.
const WARN: Color32 = Color32::from_rgb(0xff, 0x8a, 0x80);

/// Where a screenshot is on its way.
#[derive(Debug)]
enum Stage {
    Idle,
    /// Asked the renderer for the window's pixels.
    Rendering(Receiver<Arc<ColorImage>>, Instant),
    /// A thread is writing the file (encoding takes a few frames' time).
    Writing(Receiver<Result<PathBuf, String>>),
}

/// Screenshots on request; see the module documentation.
#[derive(Debug)]
pub struct Snapshots {
    dir: PathBuf,
    stage: Stage,
    notice: Option<(String, bool, Instant)>,
}

impl Snapshots {
    /// Screenshots saved in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            stage: Stage::Idle,
            notice: None,
        }
    }

    /// Asks the renderer for the window as it is at the end of this frame; ignored while a
    /// screenshot is still on its way.
    pub fn request(&mut self, ctx: &Context) {
        if !matches!(self.stage, Stage::Idle) {
            return;
        }
        let (tx, rx) = channel();
        let wake = ctx.clone();
        ctx.request_screenshot(move |image| {
            let _ = tx.send(image);
            wake.request_repaint();
        });
        self.stage = Stage::Rendering(rx, Instant::now());
    }

    /// The latest notice and whether it reports success, while it is on screen.
    pub fn notice(&self) -> Option<(&str, bool)> {
        self.notice
            .as_ref()
            .filter(|(_, _, since)| since.elapsed() < NOTICE_TIME)
            .map(|(text, ok, _)| (text.as_str(), *ok))
    }

    /// Once per frame: moves a screenshot along and shows the notice in the bottom-right
    /// corner, above the status bar.
    pub fn frame(&mut self, ctx: &Context) {
        self.advance(ctx);
        let Some((text, ok)) = self.notice() else {
            return;
        };
        let text = if ok {
            RichText::new(text)
        } else {
            RichText::new(text).color(WARN)
        };
        egui::Area::new(egui::Id::unique("screenshot-notice"))
            .anchor(Align2::RIGHT_BOTTOM, [-12.0, -36.0])
            .interactable(false)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| ui.label(text));
            });
        // Wake up to take the notice away.
        ctx.request_repaint_after(NOTICE_TIME);
    }

    fn advance(&mut self, ctx: &Context) {
        match &self.stage {
            Stage::Idle => {}
            Stage::Rendering(rx, asked) => match rx.try_recv() {
                Ok(image) => {
                    let (tx, done) = channel();
                    let (dir, wake) = (self.dir.clone(), ctx.clone());
                    std::thread::spawn(move || {
                        let _ = tx.send(save(&dir, &image, SystemTime::now()));
                        wake.request_repaint();
                    });
                    self.stage = Stage::Writing(done);
                }
                Err(TryRecvError::Empty) if asked.elapsed() < RENDERER_TIMEOUT => {
                    ctx.request_repaint()
                }
                Err(_) => {
                    self.stage = Stage::Idle;
                    self.set_notice(Err(
                        "Screenshot not saved: the renderer sent no picture".to_owned()
                    ));
                }
            },
            Stage::Writing(done) => match done.try_recv() {
                Ok(result) => {
                    self.stage = Stage::Idle;
                    self.set_notice(result);
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.stage = Stage::Idle;
                    self.set_notice(Err("Screenshot not saved: the writer stopped".to_owned()));
                }
            },
        }
    }

    fn set_notice(&mut self, result: Result<PathBuf, String>) {
        self.notice = Some(match result {
            Ok(path) => (
                format!("Screenshot saved: {}", path.display()),
                true,
                Instant::now(),
            ),
            Err(message) => (message, false, Instant::now()),
        });
    }
}

/// Writes `image` to a new file in `dir` named for `now`; returns its absolute path, or the
/// notice text saying what failed. A second screenshot within the same second gets `-2`.
pub fn save(dir: &Path, image: &ColorImage, now: SystemTime) -> Result<PathBuf, String> {
    let name = file_name(now);
    let stem = name.trim_end_matches(".png");
    let path = (1..)
        .map(|n| {
            dir.join(if n == 1 {
                name.clone()
            } else {
                format!("{stem}-{n}.png")
            })
        })
        .find(|p| !p.exists())
        .expect("some name is free");
    let path = std::path::absolute(&path).unwrap_or(path);
    write_png(&path, image).map_err(|e| {
        // Leave no truncated file behind (a full disk).
        let _ = std::fs::remove_file(&path);
        failure_text(&path, &*e)
    })?;
    Ok(path)
}

/// The notice for a screenshot that could not be written to `path`.
pub fn failure_text(path: &Path, error: &dyn std::error::Error) -> String {
    format!(
        "Screenshot not saved: cannot write {}: {error}",
        path.display()
    )
}

/// `eegviewer-YYYYMMDD-HHMMSS.png` for `now`, in UTC.
pub fn file_name(now: SystemTime) -> String {
    let seconds = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_date(seconds / 86_400);
    let s = seconds % 86_400;
    format!(
        "eegviewer-{year:04}{month:02}{day:02}-{:02}{:02}{:02}.png",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The calendar date (year, month, day) of `days` days after 1970-01-01.
fn civil_date(mut days: u64) -> (u64, u64, u64) {
    let leap = |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let mut year = 1970;
    loop {
        let length = if leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let february = if leap(year) { 29 } else { 28 };
    let months = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 1;
    for length in months {
        if days < length {
            break;
        }
        days -= length;
        month += 1;
    }
    (year, month, days + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn names_carry_the_utc_date_and_time() {
        assert_eq!(file_name(at(0)), "eegviewer-19700101-000000.png");
        // 2024-02-29 13:45:07 UTC, a leap day.
        assert_eq!(
            file_name(at(1_709_214_307)),
            "eegviewer-20240229-134507.png"
        );
        // 2023-12-31 23:59:59 UTC.
        assert_eq!(
            file_name(at(1_704_067_199)),
            "eegviewer-20231231-235959.png"
        );
    }

    #[test]
    fn a_second_screenshot_in_the_same_second_gets_its_own_name() {
        let dir = tempfile::tempdir().unwrap();
        let image = ColorImage::filled([4, 3], Color32::DARK_GRAY);
        let first = save(dir.path(), &image, at(1_709_214_307)).unwrap();
        let second = save(dir.path(), &image, at(1_709_214_307)).unwrap();
        assert!(
            first.ends_with("eegviewer-20240229-134507.png"),
            "{first:?}"
        );
        assert!(
            second.ends_with("eegviewer-20240229-134507-2.png"),
            "{second:?}"
        );
        assert!(first.is_absolute());
        assert!(std::fs::metadata(&second).unwrap().len() > 0);
    }

    #[test]
    fn a_failed_write_says_where_and_why() {
        // A file where the directory should be fails for root too (unlike a read-only one).
        let dir = tempfile::tempdir().unwrap();
        let not_a_dir = dir.path().join("plain-file");
        std::fs::write(&not_a_dir, b"x").unwrap();
        let image = ColorImage::filled([4, 3], Color32::DARK_GRAY);
        let message = save(&not_a_dir, &image, at(0)).unwrap_err();
        let expected = format!(
            "Screenshot not saved: cannot write {}",
            not_a_dir.join("eegviewer-19700101-000000.png").display()
        );
        assert!(message.starts_with(&expected), "{message}");
        assert!(
            message.len() > expected.len() + 2,
            "the reason is given: {message}"
        );
    }
}
