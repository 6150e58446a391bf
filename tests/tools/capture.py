#!/usr/bin/python3
"""Record a PulseAudio source into a WAV file, with the wall-clock time of
its first sample.

    capture.py SOURCE CHANNEL_MAP OUT.wav            (until SIGTERM/SIGINT)

Runs `parec` (raw s16le, 48 kHz, the channels of CHANNEL_MAP, e.g.
front-left,front-right,front-center) and stamps every read with
CLOCK_REALTIME.  Frame n of the recording was rendered by the sink at
t0 + n/48000 * (1 + drift); a read that returns frames up to N happens at
that time for N plus a delivery delay >= 0, so the lower envelope of
t_read - N/48000 (its minimum in each second, a line fitted through them)
gives t0 and the drift between the sink's clock and CLOCK_REALTIME.
OUT.wav.json gets, rewritten every second and at the end:
  {"rate", "channels": [...], "t0_us": first sample's CLOCK_REALTIME in µs
   (envelope + CAPTURE_OFFSET_US), "frames", "reads", "delivery_p50_us",
   "delivery_p99_us", "drift_ppm"}: frame n sounded at
   t0_us + n * 1e6/48000 * (1 + drift_ppm/1e6)
CAPTURE_OFFSET_US (environment, default 0) is the rig's calibration
constant (lib_audio.sh: audio_calibrate measures it).  The file OUT.wav.ready
appears once the first audio has been read.
"""
import json, os, signal, subprocess, sys, time, wave

RATE = 48000


def main():
    src, cmap, out = sys.argv[1:4]
    nch = len(cmap.split(","))
    off = float(os.environ.get("CAPTURE_OFFSET_US", "0"))
    p = subprocess.Popen(["parec", "-d", src, "--latency-msec=5", "--format=s16le",
                          "--rate=%d" % RATE, "--channels=%d" % nch,
                          "--channel-map=" + cmap, "--raw"], stdout=subprocess.PIPE)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    w = wave.open(out, "wb")
    w.setnchannels(nch); w.setsampwidth(2); w.setframerate(RATE)
    fd, frame, buf = p.stdout.fileno(), 2 * nch, b""
    frames, stamps, last_dump = 0, [], 0.0
    while not stop:
        try:
            d = os.read(fd, 65536)
        except InterruptedError:
            continue
        t = time.clock_gettime(time.CLOCK_REALTIME)
        if not d:
            break
        buf += d
        n = len(buf) // frame
        if n:
            w.writeframesraw(buf[:n * frame]); buf = buf[n * frame:]
            frames += n
            stamps.append((t, frames))
            if frames == n:
                open(out + ".ready", "w").close()
        if t - last_dump >= 1.0 and stamps:
            dump(out, cmap, frames, stamps, off); last_dump = t
    p.terminate(); p.wait()
    w.close()
    if stamps:
        dump(out, cmap, frames, stamps, off)


def envelope_fit(stamps):
    """Lower envelope of t_read - n/RATE: its minimum in each second, and a
    least-squares line through those minima against n.  Returns (t0 in s,
    drift in ppm: how much longer a frame lasts than 1/RATE on
    CLOCK_REALTIME, delivery delays in µs above the line)."""
    env = [(n, t - n / RATE) for t, n in stamps]
    wins = {}
    for n, e in env:
        k = n // RATE
        if k not in wins or e < wins[k][1]:
            wins[k] = (n, e)
    pts = sorted(wins.values())[1:] or sorted(wins.values())   # the first second: start-up backlog
    if len(pts) >= 3:
        x = [p[0] / RATE for p in pts]; y = [p[1] for p in pts]
        mx, my = sum(x) / len(x), sum(y) / len(y)
        sxx = sum((a - mx) ** 2 for a in x)
        slope = sum((a - mx) * (b - my) for a, b in zip(x, y)) / sxx if sxx else 0.0
        t0 = my - slope * mx
    else:
        slope, t0 = 0.0, min(p[1] for p in pts)
    # the line through the lowest point(s): shift down so no window minimum is below it
    t0 += min(p[1] - (t0 + slope * p[0] / RATE) for p in pts)
    dl = sorted((e - (t0 + slope * n / RATE)) * 1e6 for n, e in env)
    return t0, slope * 1e6, dl


def dump(out, cmap, frames, stamps, off):
    t0, drift, dl = envelope_fit(stamps)
    info = {"rate": RATE, "channels": cmap.split(","), "t0_us": int(round(t0 * 1e6 + off)),
            "offset_us": off, "drift_ppm": round(drift, 2), "frames": frames, "reads": len(stamps),
            "delivery_p50_us": round(dl[len(dl) // 2]), "delivery_p99_us": round(dl[len(dl) * 99 // 100])}
    tmp = out + ".json.tmp"
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, out + ".json")


if __name__ == "__main__":
    main()
