#!/usr/bin/env python3
"""Feed timed's refclock drivers as gpsd does, for the e2e tests.

  refclock_feed.py sock PATH SECONDS OFFSET
      every 0.25 s, a 40-byte sample (struct sock_sample, magic "SOCK")
      to the datagram socket at PATH: the system time now, and OFFSET
      (true time - system time, seconds).
  refclock_feed.py shm UNIT SECONDS OFFSET
      every 0.25 s, a sample in the NTP SHM segment of UNIT (key
      0x4e545030 + UNIT, mode 1 with its count), which timed created;
      the segment is removed at the end.
  refclock_feed.py junk PATH
      datagrams of wrong sizes and a wrong magic, then stop.

Bounded by SECONDS; stops on the first error.
"""
import ctypes
import socket
import struct
import sys
import time

MAGIC = 0x534f434b
SHM_KEY = 0x4e545030
IPC_RMID = 0


def sock_sample(offset, leap=0, pulse=0):
    t = time.time()
    sec = int(t)
    return struct.pack("=qqdiiii", sec, int((t - sec) * 1e6), offset,
                       pulse, leap, 0, MAGIC)


def feed_sock(path, seconds, offset):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            s.sendto(sock_sample(offset), path)
        except OSError:
            pass        # timed not listening yet, or restarting
        time.sleep(0.25)


def junk(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    good = sock_sample(0.0)
    for d in (b"", b"x" * 39, good + b"x", good[:36] + b"KCOS",
              struct.pack("=qqdiiii", 1, 2000000, 0.0, 0, 0, 0, MAGIC),
              struct.pack("=qqdiiii", 1, 2, float("nan"), 0, 0, 0, MAGIC)):
        s.sendto(d, path)


def feed_shm(unit, seconds, offset):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    end = time.monotonic() + seconds
    shmid = -1
    while time.monotonic() < end and shmid < 0:
        shmid = libc.shmget(SHM_KEY + unit, 96, 0)
        if shmid < 0:
            time.sleep(0.1)
    if shmid < 0:
        sys.exit("no segment for unit %d" % unit)
    p = libc.shmat(shmid, None, 0)
    if p in (None, ctypes.c_void_p(-1).value):
        sys.exit("shmat failed")
    seg = (ctypes.c_char * 96).from_address(p)
    count = 0
    try:
        while time.monotonic() < end:
            t = time.time()
            ref = t + offset
            count += 1
            struct.pack_into("=i", seg, 4, count)
            rs, cs = int(t), int(ref)
            struct.pack_into("=iiqiiqiiiiiii", seg, 0, 1, count, cs,
                             int((ref - cs) * 1e6), 0, rs,
                             int((t - rs) * 1e6), 0, -20, 0, 1,
                             int((ref - cs) * 1e9), int((t - rs) * 1e9))
            count += 1
            struct.pack_into("=i", seg, 4, count)
            time.sleep(0.25)
    finally:
        libc.shmdt(ctypes.c_void_p(p))
        libc.shmctl(shmid, IPC_RMID, None)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "junk":
        junk(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "sock":
        feed_sock(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[1] == "shm":
        feed_shm(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
