#!/usr/bin/python3
"""Does what a node played match the source?  pcm_match.py OUT.wav REF.wav
[--from FRAME] [--frames N] [--min-corr C] [--min-window C]

OUT is the node's WAV sink (48 kHz mono s16; several playbacks one after the
other); the part from FRAME on (N frames; default: to the end) is compared
with REF (any WAV of 48 kHz mono s16, e.g. the source the operator streamed).
The lag is found by FFT cross-correlation; then the normalised correlation
of the whole overlap and of every 100 ms window of REF that is not quiet.
Prints JSON; exits 1 if the whole correlation is below --min-corr or any
window below --min-window (a frame from somewhere else, a gap, noise)."""
import argparse, json, sys, wave

import numpy as np


def pcm(path):
    w = wave.open(path)
    if w.getframerate() != 48000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
        sys.exit("%s: not 48 kHz mono s16" % path)
    return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("ref")
    ap.add_argument("--from", dest="start", type=int, default=0)
    ap.add_argument("--frames", type=int, default=0)
    ap.add_argument("--min-corr", type=float, default=0.9)
    ap.add_argument("--min-window", type=float, default=0.0)
    a = ap.parse_args()
    out, ref = pcm(a.out), pcm(a.ref)
    out = out[a.start:a.start + a.frames] if a.frames else out[a.start:]
    if len(out) < len(ref) // 2 or len(ref) == 0:
        print(json.dumps({"error": "output too short", "out": len(out), "ref": len(ref)}))
        return 1
    n = 1 << int(np.ceil(np.log2(len(out) + len(ref))))
    xc = np.fft.irfft(np.fft.rfft(out, n) * np.conj(np.fft.rfft(ref, n)), n)
    lag = int(np.argmax(xc[:len(out)]))
    seg = out[lag:lag + len(ref)]
    r = ref[:len(seg)]
    corr = float(np.dot(seg, r) / (np.linalg.norm(seg) * np.linalg.norm(r) + 1e-9))
    win, worst, loud = 4800, 1.0, 0.05 * np.max(np.abs(r))
    for i in range(0, len(r) - win + 1, win):
        x, y = seg[i:i + win], r[i:i + win]
        if np.sqrt(np.mean(y * y)) < loud:
            continue
        c = float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-9))
        worst = min(worst, c)
    res = {"lag_frames": a.start + lag, "overlap": len(seg), "ref": len(ref),
           "corr": round(corr, 4), "worst_window": round(worst, 4)}
    print(json.dumps(res))
    return 0 if corr >= a.min_corr and worst >= a.min_window and len(seg) == len(ref) else 1


if __name__ == "__main__":
    sys.exit(main())
