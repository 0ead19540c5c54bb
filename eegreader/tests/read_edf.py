"""Reads an EDF+ file with pyedflib and with MNE-Python and prints what each reports, one fact
per line, for tests/edf.rs to compare with the session:

    reader <name>
    channels <n>
    label <label>                 (one per channel)
    rate <Hz>
    duration <seconds>
    samples <channel> <uV> <uV> ...
    annotation <onset>\t<duration, -1 for none>\t<text>
    warning <message>             (what the reader warned about)

Usage: read_edf.py FILE
"""

import sys
import warnings


def report(name, labels, rate, duration, signals, annotations, caught):
    print("reader", name)
    print("channels", len(labels))
    for label in labels:
        print("label", label)
    print("rate", repr(float(rate)))
    print("duration", repr(float(duration)))
    for channel, values in enumerate(signals):
        print("samples", channel, " ".join(f"{v:.4f}" for v in values))
    for onset, length, text in annotations:
        print(f"annotation {float(onset)!r}\t{float(length)!r}\t{text}")
    for w in caught:
        print("warning", str(w.message).replace("\n", " "))


def with_pyedflib(path):
    import pyedflib

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        edf = pyedflib.EdfReader(path)
        try:
            n = edf.signals_in_file
            labels = edf.getSignalLabels()
            rates = set(edf.getSampleFrequencies())
            assert len(rates) == 1, rates
            signals = [edf.readSignal(c) for c in range(n)]
            onsets, durations, texts = edf.readAnnotations()
            duration = edf.getFileDuration()
        finally:
            edf.close()
    report(
        "pyedflib",
        labels,
        rates.pop(),
        duration,
        signals,
        zip(onsets, durations, texts),
        caught,
    )


def with_mne(path):
    import mne

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    a = raw.annotations
    report(
        "mne",
        raw.ch_names,
        raw.info["sfreq"],
        raw.n_times / raw.info["sfreq"],
        raw.get_data() * 1e6,
        zip(a.onset, a.duration, a.description),
        caught,
    )


if __name__ == "__main__":
    with_pyedflib(sys.argv[1])
    with_mne(sys.argv[1])
