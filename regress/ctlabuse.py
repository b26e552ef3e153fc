#!/usr/bin/env python3
"""A hostile local user of timed's control socket, and an NTP prober, for
the end-to-end tests (loopback and UNIX sockets only; every loop bounded).

  ctlabuse.py measure SERVER PORT SECONDS    NTP requests every 10 ms;
        prints JSON: sent, answered, longest gap between answers (s)
  ctlabuse.py flood SERVER PORT SECONDS BIND  NTP requests as fast as
        they go from address BIND, answers not read
  ctlabuse.py probe SERVER PORT BIND         one request from address
        BIND; prints JSON: answered
  ctlabuse.py fill SERVER PORT N             N requests, each from another
        127.x.y.z address (IP_PKTINFO), to fill the server's client table
  ctlabuse.py pipeline SOCK N                hello and N requests in one
        write; prints JSON: answers, results, order_ok
  ctlabuse.py interleave SOCK N              a request, part of its answer
        read, the next request, ...; prints JSON: answers
  ctlabuse.py garbage SOCK                   garbage, truncated, oversized
        and malformed frames, each on its own connection
  ctlabuse.py hold SOCK N SECONDS [READY]    N connections, each asking
        every 4 s; writes JSON {admitted} to file READY once connected;
        prints JSON: admitted, alive (at the end)
  ctlabuse.py noread SOCK TYPE SECONDS       a request whose answer is
        never read, the connection held; prints JSON: closed_by_timed
  ctlabuse.py ask SOCK TYPE                  one request; prints JSON: the
        result code or the number of records, and the seconds it took
"""
import json
import os
import select
import socket
import struct
import sys
import time

HDR = struct.Struct("=IHHII")       # type, len, flags, peerid, pid
IMSG_HELLO = 1
IMSG_VERSION = 1
IMSG_MAGIC = 0x74696d64
TYPES = {
    "tracking": 64, "sources": 65, "makestep": 66, "end": 67, "result": 68,
    "serverstats": 69, "clients": 70, "sourcestats": 71, "activity": 72,
}


def frame(type_, payload=b"", flags=0, length=None):
    if length is None:
        length = HDR.size + len(payload)
    return HDR.pack(type_, length, flags, 0, os.getpid()) + payload


def hello():
    return frame(IMSG_HELLO, struct.pack("=II", IMSG_VERSION, IMSG_MAGIC))


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s


class Reader:
    """Frames from a connection, with a deadline."""

    def __init__(self, s):
        self.s = s
        self.buf = b""

    def next(self, timeout=5.0):
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= HDR.size:
                t, ln, _, _, _ = HDR.unpack_from(self.buf)
                if len(self.buf) >= ln:
                    data = self.buf[HDR.size:ln]
                    self.buf = self.buf[ln:]
                    return t, data
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except (socket.timeout, OSError):
                return None
            if not d:
                return None
            self.buf += d


def greet(path):
    s = connect(path)
    s.sendall(hello())
    r = Reader(s)
    f = r.next()
    if f is None or f[0] != IMSG_HELLO:
        s.close()
        return None, None
    return s, r


def answer(r, timeout=5.0):
    """One whole answer: ('result', code) or ('rows', n) or None."""
    n = 0
    while True:
        f = r.next(timeout)
        if f is None:
            return None
        t, data = f
        if t == TYPES["result"]:
            return ("result", struct.unpack("=i", data)[0])
        if t == TYPES["end"]:
            return ("rows", n)
        if t in (TYPES["tracking"], TYPES["serverstats"],
                 TYPES["activity"]):
            return ("one", t)
        n += 1


def ntp_request():
    xmt = os.urandom(8)
    return bytes([0x23]) + bytes(39) + xmt, xmt


def measure(server, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    sent = answered = 0
    pending = {}
    last = start = time.monotonic()
    gap = 0.0
    end = start + seconds
    nxt = start
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now >= nxt:
            req, xmt = ntp_request()
            try:
                s.sendto(req, (server, port))
                sent += 1
                pending[xmt] = now
            except OSError:
                pass
            nxt += 0.01
        r, _, _ = select.select([s], [], [], max(0.0, min(nxt, end) -
                                                 time.monotonic()))
        while r:
            try:
                d = s.recv(2048)
            except BlockingIOError:
                break
            if len(d) >= 48 and d[24:32] in pending:
                del pending[d[24:32]]
                t = time.monotonic()
                answered += 1
                gap = max(gap, t - last)
                last = t
    gap = max(gap, time.monotonic() - last)
    print(json.dumps({"sent": sent, "answered": answered,
                      "max_gap_s": round(gap, 3)}))


def flood(server, port, seconds, bind):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setblocking(False)
    end = time.monotonic() + seconds
    req, _ = ntp_request()
    while time.monotonic() < end:
        for _ in range(64):
            try:
                s.sendto(req, (server, port))
            except OSError:
                time.sleep(0.0005)


def probe(server, port, bind):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, 0))
    s.settimeout(0.5)
    answered = False
    for _ in range(3):
        req, xmt = ntp_request()
        s.sendto(req, (server, port))
        try:
            d = s.recv(2048)
            if d[24:32] == xmt:
                answered = True
                break
        except socket.timeout:
            pass
    print(json.dumps({"answered": answered}))


def fill(server, port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    s.setblocking(False)
    IP_PKTINFO = 8
    done = 0
    for i in range(n):
        a, b, c = 10 + (i >> 16) % 200, (i >> 8) & 255, i & 255 or 1
        src = socket.inet_aton("127.%d.%d.%d" % (a, b, c))
        info = struct.pack("=i4s4s", 0, src, bytes(4))
        req, _ = ntp_request()
        for _ in range(100):
            try:
                s.sendmsg([req], [(socket.IPPROTO_IP, IP_PKTINFO, info)],
                           0, (server, port))
                done += 1
                break
            except BlockingIOError:
                time.sleep(0.001)
        if i % 256 == 0:
            try:
                while s.recv(2048):
                    pass
            except BlockingIOError:
                pass
            time.sleep(0.002)   # the server's socket buffer drains
    print(json.dumps({"sent": done}))


def pipeline(path, n):
    s, r = greet(path)
    if s is None:
        print(json.dumps({"admitted": False}))
        return
    kinds = ["tracking", "sources", "activity", "sourcestats", "makestep"]
    asked = [kinds[i % len(kinds)] for i in range(n)]
    s.sendall(b"".join(frame(TYPES[k]) for k in asked))
    answers = results = 0
    order_ok = True
    for k in asked:
        a = answer(r)
        if a is None:
            break
        answers += 1
        if a[0] == "result":
            results += 1
            if k != "makestep" and a[1] != 200:
                order_ok = False
        elif a[0] == "one" and a[1] != TYPES[k]:
            order_ok = False
        elif a[0] == "rows" and k not in ("sources", "sourcestats"):
            order_ok = False
    s.close()
    print(json.dumps({"answers": answers, "results": results,
                      "order_ok": order_ok}))


def interleave(path, n):
    s, r = greet(path)
    if s is None:
        print(json.dumps({"admitted": False}))
        return
    answers = 0
    for i in range(n):
        s.sendall(frame(TYPES["tracking"]))
        # a few bytes of this answer, then the next request
        s.settimeout(5)
        try:
            r.buf += s.recv(7)
        except OSError:
            break
        s.sendall(frame(TYPES["sources"]))
        if answer(r) is None or answer(r) is None:
            break
        answers += 2
    s.close()
    print(json.dumps({"answers": answers}))


def garbage(path):
    cases = [
        os.urandom(4096),                               # noise
        hello() + os.urandom(1000),                     # noise after hello
        hello() + frame(TYPES["tracking"])[:10],        # truncated
        hello() + frame(TYPES["tracking"], length=60000),   # oversized
        hello() + frame(TYPES["tracking"], length=3),   # below the header
        hello() + frame(TYPES["tracking"], b"x" * 100),  # unexpected data
        hello() + frame(9999),                          # unknown type
        hello() + frame(TYPES["tracking"], flags=1),    # a descriptor, none
        frame(IMSG_HELLO, struct.pack("=II", 99, 1)),   # bad hello
        hello() + hello(),                              # a second hello
        hello() + frame(TYPES["end"]) + frame(TYPES["result"], bytes(4)),
    ]
    closed = 0
    for c in cases:
        try:
            s = connect(path)
            s.sendall(c)
            s.settimeout(1)
            try:
                while s.recv(65536):
                    pass
                closed += 1
            except socket.timeout:
                pass
            s.close()
        except OSError:
            closed += 1
    print(json.dumps({"cases": len(cases), "closed": closed}))


def hold(path, n, seconds, ready=None):
    conns = []
    for _ in range(n):
        try:
            s, r = greet(path)
        except OSError:
            s = None
        if s is not None:
            conns.append((s, r))
    admitted = len(conns)
    if ready is not None:
        with open(ready + ".tmp", "w") as f:
            f.write(json.dumps({"admitted": admitted}) + "\n")
        os.rename(ready + ".tmp", ready)
    end = time.monotonic() + seconds
    while time.monotonic() < end and conns:
        alive = []
        for s, r in conns:
            try:
                s.sendall(frame(TYPES["tracking"]))
                if answer(r, 2.0) is not None:
                    alive.append((s, r))
            except OSError:
                pass
        conns = alive
        time.sleep(min(4.0, max(0.0, end - time.monotonic())))
    print(json.dumps({"admitted": admitted, "alive": len(conns)}))


def noread(path, kind, seconds):
    s, r = greet(path)
    if s is None:
        print(json.dumps({"admitted": False}))
        return
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(frame(TYPES[kind]))
    time.sleep(seconds)
    # what was queued, then whether timed closed the connection
    s.settimeout(2)
    closed = False
    try:
        while True:
            d = s.recv(1 << 20)
            if not d:
                closed = True
                break
    except socket.timeout:
        pass
    except OSError:
        closed = True
    s.close()
    print(json.dumps({"closed_by_timed": closed}))


def ask(path, kind):
    t0 = time.monotonic()
    s, r = greet(path)
    if s is None:
        print(json.dumps({"admitted": False}))
        return
    s.sendall(frame(TYPES[kind]))
    a = answer(r, 15.0)
    out = {"seconds": round(time.monotonic() - t0, 3)}
    if a is None:
        out["answer"] = None
    elif a[0] == "result":
        out["result"] = a[1]
    elif a[0] == "rows":
        out["rows"] = a[1]
    else:
        out["answer"] = "one"
    s.close()
    print(json.dumps(out))


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == "measure":
        measure(a[1], int(a[2]), float(a[3]))
    elif cmd == "flood":
        flood(a[1], int(a[2]), float(a[3]), a[4])
    elif cmd == "probe":
        probe(a[1], int(a[2]), a[3])
    elif cmd == "fill":
        fill(a[1], int(a[2]), int(a[3]))
    elif cmd == "pipeline":
        pipeline(a[1], int(a[2]))
    elif cmd == "interleave":
        interleave(a[1], int(a[2]))
    elif cmd == "garbage":
        garbage(a[1])
    elif cmd == "hold":
        hold(a[1], int(a[2]), float(a[3]), a[4] if len(a) > 4 else None)
    elif cmd == "noread":
        noread(a[1], a[2], float(a[3]))
    elif cmd == "ask":
        ask(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
