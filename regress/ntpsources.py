#!/usr/bin/env python3
"""One NTP request from each of many source addresses (loopback only).

  ntpsources.py [-n COUNT] [-f FIRST] SERVER PORT

Fills a server's client table the way COUNT distinct hosts would: one
48-byte client request (random transmit timestamp) from each of COUNT
addresses of 127.0.0.0/8 from FIRST up (default 127.1.0.1; the whole
/8 is on lo), sent from one socket that sets each packet's source
address with IP_PKTINFO, in batches of 256 with the answers read in
between (so the server's receive buffer never overflows).  Prints
"sent N answers M".  Exit status 0 when at least one answer came.
"""
import argparse
import ipaddress
import os
import select
import socket
import struct
import sys
import time

BATCH = 256
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)


def drain(s, wait):
    n = 0
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return n
        while True:
            try:
                data = s.recv(1024)
            except BlockingIOError:
                break
            if len(data) >= 48 and data[0] & 7 == 4:
                n += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("-f", default="127.1.0.1")
    ap.add_argument("server")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    first = ipaddress.IPv4Address(a.f)
    net = ipaddress.IPv4Network("127.0.0.0/8")
    if a.n < 1 or a.n > 1 << 22 or first not in net or \
            first + (a.n - 1) not in net:
        sys.exit("ntpsources: -n and -f must stay inside 127.0.0.0/8")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("0.0.0.0", 0))
    s.setblocking(False)
    dst = (a.server, a.port)
    sent = answers = 0
    for i in range(a.n):
        src = (first + i).packed
        pktinfo = struct.pack("=I4s4s", 0, src, bytes(4))
        req = bytes([0x23]) + bytes(39) + os.urandom(8)
        try:
            s.sendmsg([req], [(socket.IPPROTO_IP, IP_PKTINFO,
                               pktinfo)], 0, dst)
            sent += 1
        except BlockingIOError:
            answers += drain(s, 0.05)
        if sent % BATCH == 0:
            answers += drain(s, 0.02)
    answers += drain(s, 0.5)
    print("sent %d answers %d" % (sent, answers))
    sys.exit(0 if answers > 0 else 2)


if __name__ == "__main__":
    main()
