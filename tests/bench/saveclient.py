#!/usr/bin/env python3
# saveclient.py - connect latency through the live gate, for save.sh.
#
# Every 1/RATE s a new connection from SRC to DST:25 (its SYN and the
# SYN-ACK each wait for a verdict of the gate); the time connect() takes
# is the latency.  Every half second a bot from the next of BOTS talks
# first, which makes the gate save its state within a second.  Bounded by
# SECONDS.  Prints: n=N worst_ms=W p99_ms=P bots=B
import socket
import struct
import sys
import time

dst, src, bots, secs, rate = sys.argv[1], sys.argv[2], sys.argv[3].split(","), \
    float(sys.argv[4]), float(sys.argv[5])
lat, nb = [], 0
t0 = time.monotonic()
nxt, nbot = t0, t0
while time.monotonic() - t0 < secs:
    now = time.monotonic()
    if now >= nbot:
        b = socket.socket()
        b.bind((bots[nb % len(bots)], 0))
        b.settimeout(2)
        try:
            b.connect((dst, 25))
            b.sendall(b"EHLO bot\r\n")
        except OSError:
            pass
        b.close()
        nb += 1
        nbot += 0.5
    if now < nxt:
        time.sleep(min(nxt, nbot) - now if min(nxt, nbot) > now else 0)
        continue
    nxt += 1.0 / rate
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.bind((src, 0))
    s.settimeout(5)
    a = time.monotonic()
    try:
        s.connect((dst, 25))
        lat.append(time.monotonic() - a)
    except OSError:
        lat.append(5.0)
    s.close()
lat.sort()
n = len(lat)
print("n=%d worst_ms=%.2f p99_ms=%.2f bots=%d" %
      (n, lat[-1] * 1000 if n else 0, lat[n * 99 // 100] * 1000 if n else 0, nb))
