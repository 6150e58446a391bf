#!/usr/bin/python3
"""Play a mono 48 kHz WAV to an ALSA PCM so that its first sample sounds at
a given wall-clock instant, the way a node times its output.

    alsa_play.py PCM FILE.wav START_US [LATENCY_MS]

Opens PCM (real alsa-lib through ctypes), writes silence until the next
written frame will sound at START_US (CLOCK_REALTIME, µs) by the device's
own account -- snd_pcm_delay(): frames queued ahead of the one being
played -- then the file.  Prints one JSON line: {"pcm", "start_us" (the
requested instant), "t0_us" (when sample 0 sounds by the device's account:
the line fitted through all delay readings, wall time against the frame
sounding), "drift_ppm" (device clock against the wall clock), "readings",
"resid_p95_us" (95th percentile of the readings' distance from the line),
"frames", "xruns"}.  Used to
calibrate the capture (lib_audio.sh: audio_calibrate) and as the rig's
"mouth" in the benchmark.
"""
import ctypes, json, sys, time, wave
import numpy as np

RATE = 48000
SND_PCM_STREAM_PLAYBACK, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED = 0, 2, 3
SND_PCM_STATE_RUNNING = 3
asound = ctypes.CDLL("libasound.so.2")
asound.snd_strerror.restype = ctypes.c_char_p
asound.snd_pcm_writei.restype = ctypes.c_long
asound.snd_pcm_writei.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulong]


def ck(rc, what):
    if rc < 0:
        sys.exit("alsa_play: %s: %s" % (what, asound.snd_strerror(rc).decode()))
    return rc


def now_us():
    return time.clock_gettime_ns(time.CLOCK_REALTIME) / 1000.0


def main():
    pcm_name, path, start_us = sys.argv[1], sys.argv[2], float(sys.argv[3])
    lat_ms = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    with wave.open(path) as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit("alsa_play: want mono 16-bit 48 kHz WAV")
        data = w.readframes(w.getnframes())
    pcm = ctypes.c_void_p()
    ck(asound.snd_pcm_open(ctypes.byref(pcm), pcm_name.encode(), SND_PCM_STREAM_PLAYBACK, 0), "open")
    ck(asound.snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
                                 1, RATE, 1, lat_ms * 1000), "set_params")
    xruns = 0
    period = RATE // 100                    # write in 10 ms pieces
    delay = ctypes.c_long()

    def write(buf):
        nonlocal xruns
        off = 0
        while off < len(buf):
            n = asound.snd_pcm_writei(pcm, buf[off:], (len(buf) - off) // 2)
            if n < 0:
                xruns += 1
                ck(asound.snd_pcm_recover(pcm, int(n), 1), "recover")
                continue
            off += 2 * n

    # Each delay reading says which frame is sounding now: written - delay.
    # The plugin's report is noisy (a few hundred µs) and the device's
    # clock is not the wall clock's (PulseAudio's null sink runs ~200 ppm
    # fast), so a line fitted through all readings (wall time against
    # frame) says when a frame sounds, as a node's clock model would.
    written, pts = 0, []

    def measure():
        if asound.snd_pcm_state(pcm) != SND_PCM_STATE_RUNNING:
            return                  # not started: the delay says nothing yet
        if asound.snd_pcm_delay(pcm, ctypes.byref(delay)) == 0:
            pts.append((written - delay.value, now_us()))

    def when(frame):                # wall time (µs) at which frame sounds
        if not pts:
            return None
        f = np.array([p[0] for p in pts], float); t = np.array([p[1] for p in pts])
        if len(pts) < 50 or f.max() - f.min() < RATE // 10:
            return float(np.median(t + (frame - f) * 1e6 / RATE))
        slope, icpt = np.polyfit(f - f[0], t - t[0], 1)
        return t[0] + icpt + slope * (frame - f[0])

    while True:
        measure()
        t = when(written)
        if t is not None and t >= start_us - 1e6 / RATE:
            break
        k = period if t is None else max(1, int(min((start_us - t) * RATE / 1e6, period)))
        write(b"\0\0" * k)
        written += k
    first = written
    for off in range(0, len(data), 2 * period):
        write(data[off:off + 2 * period])
        written += len(data[off:off + 2 * period]) // 2
        measure()
    t0 = when(first)
    f = np.array([p[0] for p in pts], float); t = np.array([p[1] for p in pts])
    slope, icpt = np.polyfit(f - f[0], t - t[0], 1)
    resid = t - t[0] - (icpt + slope * (f - f[0]))
    drift = slope * RATE / 1e6 - 1
    ck(asound.snd_pcm_drain(pcm), "drain")
    asound.snd_pcm_close(pcm)
    print(json.dumps({"pcm": pcm_name, "start_us": int(start_us), "t0_us": int(round(t0)),
                      "drift_ppm": round(drift * 1e6, 1), "readings": len(pts),
                      "resid_p95_us": round(float(np.percentile(np.abs(resid), 95)), 1),
                      "frames": len(data) // 2, "xruns": xruns}))


if __name__ == "__main__":
    main()
