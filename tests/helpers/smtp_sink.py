#!/usr/bin/env python3
# smtp_sink.py - a minimal SMTP server for the live tests: an MTA on the
# outside that the inside's MTA sends to through the gateway.  Greets at
# once, accepts every command and every message, writes one line per
# message ("queued from ADDR") to stdout, and runs until killed.
#
#   smtp_sink.py ADDR [ADDR...]      listen on port 25 of each address

import socket
import sys
import threading


def talk(conn, peer):
    f = conn.makefile("rwb")

    def say(text):
        f.write(text.encode() + b"\r\n")
        f.flush()

    say("220 sink.outside.test ESMTP")
    in_data = False
    for raw in f:
        line = raw.decode("latin-1").rstrip("\r\n")
        if in_data:
            if line == ".":
                in_data = False
                say("250 2.0.0 Ok: queued")
                print("queued from %s" % peer, flush=True)
            continue
        cmd = line[:4].upper()
        if cmd == "DATA":
            in_data = True
            say("354 go ahead")
        elif cmd == "QUIT":
            say("221 bye")
            break
        else:
            say("250 sink.outside.test")
    conn.close()


def serve(addr):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 25))
    s.listen(16)
    while True:
        conn, peer = s.accept()
        threading.Thread(target=talk, args=(conn, peer[0]),
                         daemon=True).start()


def main():
    threads = [threading.Thread(target=serve, args=(a,), daemon=True)
               for a in sys.argv[1:]]
    for t in threads:
        t.start()
    print("listening", flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
