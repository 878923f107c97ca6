#!/usr/bin/env python3
# bot.py - a pre-greeting talker for the live tests and the demo.
#
# Spam bots do not wait for the SMTP server's 220 greeting: they connect
# and talk at once.  This client does exactly that (EHLO right after the
# handshake), then reads until the server speaks, closes or resets, or
# the wait runs out, and prints one line saying what happened:
#
#   connect=ok sent=10 greeting=no result=reset after=2.01
#
# result is reset (RST seen), closed (FIN), timeout (nothing happened
# within --wait) or data (the server answered: the bot got through).
# connect=timeout|refused|error when the handshake did not complete
# (a dropped SYN looks like timeout).  IPv4 and IPv6; bounded by --wait
# and --connect-timeout.  Exit 0 whatever the result: the caller judges.
#
# With --rcpt ADDR a bot that got through goes on like a spam run: MAIL
# FROM, RCPT TO, QUIT, and the line ends with rcpt="REPLY" (the server's
# answer to RCPT TO), which is what a policy service decides.  With
# --data as well it sends a message after an accepted RCPT TO, and the
# line ends with data="REPLY" (the answer to the final dot): a bot whose
# mail was delivered (what monitor mode must let happen).

import argparse
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser(description="pre-greeting SMTP talker")
    ap.add_argument("host")
    ap.add_argument("port", type=int, nargs="?", default=25)
    ap.add_argument("--source", help="local address to bind")
    ap.add_argument("--payload", default="EHLO bot\r\n")
    ap.add_argument("--wait", type=float, default=6.0,
                    help="seconds to wait for the server after sending")
    ap.add_argument("--connect-timeout", type=float, default=5.0)
    ap.add_argument("--delay", type=float, default=0.0,
                    help="seconds between connect and sending")
    ap.add_argument("--rcpt", help="go on to MAIL FROM and RCPT TO this")
    ap.add_argument("--data", metavar="SUBJECT",
                    help="with --rcpt: then DATA, a message, the dot")
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if a.source:
        s.bind((a.source, 0))
    s.settimeout(a.connect_timeout)
    t0 = time.monotonic()
    try:
        s.connect((a.host, a.port))
    except socket.timeout:
        print("connect=timeout after=%.2f" % (time.monotonic() - t0))
        return 0
    except ConnectionRefusedError:
        print("connect=refused after=%.2f" % (time.monotonic() - t0))
        return 0
    except OSError as e:
        print("connect=error errno=%d after=%.2f"
              % (e.errno or 0, time.monotonic() - t0))
        return 0
    port = s.getsockname()[1]
    if a.delay:
        time.sleep(a.delay)
    sent = s.send(a.payload.encode("latin-1"))
    t0 = time.monotonic()
    got = b""
    result = "timeout"
    s.settimeout(0.2)
    while time.monotonic() - t0 < a.wait:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        except ConnectionResetError:
            result = "reset"
            break
        except OSError as e:
            result = "error%d" % (e.errno or 0)
            break
        if not chunk:
            result = "closed"
            break
        got += chunk
        result = "data"
        if got.endswith(b"\n") and b"250 " in got:
            break
    rcpt = ""
    if a.rcpt and result == "data":
        rcpt = dialog(s, a.rcpt, a.data, a.wait)
    s.close()
    print("connect=ok port=%d sent=%d greeting=%s result=%s bytes=%d "
          "after=%.2f%s" % (port, sent, "yes" if got.startswith(b"220") else
                            "no", result, len(got), time.monotonic() - t0,
                            rcpt))
    return 0


def reply(s, wait):
    """One SMTP reply (all its lines); the last line, without CRLF."""
    buf = b""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        lines = buf.split(b"\r\n")
        if len(lines) > 1 and lines[-2][3:4] == b" ":
            return lines[-2].decode("latin-1")
    return "no reply"


def dialog(s, rcpt, subject, wait):
    """MAIL, RCPT (and DATA with a subject), QUIT: ' rcpt="R"[ data="R"]'."""
    s.sendall(b"MAIL FROM:<bot@bot.example>\r\n")
    r = reply(s, wait)
    if not r.startswith("250"):
        return ' rcpt="MAIL: %s"' % r
    s.sendall(("RCPT TO:<%s>\r\n" % rcpt).encode("latin-1"))
    r = reply(s, wait)
    out = ' rcpt="%s"' % r
    if subject and r.startswith("250"):
        out += ' data="%s"' % message(s, subject, wait)
    s.sendall(b"QUIT\r\n")
    return out


def message(s, subject, wait):
    """DATA, a short message, the dot; the answer to the dot."""
    s.sendall(b"DATA\r\n")
    r = reply(s, wait)
    if not r.startswith("354"):
        return "DATA: " + r
    s.sendall(("Subject: %s\r\nFrom: bot@bot.example\r\n\r\n"
               "sent by a bot that talked first\r\n.\r\n"
               % subject).encode("latin-1"))
    return reply(s, wait)


if __name__ == "__main__":
    sys.exit(main())
