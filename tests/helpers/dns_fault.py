#!/usr/bin/env python3
"""dns_fault.py - a DNS server that misbehaves, for tests/sh/dns_faults.sh.

dns_fault.py ADDR PORT MODE, MODE one of:
  drop      read every query, never answer
  junk      answer random bytes (1 to 64 of them; the id will not match)
  garbage   the right id and question, an A record whose data runs past
            the end of the reply (RDLENGTH 4, two bytes present)
  truncated the TC bit, one answer record cut in the middle
Prints "ready" once bound; runs until killed.
"""
import os
import socket
import struct
import sys


def question_end(q):
    """The offset past the question (name, type, class), or None."""
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    return i + 5 if i + 5 <= len(q) else None


def reply(q, mode):
    if mode == "junk":
        return os.urandom(1 + os.urandom(1)[0] % 64)
    end = question_end(q)
    if len(q) < 12 or end is None:
        return None
    flags = 0x8380 if mode == "truncated" else 0x8180
    head = q[:2] + struct.pack(">HHHHH", flags, 1, 1, 0, 0)
    rr = struct.pack(">HHHIH", 0xC00C, 1, 1, 300, 4)
    if mode == "garbage":
        return head + q[12:end] + rr + b"\x7f\x00"
    return head + q[12:end] + rr[:6]


def main():
    addr, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        q, peer = s.recvfrom(4096)
        if mode == "drop":
            continue
        r = reply(q, mode)
        if r is not None:
            s.sendto(r, peer)


main()
