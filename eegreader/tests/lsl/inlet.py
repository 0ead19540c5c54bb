"""Receives eegreader's LSL streams NAME and NAME-events with pylsl and prints what came.

Usage: inlet.py NAME. Prints `ready` once both inlets are subscribed, then at the end
`offset <wall clock minus LSL clock, s>`, `rate <the data stream's declared rate, Hz>`, one
`sample <lsl time> <v1> .. <v6>` line per sample and one `marker <lsl time> <text>` line per
marker, in arrival order. Stops when no sample came for 2 s after the first or the streams are
gone (the reader ended).
"""

import sys
import time

import pylsl

name = sys.argv[1]


def resolve(stream_name):
    found = pylsl.resolve_byprop("name", stream_name, 1, 20.0)
    if not found:
        sys.exit(f"stream {stream_name} not found")
    return found[0]


# The marker inlet first: the reader holds its samples and markers for a consumer of the data
# stream only.
events = pylsl.StreamInlet(resolve(name + "-events"))
events.open_stream(10.0)
data_info = resolve(name)
data = pylsl.StreamInlet(data_info)
data.open_stream(10.0)
print("ready", flush=True)



def pull(inlet, into, timeout):
    """Appends what arrives within `timeout`; False once the stream is gone (reader ended)."""
    try:
        chunk, stamps = inlet.pull_chunk(timeout=timeout)
    except pylsl.util.LostError:
        return False
    into.extend(zip(stamps, chunk))
    return True


samples, markers = [], []
last = time.monotonic()
events_open = True
while time.monotonic() - last < (2.0 if samples else 20.0):
    before = len(samples)
    data_open = pull(data, samples, 0.2)
    if len(samples) > before:
        last = time.monotonic()
    events_open = events_open and pull(events, markers, 0.0)
    if not data_open:
        break
while events_open and pull(events, markers, 0.2) and markers and time.monotonic() - last < 2.0:
    pass

# Wall clock minus LSL clock, read between two LSL readings.
before = pylsl.local_clock()
wall = time.time()
after = pylsl.local_clock()
print(f"offset {wall - (before + after) / 2!r}")
print(f"rate {data_info.nominal_srate()!r}")
for stamp, values in samples:
    print("sample", repr(stamp), *(repr(v) for v in values))
for stamp, (text,) in markers:
    print("marker", repr(stamp), text)
