#!/bin/sh
# psvc_sock_links.sh - making the policy socket as root follows no link.
#
# The socket's directory belongs to someone else (postfix, for
# /var/spool/postfix/private); here to nobody, the attacker.  A file of
# root's, mode 0600, is the victim.  The socket is made by the real
# ng_psvc_sock_open() (tests/helpers/psvc_serve) as root, for owner
# nobody:nogroup with mode 0660 - what the gate does at start.
#
# 1. planted: a symlink to the victim waits at the socket path.
# 2. race: bind() is held 1.5 s (strace's delay injection) and nobody,
#    in that window, replaces every socket in the directory by a link to
#    the victim and every directory of someone else's by a link to one
#    of its own holding such links.  The old code (bind, then stat,
#    chown and chmod of the path) gave the victim to nobody, mode 0660.
# Each time the victim keeps root:root 0600, and a working socket of
# nobody:nogroup 0660 is at the path.  A stale socket (kill -9) is
# replaced, a regular file at the path is refused with a clear error.  When the server stops it removes
# only its own socket, not what replaced it.

. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need_cmd setpriv strace
# A python nobody may run (not a shim under root's home).
PYN=/usr/bin/python3
[ -x "$PYN" ] || skip "no $PYN"
id nobody >/dev/null 2>&1 || skip "no user nobody"
H="$NG_BUILD/tests/helpers/psvc_serve"
[ -x "$H" ] || fail "no $H"
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)
as_nobody() { setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups "$@"; }

chmod 755 "$TMP"
V=$TMP/victim
echo secret >"$V"
chmod 600 "$V"
D=$TMP/spool
install -d -o "$NOBODY" -g "$NOGROUP" -m 755 "$D"
S=$D/policy
pid=
trap 'kill $pid $apid 2>/dev/null; rm -rf "$TMP"' EXIT

victim_intact() {	# label
	got=$(stat -c '%u:%g %a' "$V")
	[ "$got" = "0:0 600" ] || fail "$1: victim is now $got (was 0:0 600)"
	[ "$(cat "$V")" = secret ] || fail "$1: victim's content changed"
}

socket_ok() {	# label
	n=0
	until [ -S "$S" ]; do
		n=$((n + 1))
		[ $n -lt 50 ] || { ls -la "$D"; fail "$1: no socket at $S"; }
		kill -0 $pid 2>/dev/null || fail "$1: the server died"
		sleep 0.1
	done
	got=$(stat -c '%F %u:%g %a' "$S")
	[ "$got" = "socket $NOBODY:$NOGROUP 660" ] ||
	    fail "$1: $S is $got, want socket $NOBODY:$NOGROUP 660"
	as_nobody "$PYN" - "$S" <<'PY' || fail "$1: no answer on the socket"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"request=smtpd_access_policy\nclient_address=1.0.1.5\n\n")
b = b""
while not b.endswith(b"\n\n"):
    c = s.recv(4096)
    assert c, "closed"
    b += c
assert b.startswith(b"action=PREPEND"), b
PY
}

# ---- 1. a link planted at the socket path ----
as_nobody ln -s "$V" "$S"
"$H" "$S" 2 "$NOBODY" "$NOGROUP" 660 & pid=$!
socket_ok planted
victim_intact planted
# The server's stop removes its socket only: nobody replaced it.
as_nobody sh -c "mv '$S' '$S.old' && echo mine >'$S'"
wait $pid || fail "planted: server exit status $?"
[ "$(cat "$S" 2>/dev/null)" = mine ] ||
    fail "the stop removed a file that had replaced the socket"
as_nobody rm -f "$S" "$S.old"
victim_intact "planted, after the stop"
echo "planted link: victim untouched, socket made"

# ---- a stale socket (a gate killed with -9) is replaced; a file is not ----
"$H" "$S" 10 "$NOBODY" "$NOGROUP" 660 & pid=$!
socket_ok stale-first
kill -9 $pid; wait $pid 2>/dev/null
[ -S "$S" ] || fail "stale: no socket left by kill -9"
"$H" "$S" 1 "$NOBODY" "$NOGROUP" 660 & pid=$!
socket_ok stale
wait $pid || fail "stale: server exit status $?"
[ -e "$S" ] && fail "stale: the socket was left after the stop"
echo data >"$S"
"$H" "$S" 1 "$NOBODY" "$NOGROUP" 660 >"$TMP/file.out" 2>&1 &&
    fail "a regular file at the socket path was replaced"
grep -q "exists and is not a socket" "$TMP/file.out" ||
    { cat "$TMP/file.out"; fail "file: no clear error"; }
[ "$(cat "$S")" = data ] || fail "file: its content changed"
rm -f "$S"
ls -a "$D" | grep -q '^\.nfq-gate\.' && fail "a private directory was left"
echo "stale socket replaced, a file refused"

# ---- 2. links swapped in while bind() is held ----
as_nobody mkdir "$D/evil"
as_nobody ln -s "$V" "$D/evil/s"
as_nobody "$PYN" - "$D" "$V" "$D/evil" >"$TMP/attack.log" 2>&1 <<'PY' &
import os, stat, sys, time
d, victim, evil = sys.argv[1:]
me = os.getuid()
before = set(os.listdir(d))
print("ready", flush=True)
end = time.time() + 10
while time.time() < end and set(os.listdir(d)) == before:
    time.sleep(0.005)
time.sleep(0.3)	# inside the held bind()
for name in os.listdir(d):
    p = os.path.join(d, name)
    st = os.lstat(p)
    if stat.S_ISSOCK(st.st_mode):
        os.rename(p, p + ".moved"); os.symlink(victim, p)
        print("socket", name, "-> link to the victim")
    elif stat.S_ISDIR(st.st_mode) and st.st_uid != me:
        os.rename(p, p + ".moved"); os.symlink(evil, p)
        print("directory", name, "-> link to", evil)
PY
apid=$!
n=0
until grep -q ready "$TMP/attack.log"; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "the attacker did not start"
	sleep 0.1
done
# LeakSanitizer (an asan build) cannot work under ptrace.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -o /dev/null -e trace=bind -e inject=bind:delay_exit=1500000 \
    "$H" "$S" 4 "$NOBODY" "$NOGROUP" 660 & pid=$!
wait $apid || { cat "$TMP/attack.log"; fail "the attacker failed"; }
cat "$TMP/attack.log"
grep -qv ready "$TMP/attack.log" || fail "race: the attacker found nothing to swap"
n=0	# until the held bind() is over and the socket made, or the harm done
until [ -S "$S" ] || [ "$(stat -c %u "$V")" != 0 ] || [ $n -ge 50 ]; do
	n=$((n + 1)); sleep 0.1
done
victim_intact race
socket_ok race
wait $pid || fail "race: server exit status $?"
victim_intact "race, after the stop"
echo "links swapped during bind: victim untouched, socket made"
exit 0
