#!/usr/bin/env python3
"""A small NTP test client for the end-to-end tests (loopback only).

  ntpclient.py [-b BIND] [-n COUNT] [-x HEX] [-v VERSION] [-m MODE]
               [-e EFBYTES] [-w WAIT] [-i INTERVAL] SERVER PORT

Sends COUNT requests (48-byte client requests with a random transmit
timestamp, or the raw bytes given with -x) and prints one JSON object:
sent, answers, kods (by code), bad (answers whose origin did not match),
max_answer_len, min_request_len, and the fields of the last answer.
With -i, one request at a time, INTERVAL seconds apart, each waiting up
to WAIT seconds for its answer; the object then also has the round-trip
times in milliseconds: rtt_median_ms, rtt_max_ms.
"""
import argparse
import json
import os
import socket
import struct
import time


def request(version, mode, ef_bytes):
    xmt = os.urandom(8)
    hdr = bytes([(0 << 6) | (version << 3) | mode]) + bytes(39) + xmt
    ef = b""
    if ef_bytes:
        # one extension field of type 0x0104 (NTS unique identifier shape)
        body = os.urandom(ef_bytes - 4)
        ef = struct.pack("!HH", 0x0104, ef_bytes) + body
    return hdr + ef, xmt


def decode(data):
    li_vn_mode, stratum, poll, prec = struct.unpack_from("!BBbb", data, 0)
    rdelay, rdisp, refid = struct.unpack_from("!III", data, 4)
    ref, org, rx, tx = struct.unpack_from("!QQQQ", data, 16)
    return {
        "leap": li_vn_mode >> 6, "version": (li_vn_mode >> 3) & 7,
        "mode": li_vn_mode & 7, "stratum": stratum, "poll": poll,
        "precision": prec, "root_delay": rdelay / 65536.0,
        "root_dispersion": rdisp / 65536.0, "refid": "%08X" % refid,
        "ref_ts": ref, "org": org, "rx": rx, "tx": tx, "len": len(data),
    }


def take(out, data, sent, raw):
    """Count one answer into out; False if it is not one of ours."""
    out["answers"] += 1
    out["max_answer_len"] = max(out["max_answer_len"], len(data))
    if len(data) < 48:
        out["bad"] += 1
        return False
    d = decode(data)
    d["t4"] = time.time()  # this machine's clock as the answer came
    if not raw and struct.pack("!Q", d["org"]) not in sent:
        out["bad"] += 1
        return False
    if d["stratum"] == 0:
        code = bytes.fromhex(d["refid"]).decode("ascii", "replace")
        out["kods"][code] = out["kods"].get(code, 0) + 1
    out["last"] = d
    return True


def one_at_a_time(s, a, out):
    rtts = []
    for _ in range(a.count):
        pkt, xmt = request(a.version, a.mode, a.ef)
        t0 = time.monotonic()
        s.sendto(pkt, (a.server, a.port))
        out["sent"] += 1
        out["min_request_len"] = len(pkt)
        deadline = t0 + a.wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                break
            if take(out, data, {xmt: True}, False):
                rtts.append((time.monotonic() - t0) * 1000.0)
                break
        pause = a.interval - (time.monotonic() - t0)
        if pause > 0:
            time.sleep(pause)
    rtts.sort()
    out["rtt_median_ms"] = rtts[len(rtts) // 2] if rtts else None
    out["rtt_max_ms"] = rtts[-1] if rtts else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-b", "--bind", default=None)
    ap.add_argument("-s", "--sport", type=int, default=0)
    ap.add_argument("-n", "--count", type=int, default=1)
    ap.add_argument("-x", "--hex", default=None)
    ap.add_argument("-v", "--version", type=int, default=4)
    ap.add_argument("-m", "--mode", type=int, default=3)
    ap.add_argument("-e", "--ef", type=int, default=0)
    ap.add_argument("-w", "--wait", type=float, default=1.0)
    ap.add_argument("-i", "--interval", type=float, default=None)
    ap.add_argument("server")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    assert a.count <= 100000
    fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if a.bind or a.sport:
        s.bind((a.bind or "", a.sport))
    sent = {}
    out = {"sent": 0, "answers": 0, "kods": {}, "bad": 0,
           "max_answer_len": 0, "min_request_len": None, "last": None}
    if a.interval is not None:
        one_at_a_time(s, a, out)
        print(json.dumps(out))
        return
    for _ in range(a.count):
        if a.hex is not None:
            pkt, xmt = bytes.fromhex(a.hex), None
        else:
            pkt, xmt = request(a.version, a.mode, a.ef)
            sent[xmt] = True
        s.sendto(pkt, (a.server, a.port))
        out["sent"] += 1
        n = len(pkt)
        if out["min_request_len"] is None or n < out["min_request_len"]:
            out["min_request_len"] = n
    deadline = time.time() + a.wait
    s.settimeout(0.05)
    while time.time() < deadline:
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            continue
        take(out, data, sent, a.hex is not None)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
