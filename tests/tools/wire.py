#!/usr/bin/python3
"""A network link with delay, jitter and loss, in userspace: the kernel
of this project's machines has no sch_netem (tc qdisc netem fails).

    wire.py NS_A DEV_A NS_B DEV_B [--delay-ms 50] [--jitter-ms 20]
            [--loss-pct 2] [--profile FILE] [--ready FILE] [--seed N]

DEV_A in network namespace NS_A and DEV_B in NS_B are tun devices that
exist already (ip -n NS tuntap add dev DEV mode tun; addresses and routes
are the caller's).  NS_A may be "-": the namespace wire.py starts in.  Every IP packet read from one is written to the other
after DELAY ± JITTER ms (uniform; like netem with jitter this reorders
packets), or dropped with probability LOSS %, in both directions.
--profile FILE: a JSON object {"delay_ms", "jitter_ms", "loss_pct"} read
at start and again on SIGHUP (change the impairment mid-run).
--ready FILE: created once both devices are open.  SIGTERM or SIGINT:
exits 0 after printing one JSON line of counters:
  {"a_to_b": {"packets", "dropped"}, "b_to_a": {...}, "profile": {...}}
"""
import argparse, ctypes, fcntl, heapq, json, os, random, select, signal, struct, sys, time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
libc = ctypes.CDLL(None, use_errno=True)


def tun_open(ns, dev):
    if ns != "-":
        enter(ns)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def enter(ns):
    nsfd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(nsfd, CLONE_NEWNET) != 0:
        sys.exit("wire: setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(nsfd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ns_a"); ap.add_argument("dev_a"); ap.add_argument("ns_b"); ap.add_argument("dev_b")
    ap.add_argument("--delay-ms", type=float, default=50)
    ap.add_argument("--jitter-ms", type=float, default=20)
    ap.add_argument("--loss-pct", type=float, default=2)
    ap.add_argument("--profile")
    ap.add_argument("--ready")
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()
    prof = {"delay_ms": a.delay_ms, "jitter_ms": a.jitter_ms, "loss_pct": a.loss_pct}
    flags = {"stop": False, "reload": bool(a.profile)}

    def load():
        try:
            with open(a.profile) as f:
                p = json.load(f)
            for k in prof:
                if k in p:
                    prof[k] = float(p[k])
        except (OSError, ValueError) as e:
            print("wire: profile %s: %s (kept %s)" % (a.profile, e, prof), file=sys.stderr)

    rnd = random.Random(a.seed)
    fa = tun_open(a.ns_a, a.dev_a)      # "-": the namespace wire.py runs in
    fb = tun_open(a.ns_b, a.dev_b)
    peer = {fa: fb, fb: fa}
    count = {fa: {"packets": 0, "dropped": 0}, fb: {"packets": 0, "dropped": 0}}
    signal.signal(signal.SIGTERM, lambda *x: flags.update(stop=True))
    signal.signal(signal.SIGINT, lambda *x: flags.update(stop=True))
    signal.signal(signal.SIGHUP, lambda *x: flags.update(reload=bool(a.profile)))
    if a.ready:
        open(a.ready, "w").close()
    q, n = [], 0                        # (due time, arrival order, out fd, packet)
    while not flags["stop"]:
        if flags["reload"]:
            flags["reload"] = False
            load()
        timeout = max(0.0, q[0][0] - time.monotonic()) if q else 1.0
        try:
            ready = select.select([fa, fb], [], [], timeout)[0]
        except InterruptedError:
            continue
        for fd in ready:
            while True:
                try:
                    p = os.read(fd, 65536)
                except BlockingIOError:
                    break
                n += 1
                count[fd]["packets"] += 1
                if rnd.random() * 100 < prof["loss_pct"]:
                    count[fd]["dropped"] += 1
                    continue
                d = (prof["delay_ms"] + rnd.uniform(-prof["jitter_ms"], prof["jitter_ms"])) / 1000
                heapq.heappush(q, (time.monotonic() + max(0.0, d), n, peer[fd], p))
        now = time.monotonic()
        while q and q[0][0] <= now:
            _, _, out, p = heapq.heappop(q)
            try:
                os.write(out, p)
            except OSError:
                pass                    # device down or full: the packet is lost
    print(json.dumps({"a_to_b": count[fa], "b_to_a": count[fb], "profile": prof}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
