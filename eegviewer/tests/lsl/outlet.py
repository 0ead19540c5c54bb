"""Publishes a known 8-channel signal over LSL with pylsl, for the viewer's LSL ingest test.

Usage: outlet.py NAME SAMPLES. Prints `ready` once the outlet exists, waits for a consumer,
pushes SAMPLES samples at 256 Hz from t0 (sample i, channel c: ((7 i + 100 c) % 1024 - 512)
x 0.5 uV at t0 + i / 256 on the LSL clock), then prints `t0 <s>` and `offset <wall clock
minus LSL clock, s>`, and keeps the stream open until its standard input closes.
"""

import sys
import time

import pylsl

name, count = sys.argv[1], int(sys.argv[2])
info = pylsl.StreamInfo(name, "EEG", 8, 256.0, "float32", "viewer-test-source")
outlet = pylsl.StreamOutlet(info)
print("ready", flush=True)
if not outlet.wait_for_consumers(20.0):
    sys.exit("no consumer came")
t0 = pylsl.local_clock()
for i in range(count):
    sample = [((7 * i + 100 * c) % 1024 - 512) * 0.5 for c in range(8)]
    outlet.push_sample(sample, t0 + i / 256.0)
before = pylsl.local_clock()
wall = time.time()
after = pylsl.local_clock()
print(f"t0 {t0!r}", flush=True)
print(f"offset {wall - (before + after) / 2!r}", flush=True)
sys.stdin.read()
