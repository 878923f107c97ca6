#!/bin/sh
# psvc_sock.sh - the policy socket server answers Postfix-style requests
# on one kept-open connection, with the PREPEND template for a known
# client, the penalty answer for a penalised one, DUNNO without an
# address, closes on a protocol error, and serves 200 connections at
# once (Postfix keeps one open per smtpd process).
. "$(dirname "$0")/../lib.sh"
H="$NG_BUILD/tests/helpers/psvc_serve"
[ -x "$H" ] || fail "no $H"
d=$(mktemp -d); trap 'kill $pid 2>/dev/null; rm -rf "$d"' EXIT
"$H" "$d/policy" 10 & pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$d/policy" ] && break; sleep 0.1; done
python3 - "$d/policy" <<'PY' || fail "answers"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
def ask(addr):
    r = "request=smtpd_access_policy\nprotocol_state=RCPT\n"
    if addr: r += "client_address=%s\n" % addr
    s.sendall((r + "\n").encode())
    b = b""
    while not b.endswith(b"\n\n"): b += s.recv(4096)
    return b.decode()
a = ask("1.0.1.5"); assert a == "action=PREPEND X-NFQ-Gate: country=CN; pass=old\n\n", a
a = ask("198.51.100.11"); assert a == "action=DEFER_IF_PERMIT pre-greeting talker (3)\n\n", a
a = ask(None); assert a == "action=DUNNO\n\n", a
s.sendall(b"garbage\n"); assert s.recv(10) == b"", "not closed"
# A busy Postfix keeps one connection per smtpd process open (100 by
# default): all of them at once are served, each still answered.
many = []
for i in range(200):
    c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); many.append(c)
for c in many:
    c.sendall(b"request=smtpd_access_policy\nclient_address=1.0.1.5\n\n")
for i, c in enumerate(many):
    b = b""
    c.settimeout(5)
    while not b.endswith(b"\n\n"):
        chunk = c.recv(4096)
        assert chunk, "connection %d closed unanswered" % i
        b += chunk
    assert b == b"action=PREPEND X-NFQ-Gate: country=CN; pass=old\n\n", b
for c in many: c.close()
print("ok, 200 connections at once")
PY
exit 0
