#!/usr/bin/env python3
"""A DNS responder for the end-to-end tests, on loopback only.

  dnsstub.py PORT NAME ADDRESS...

Answers A queries for NAME with its IPv4 ADDRESSes and AAAA queries with
its IPv6 ones, in the order given; other names and queries get an empty
NOERROR answer.  Stops by itself after 10 minutes.
"""
import socket
import struct
import sys
import time


def question(msg):
    labels, i = [], 12
    while msg[i]:
        n = msg[i]
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype, = struct.unpack_from("!H", msg, i + 1)
    return ".".join(labels).lower(), qtype, msg[12:i + 5]


def answer(msg, name, addrs):
    qname, qtype, q = question(msg)
    rrs = []
    if qname == name and qtype in (1, 28):
        family = socket.AF_INET6 if qtype == 28 else socket.AF_INET
        rrs = [socket.inet_pton(family, a) for a in addrs
               if (":" in a) == (qtype == 28)]
    hdr = msg[:2] + struct.pack("!HHHHH", 0x8180, 1, len(rrs), 0, 0)
    out = hdr + q
    for rr in rrs:
        out += struct.pack("!HHHIH", 0xc00c, qtype, 1, 5, len(rr)) + rr
    return out


def main():
    port, name, addrs = int(sys.argv[1]), sys.argv[2].lower(), sys.argv[3:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(1.0)
    end = time.time() + 600
    while time.time() < end:
        try:
            msg, peer = s.recvfrom(512)
        except socket.timeout:
            continue
        if len(msg) > 12:
            s.sendto(answer(msg, name, addrs), peer)


if __name__ == "__main__":
    main()
