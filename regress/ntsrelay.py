#!/usr/bin/env python3
"""A relay between an NTS client and its server, on loopback only.

  ntsrelay.py LISTEN_ADDR SERVER_ADDR UDP_PORT TCP_PORT EVERY COUNTFILE

Forwards NTP (UDP_PORT) and NTS-KE (TCP_PORT, the TLS bytes as they are)
from LISTEN_ADDR to the same ports on SERVER_ADDR.  Every EVERY-th NTP
answer has one byte of its authenticator (8 bytes from the end) flipped
on the way back; COUNTFILE holds how many so far.  Stops by itself after
10 minutes.
"""
import select
import socket
import sys
import threading
import time

listen, server = sys.argv[1], sys.argv[2]
uport, tport, every = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
countfile = sys.argv[6]
deadline = time.time() + 600


def pipe(a, b):
    try:
        while True:
            r, _, _ = select.select([a, b], [], [], 1)
            if time.time() > deadline:
                break
            for s in r:
                d = s.recv(65536)
                if not d:
                    return
                (b if s is a else a).sendall(d)
    except OSError:
        pass
    finally:
        a.close()
        b.close()


def tcp():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((listen, tport))
    ls.listen(16)
    while time.time() < deadline:
        c, _ = ls.accept()
        try:
            u = socket.create_connection((server, tport), 5)
        except OSError:
            c.close()
            continue
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((listen, uport))
    ups = {}		# client address -> socket to the server
    answers = flipped = 0
    with open(countfile, "w") as f:
        f.write("0\n")
    while time.time() < deadline:
        socks = [s] + list(ups.values())
        r, _, _ = select.select(socks, [], [], 1)
        for x in r:
            if x is s:
                d, peer = s.recvfrom(4096)
                if peer not in ups:
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.connect((server, uport))
                    ups[peer] = u
                ups[peer].send(d)
                continue
            d = x.recv(4096)
            peer = [p for p, u in ups.items() if u is x][0]
            answers += 1
            if answers % every == 0 and len(d) > 48 + 8:
                d = bytearray(d)
                d[-8] ^= 0x01
                d = bytes(d)
                flipped += 1
                with open(countfile + ".tmp", "w") as f:
                    f.write("%d\n" % flipped)
                import os
                os.rename(countfile + ".tmp", countfile)
            s.sendto(d, peer)
        if len(ups) > 256:	# a new port per request: forget old ones
            for p in list(ups)[:128]:
                ups.pop(p).close()


threading.Thread(target=tcp, daemon=True).start()
udp()
