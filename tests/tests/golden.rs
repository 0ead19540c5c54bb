//! Golden fixtures: every `fixtures/<name>.bin` beside a `<name>.expected` is decoded and its
//! transcript (see `workspace_tests::transcript`) compared with the golden file; then the same
//! bytes are decoded at every chunk size, which must give the same events and counters. A
//! capture recorded live has its arrivals file beside it (`<name>.bin.arrivals`): its golden
//! run replays the recorded reads at their times, as `eegreader --replay` does; the chunk test
//! decodes its bytes without times.
//!
//! `UPDATE_GOLDEN=1 cargo test -p workspace-tests --test golden` rewrites the `.expected` files
//! from the current decoder instead of failing (as `cargo run -p workspace-tests --bin
//! make_fixtures` does, which also rewrites the `.bin` files). Review the diff before keeping it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use libeeg::arrivals::Entry;
use libeeg::{DecoderConfig, Event, Stats};
use workspace_tests::transcript::render;
use workspace_tests::{decode, decode_recorded, recorded_arrivals};

/// The fixtures directory at the workspace root.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// What one decoding run reports: its events and final counters.
type Run = (Vec<Event>, Stats);

/// A capture with a golden transcript beside it.
struct Fixture {
    name: String,
    bytes: Vec<u8>,
    /// The arrivals file beside it (`<name>.bin.arrivals`), if the capture was recorded live.
    arrivals: Option<Vec<Entry>>,
    expected_path: PathBuf,
}

impl Fixture {
    /// The decoder's run on the whole capture, with its recorded arrival times if it has them.
    fn run(&self, config: &DecoderConfig) -> Run {
        match &self.arrivals {
            Some(entries) => decode_recorded(config, &self.bytes, entries),
            None => decode(config, &self.bytes, self.bytes.len()),
        }
    }
}

/// Every `*.bin` in the fixtures directory that has a `.expected` beside it, by name.
fn fixtures() -> Vec<Fixture> {
    let dir = fixtures_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut fixtures: Vec<Fixture> = entries
        .map(|entry| entry.expect("reading the fixtures directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bin"))
        .filter_map(|bin| {
            let expected_path = bin.with_extension("expected");
            expected_path.is_file().then(|| Fixture {
                name: bin
                    .file_stem()
                    .expect("a .bin file has a stem")
                    .to_string_lossy()
                    .into_owned(),
                bytes: std::fs::read(&bin).unwrap_or_else(|e| panic!("{}: {e}", bin.display())),
                arrivals: recorded_arrivals(&bin),
                expected_path,
            })
        })
        .collect();
    fixtures.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        !fixtures.is_empty(),
        "no fixtures in {}: run `cargo run -p workspace-tests --bin make_fixtures`",
        dir.display()
    );
    fixtures
}

fn update_requested() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// The first hunk where two transcripts differ, with a little context: enough to see what
/// changed without printing a whole file.
fn short_diff(expected: &str, actual: &str) -> String {
    /// Lines of context around the hunk, and the most lines shown per side.
    const CONTEXT: usize = 2;
    const SHOWN: usize = 10;
    /// How far ahead to look for where the two sides agree again.
    const LOOKAHEAD: usize = 64;
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let Some(first) = (0..e.len().max(a.len())).find(|&i| e.get(i) != a.get(i)) else {
        return "(no line differs; line endings differ)\n".into();
    };
    // The hunk ends where CONTEXT lines (or the rest of both files) agree again: try the
    // shortest hunks first.
    let agree = |i: usize, j: usize| (0..CONTEXT.max(1)).all(|k| e.get(i + k) == a.get(j + k));
    let (de, da) = (0..=2 * LOOKAHEAD)
        .flat_map(|total| (0..=total).map(move |de| (de, total - de)))
        .filter(|&(de, da)| de <= LOOKAHEAD && da <= LOOKAHEAD)
        .find(|&(de, da)| {
            first + de <= e.len() && first + da <= a.len() && agree(first + de, first + da)
        })
        .unwrap_or((
            LOOKAHEAD.min(e.len() - first),
            LOOKAHEAD.min(a.len() - first),
        ));
    let mut out = format!(
        "@@ -{},{de} +{},{da} @@ (expected {} lines, got {})\n",
        first + 1,
        first + 1,
        e.len(),
        a.len()
    );
    for line in &e[first.saturating_sub(CONTEXT)..first] {
        out.push_str(&format!("  {line}\n"));
    }
    for (sign, side, n) in [('-', &e, de), ('+', &a, da)] {
        for line in &side[first..first + n.min(SHOWN)] {
            out.push_str(&format!("{sign} {line}\n"));
        }
        if n > SHOWN {
            out.push_str(&format!("{sign} ... {} more\n", n - SHOWN));
        }
    }
    for line in e.iter().skip(first + de).take(CONTEXT) {
        out.push_str(&format!("  {line}\n"));
    }
    let rest_differs = e.get(first + de..) != a.get(first + da..);
    if rest_differs {
        out.push_str("(more differences follow)\n");
    }
    out
}

#[test]
fn whole_file_transcripts_match_the_goldens() {
    let config = DecoderConfig::default();
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let (events, stats) = fixture.run(&config);
        let actual = render(&events, &stats);
        let expected = std::fs::read_to_string(&fixture.expected_path).unwrap_or_default();
        if actual == expected {
            continue;
        }
        if update_requested() {
            std::fs::write(&fixture.expected_path, &actual)
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.expected_path.display()));
            eprintln!("updated {}", fixture.expected_path.display());
        } else {
            failures.push(format!(
                "{}:\n{}",
                fixture.name,
                short_diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "transcripts differ from the goldens; if the change is intended, rerun with UPDATE_GOLDEN=1 \
         (or `cargo run -p workspace-tests --bin make_fixtures`) and review the diff\n\n{}",
        failures.join("\n")
    );
}

/// Every chunk size from 1 byte to the whole file. The fixtures are kept small (under 12 KB) so
/// that this stays fast: all of them at every size take about 2 s on two cores in the test
/// profile (opt-level 1), so no sizes are left out. A much larger fixture would call for a
/// sample here (say every size up to 256, then every 7th).
fn chunk_sizes(len: usize) -> impl Iterator<Item = usize> {
    1..=len.max(1)
}

#[test]
fn every_chunk_size_gives_the_same_events() {
    let config = DecoderConfig::default();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let whole = decode(&config, &fixture.bytes, fixture.bytes.len());
        let sizes: Vec<usize> = chunk_sizes(fixture.bytes.len()).collect();
        // Chunk sizes that disagree with the whole-file run, with their events.
        let wrong: Mutex<Vec<(usize, Run)>> = Mutex::new(Vec::new());
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    while let Some(&chunk) = sizes.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let run = decode(&config, &fixture.bytes, chunk);
                        if run != whole {
                            wrong
                                .lock()
                                .expect("no worker panics holding the lock")
                                .push((chunk, run));
                        }
                    }
                });
            }
        });
        let mut wrong = wrong.into_inner().expect("no worker panicked");
        wrong.sort_by_key(|(chunk, _)| *chunk);
        if let Some((chunk, (events, stats))) = wrong.first() {
            let sizes: Vec<String> = wrong.iter().take(20).map(|(c, _)| c.to_string()).collect();
            failures.push(format!(
                "{}: {} chunk sizes give other events than the whole file (first: {}{})\n\
                 whole file vs chunk size {chunk}, {}",
                fixture.name,
                wrong.len(),
                sizes.join(", "),
                if wrong.len() > 20 { ", ..." } else { "" },
                short_diff(&render(&whole.0, &whole.1), &render(events, stats))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "decoding depends on the chunking:\n\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fixture_is_described_in_the_readme() {
    let path = fixtures_dir().join("README.md");
    let readme =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let missing: Vec<String> = fixtures()
        .into_iter()
        .map(|f| f.name)
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures not described in {}: {missing:?}",
        path.display()
    );
}
