#!/usr/bin/python3
"""Analyse a capture of the audio rig (tests/scenario/lib_audio.sh).

    audio_sync.py CAPTURE.wav [--ref SIGNAL.wav] [--start-us T] [--label L]
                  [--channels L,R] [--search-ms 3000] [--pretty]

CAPTURE.wav: channels L R M (the rig's outL, outR, mouth); CAPTURE.wav.json
from capture.py gives t0_us and drift_ppm: frame n sounded at
t0_us + n * 1e6/48000 * (1 + drift_ppm/1e6) on the wall clock.
SIGNAL.wav (from gen_signal.py, with SIGNAL.wav.json listing its markers) is
what was streamed; T is the intended presentation time (wall clock, µs) of
its sample 0 (sample n: T + n * 1e6/48000, or with --ref-drift-ppm D
times (1 + D/1e6): a player that does not follow the wall clock, such as
alsa_play.py).  Prints one JSON object:

  channels.X.corr        normalized cross-correlation of the output with
                         the reference, per second of the reference at its
                         own best lag: median (corr_min: the worst second;
                         1.0 = identical waveform: "the output matches the
                         source")
  channels.X.start_us    measured wall time of reference sample 0 in X
  channels.X.late_us     X's lateness: measured - intended (needs --start-us),
                         {median, min, max, n} over the markers
  channels.X.markers     markers found (peak corr >= 0.5) / expected; lost
  channels.X.dropouts    silences (>= 5 ms below -60 dBFS) between the first
                         and last marker; dropout_ms their total length
  offset_us              per marker, R - L by cross-correlating R against L
                         (sub-sample, parabolic peak): {median, max_abs, min,
                         max, n, values}
  mouth_to_L_us          per marker, L - M (M: the mouth channel, if it
                         carries the signal): the latency from the sender's
                         input to the speaker, {median, min, max, n}
Exit 0 unless the input could not be read.
"""
import argparse, json, sys, wave
import numpy as np

NAMES = ["L", "R", "M"]


def read_wav(path):
    with wave.open(path) as w:
        nch, rate = w.getnchannels(), w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return rate, x.reshape(-1, nch)


def xcorr(a, b):
    """c[k] = sum a[n+k] b[n], k = 0 .. len(a)-len(b) (b slides inside a)."""
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    c = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    return c[:len(a) - len(b) + 1]


def peak(c):
    """index of max with parabolic sub-sample refinement"""
    k = int(np.argmax(c))
    if 0 < k < len(c) - 1:
        y0, y1, y2 = c[k - 1], c[k], c[k + 1]
        d = y0 - 2 * y1 + y2
        if d < 0:
            return k + 0.5 * (y0 - y2) / d
    return float(k)


def stats(v):
    if not v:
        return {"n": 0}
    a = np.array(v)
    return {"median": round(float(np.median(a)), 1), "min": round(float(a.min()), 1),
            "max": round(float(a.max()), 1), "max_abs": round(float(np.abs(a).max()), 1),
            "n": len(v)}


def norm_corr_at(x, ref, lag):
    lo, hi = max(0, lag), min(len(x), lag + len(ref))
    if hi - lo < len(ref) // 2:
        return 0.0
    a, b = x[lo:hi], ref[lo - lag:hi - lag]
    den = np.sqrt(np.dot(a, a) * np.dot(b, b))
    return float(np.dot(a, b) / den) if den > 0 else 0.0


def dropouts(x, rate, lo, hi):
    blk = rate // 400                                   # 2.5 ms blocks
    seg = x[lo:hi]
    nb = len(seg) // blk
    if nb == 0:
        return 0, 0.0
    rms = np.sqrt(np.mean(seg[:nb * blk].reshape(nb, blk) ** 2, axis=1))
    quiet = rms < 1e-3
    runs, n, total = 0, 0, 0
    for q in list(quiet) + [False]:
        if q:
            n += 1
        else:
            if n >= 2:
                runs += 1; total += n
            n = 0
    return runs, total * blk * 1000.0 / rate


def analyse_channel(x, ref, marks, mlen, rate, guess, search):
    """Find ref in x: its first 3 s anywhere in the search window (near
    guess if given), then every 1 s segment within ±20 ms of the previous
    one, or within ±500 ms if it is not there (a receiver that follows its
    sound card's clock, or skips to resync, slips against the reference:
    one lag for 20 s would smear), then each marker within ±10 ms of its
    segment's lag."""
    if guess is not None:
        lo = max(0, guess - search)
        hi = min(len(x), guess + search + len(ref))
    else:
        lo, hi = 0, len(x)
    head = ref[:min(len(ref), 3 * rate)]
    seg = x[lo:hi]
    if len(seg) < len(head):
        seg = np.concatenate([seg, np.zeros(len(head) - len(seg))])
    lag = lo + int(np.argmax(xcorr(seg, head)))
    out = {"lag_frames": lag}
    # segment tracking: lag of each second of the reference
    seglags, corrs, cur, step, w, wide = {}, [], lag, rate, rate // 50, rate // 2
    for s0 in range(0, len(ref) - step + 1, step):
        r = ref[s0:s0 + step]
        a = cur + s0 - w
        if a < 0 or a + step + 2 * w > len(x):
            continue
        k = int(np.argmax(xcorr(x[a:a + step + 2 * w], r)))
        c = norm_corr_at(x, r, a + k)
        if c < 0.5:                     # a jump (a receiver's resync): look wider
            a2 = max(0, cur + s0 - wide)
            seg2 = x[a2:a2 + step + 2 * wide]
            if len(seg2) >= step:
                k2 = int(np.argmax(xcorr(seg2, r)))
                c2 = norm_corr_at(x, r, a2 + k2)
                if c2 > c:
                    a, k, c = a2, k2, c2
        l = a + k - s0
        corrs.append(c)
        if c >= 0.5:                    # a lost second does not move the track
            cur = l
        seglags[s0 // step] = cur
    out["corr"] = round(float(np.median(corrs)), 4) if corrs else 0.0
    out["corr_min"] = round(float(min(corrs)), 4) if corrs else 0.0
    found, pos = 0, {}
    w = rate // 100                                     # ±10 ms around the segment's lag
    for i, m in enumerate(marks):
        base = seglags.get(m // step, lag)
        a = base + m - w
        b = a + mlen + 2 * w
        if a < 0 or b > len(x):
            continue
        seg = x[a:b]
        tmpl = ref[m:m + mlen]
        c = xcorr(seg, tmpl)
        k = peak(c)
        ki = int(round(k))
        s = seg[ki:ki + mlen]
        den = np.sqrt(np.dot(s, s) * np.dot(tmpl, tmpl))
        if den > 0 and np.dot(s, tmpl) / den >= 0.5:
            found += 1
            pos[i] = a + k
    out["markers"] = found
    out["markers_expected"] = len(marks)
    out["lost"] = len(marks) - found
    if marks:
        runs, ms = dropouts(x, rate, lag + marks[0], lag + marks[-1] + mlen)
        out["dropouts"], out["dropout_ms"] = runs, round(ms, 1)
    return out, pos


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("--ref")
    ap.add_argument("--start-us", type=float)
    ap.add_argument("--ref-drift-ppm", type=float, default=0,
                    help="the player's clock against the wall clock (alsa_play.py's drift_ppm)")
    ap.add_argument("--label", default="")
    ap.add_argument("--channels", default="L,R")
    ap.add_argument("--search-ms", type=float, default=3000)
    ap.add_argument("--pretty", action="store_true")
    ap.add_argument("--summary", action="store_true", help="leave out per-marker values")
    a = ap.parse_args()
    rate, cap = read_wav(a.capture)
    meta = json.load(open(a.capture + ".json"))
    t0, k = meta["t0_us"], 1 + meta.get("drift_ppm", 0) / 1e6

    def wall(n):                    # wall-clock µs at which capture frame n sounded
        return t0 + n * k * 1e6 / rate
    if a.ref:
        rrate, ref = read_wav(a.ref)
        ref = ref[:, 0]
        rmeta = json.load(open(a.ref + ".json"))
        marks, mlen = rmeta["markers"], rmeta["marker_len"]
    else:
        sys.exit("audio_sync: --ref is required")
    guess = None
    if a.start_us is not None:
        guess = int(round((a.start_us - t0) * rate / 1e6 / k))
    search = int(a.search_ms * rate / 1000)
    res = {"label": a.label, "rate": rate, "capture_t0_us": t0,
           "capture_frames": len(cap), "channels": {}}
    pos = {}
    want = [c for c in a.channels.split(",") if c]
    if "M" not in want and cap.shape[1] > 2 and np.sqrt(np.mean(cap[:, 2] ** 2)) > 1e-3:
        want.append("M")
    for name in want:
        ci = NAMES.index(name)
        if ci >= cap.shape[1]:
            continue
        x = cap[:, ci]
        ch, p = analyse_channel(x, ref, marks, mlen, rate, guess, search)
        pos[name] = p
        ch["start_us"] = int(round(wall(ch["lag_frames"])))
        if a.start_us is not None:
            kr = 1 + a.ref_drift_ppm / 1e6
            late = [wall(p[i]) - (a.start_us + marks[i] * kr * 1e6 / rate) for i in sorted(p)]
            ch["late_us"] = stats(late)
            if not a.summary:
                ch["late_us"]["values"] = [round(v, 1) for v in late]
        res["channels"][name] = ch
    if "L" in pos and "R" in pos:
        offs = []
        w = rate // 20                                  # 50 ms of L around each marker
        for i in sorted(set(pos["L"]) & set(pos["R"])):
            c0 = int(pos["L"][i]) - w // 4
            d = int(round(pos["R"][i] - pos["L"][i]))
            lwin = cap[c0:c0 + w, 0]
            r0 = c0 + d - rate // 100
            rwin = cap[max(0, r0):r0 + w + rate // 50, 1]
            if r0 < 0 or len(lwin) < w or len(rwin) < w + rate // 50:
                continue
            k = peak(xcorr(rwin, lwin))
            offs.append((r0 + k - c0) * 1e6 / rate)
        res["offset_us"] = stats(offs)
        if not a.summary:
            res["offset_us"]["values"] = [round(v, 1) for v in offs]
    if "L" in pos and "M" in pos:
        lat = [(pos["L"][i] - pos["M"][i]) * 1e6 / rate for i in sorted(set(pos["L"]) & set(pos["M"]))]
        res["mouth_to_L_us"] = stats(lat)
    print(json.dumps(res, indent=2 if a.pretty else None))


if __name__ == "__main__":
    main()
