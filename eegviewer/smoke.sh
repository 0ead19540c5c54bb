#!/usr/bin/env bash
# Real-window smoke test: the simulator piped into the viewer under Xvfb (Mesa llvmpipe, no
# GPU), a screenshot written with --screenshot, and the PNG checked to show six traces.
#
# Needs: xvfb xauth libgl1-mesa-dri libegl1 libxkbcommon-x11-0 (Debian packages).
# Usage: eegviewer/smoke.sh [SCREENSHOT.png]    (default /tmp/eegviewer-smoke.png)
set -euo pipefail
cd "$(dirname "$0")/.."
shot="${1:-/tmp/eegviewer-smoke.png}"
rm -f "$shot"
cargo build -p eegreader -p eegviewer
bin=target/debug
# xvfb-run picks a free display and cleans up after itself.
xvfb-run -a -s "-screen 0 1280x800x24" bash -c \
  "$bin/eegreader --simulate --duration 4 | timeout 120 $bin/eegviewer --screenshot '$shot' --frames 120"
test -s "$shot" || { echo "smoke: no screenshot written" >&2; exit 1; }
EEGVIEWER_SCREENSHOT="$shot" cargo test -p eegviewer --test screenshot -- --ignored --nocapture
# Sweep mode draws the same traces, laid out as the sweep is written.
sweep="${shot%.png}-sweep.png"
rm -f "$sweep"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c \
  "$bin/eegreader --simulate --duration 4 | timeout 120 $bin/eegviewer --sweep --screenshot '$sweep' --frames 120"
test -s "$sweep" || { echo "smoke: no sweep screenshot written" >&2; exit 1; }
EEGVIEWER_SCREENSHOT="$sweep" cargo test -p eegviewer --test screenshot -- --ignored --nocapture
echo "smoke: ok, screenshots at $shot and $sweep"
