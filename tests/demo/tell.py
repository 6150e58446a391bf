#!/usr/bin/env python3
"""make demo's narrator: what the node did, told from the evidence.

  tell.py played EDGES WAV CLIP_S NODE   step 7: what sounded and when the relays
                                          closed (the simulated GPIO's edge log, the
                                          WAV the node played into)
  tell.py receipts CTL DIR NODE ID        step 8: each receipt the node signed for
                                          warning ID, verified by cunxiangctl verify
                                          against the key the operator enrolled

Exit 0 when the evidence says the warning played (or was answered), else 1.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import wave

STATES = {0: "not processed", 1: "waiting", 2: "broadcasting", 3: "success", 4: "failed",
          5: "cancelled"}


def clock(t):
    """Local wall-clock time to the millisecond."""
    return time.strftime("%H:%M:%S", time.localtime(t)) + ".%03d" % int(t * 1000 % 1000)


def intervals(edges, line):
    """[(on, off)] of a relay, off None while still on."""
    out, on = [], None
    for t, name, v in edges:
        if name != line:
            continue
        if v == 1 and on is None:
            on = t
        elif v == 0 and on is not None:
            out.append((on, t))
            on = None
    if on is not None:
        out.append((on, None))
    return out


def played(edges_path, wav_path, clip_s, node):
    # the edge log is on CLOCK_MONOTONIC; shown on the wall clock
    mono_to_wall = time.time() - time.monotonic()
    edges = []
    with open(edges_path) as f:
        for l in f:
            ns, name, v = l.split()
            edges.append((int(ns) / 1e9 + mono_to_wall, name, int(v)))
    amp, siren = intervals(edges, "AMP_EN"), intervals(edges, "SIREN_EN")
    if os.path.exists(wav_path):
        with wave.open(wav_path) as w:
            sound = "%.1f s of sound into played.wav" % (w.getnframes() / w.getframerate())
    else:
        sound = "on the sound card"
    if not amp:
        print("7. node %s: the amplifier relay never closed: nothing played" % node)
        return 1
    on, off = amp[0]
    print("7. node %s played the siren demo-short (2.5 s), then the clip flood.opus (%s s):"
          " %s;" % (node, clip_s, sound))
    print("     amplifier relay closed %s-%s (%s)" % (clock(on), clock(off) if off else "still on",
          "%.1f s" % (off - on) if off else "not yet open"))
    if siren:
        print("     siren relay on %s" % ", ".join("%s-%s" % (clock(a), clock(b) if b else "...")
              for a, b in siren))
    print("     (the amplifier relay closes 1.5 s before the first sound to warm it up, and opens"
          " 1.0 s after the last: warmup_ms, hold_ms)")
    return 0 if off else 1


def receipts(ctl, d, node, wid):
    topic = "cx/node/%s/receipt" % node
    rows, bad = [], 0
    with open(os.path.join(d, "ctl-receipts.log")) as f, tempfile.TemporaryDirectory() as tmp:
        for l in f:
            t, _, b64 = l.strip().partition(" ")
            if t != topic:
                continue
            path = os.path.join(tmp, "r")
            with open(path, "wb") as p:
                p.write(base64.b64decode(b64))
            v = subprocess.run([ctl, "verify", path, "--ctl", os.path.join(d, "ctl.conf")],
                               capture_output=True)
            if v.returncode != 0:
                bad += 1
                continue
            r = json.loads(v.stdout)
            if r.get("ref") == wid and r.get("state") != "acknowledged":
                rows.append(r)
    rows.sort(key=lambda r: r["seq"])
    print("8. the node answered with %d signed receipts, each verified by cunxiangctl verify with"
          " the key the operator enrolled%s:" % (len(rows), "" if not bad else
                                                 " (%d did NOT verify)" % bad))
    for r in rows:
        extra = ""
        if r["state"] == "done" and r.get("frames"):
            extra = "  %.1f s of audio played" % (r["frames"] / 48000)
        print("     SEQ %-3d %-9s CODE %d (%s)%s at %s%s" % (
              r["seq"], r["state"], r["code"], STATES.get(r["code"], "?"),
              " " * (13 - len(STATES.get(r["code"], "?"))), clock(r["time"] / 1000), extra))
    print("     (CODE: China's broadcast state, GD/J 082. SEQ: the node numbers every receipt it"
          " signs, always increasing, even across restarts (a fresh node starts from its clock"
          " in ms): the highest is the node's latest word, a copy seen twice or late changes"
          " nothing)")
    return 0 if rows and rows[-1]["state"] == "done" and not bad else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["played"] and len(sys.argv) == 6:
        sys.exit(played(*sys.argv[2:]))
    if sys.argv[1:2] == ["receipts"] and len(sys.argv) == 6:
        sys.exit(receipts(*sys.argv[2:]))
    sys.exit(__doc__)
