#!/usr/bin/python3
"""The test signal of the stream scenarios and bench: mono 48 kHz 16-bit.

    gen_signal.py [--seconds 20] [--period-ms 500] --out FILE.wav

A speech-like bed (a voice around 140 Hz with harmonics, pitch and
loudness wandering at random -- never periodic, never silent: about -46 to
-26 dBFS) with a marker
about every PERIOD ms (± 10 %, at random: no period) from 0.5 s on: a 20 ms
Hann-windowed chirp, 400 -> 4000 Hz and back down on the next, at -6 dBFS.  Chirps keep their shape through Opus at speech bitrates (a
noise burst does not) and their autocorrelation has one sharp peak, so each
one is found to a fraction of a sample in every output.  The bed makes a
dropout visible as silence.  FILE.json lists the markers:
  {"rate", "frames", "marker_len", "markers": [sample index of each start]}
"""
import argparse, json, wave
import numpy as np

RATE = 48000
MARK_MS = 20


def chirp():
    n = RATE * MARK_MS // 1000
    t = np.arange(n) / RATE
    f0, f1 = 400.0, 4000.0
    ph = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * t[-1]))
    return 0.5 * np.sin(ph) * np.hanning(n)


def smooth_noise(n, hz, rng):
    """noise low-passed to about hz, scaled to -1..1: no period, so a piece
    of the signal matches nowhere else in it"""
    k = max(1, int(RATE / hz))
    v = np.convolve(rng.standard_normal(n + k), np.hanning(k), mode="valid")[:n]
    return v / np.max(np.abs(v))


def bed(n, rng):
    f = 140 * (1 + 0.08 * smooth_noise(n, 1.5, rng))          # wandering pitch
    ph = 2 * np.cumsum(np.pi * f / RATE)
    v = sum(np.sin(k * ph) / k for k in range(1, 8))
    env = 0.6 + 0.4 * smooth_noise(n, 8, rng)                  # syllables
    return 0.05 * env * v / np.max(np.abs(v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--period-ms", type=int, default=500)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    n = int(a.seconds * RATE)
    rng = np.random.default_rng(6)
    x = bed(n, rng)
    m = chirp()
    # markers every PERIOD ms, each moved by up to ±10 %: a lag that is off
    # by whole periods lines up no more than one of them
    period = RATE * a.period_ms // 1000
    marks, p = [], RATE // 2
    while p + len(m) < n:
        marks.append(p)
        p += period + int(rng.integers(-period // 10, period // 10 + 1))
    for i, p in enumerate(marks):
        x[p:p + len(m)] += m if i % 2 == 0 else m[::-1]      # up, down, up...
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(a.out, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    with open(a.out + ".json", "w") as f:
        json.dump({"rate": RATE, "frames": n, "marker_len": len(m), "markers": marks}, f)
    print(a.out)


if __name__ == "__main__":
    main()
