#!/bin/sh
# daemon_syslog.sh - the gate's syslog output, under its seccomp filter,
# through a syslog daemon restart.
#
# In production the gate's log lines go to syslog (facility mail, ident
# nfq-gate): that is what admins grep and what fail2ban reads.  The other
# live tests use --no-syslog, so this one gives the gate a /dev/log of
# its own (a private mount namespace with a directory bound over /dev,
# holding a datagram socket served by a small listener) and checks that
# the start line, PASS NEW and PREGREET arrive as <22>nfq-gate[PID]: ...
# (mail.info) while the gate runs as nobody under seccomp, and that
# after the listener is restarted (a new socket, as when rsyslogd or
# journald restarts) the lines arrive again: glibc's reconnect must get
# through the filter.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live unshare
id nobody >/dev/null 2>&1 || skip "no user nobody"

ngt_local_gate
ngt_conf_nobody

# A private /dev for the gate: /dev/null and a log socket.  Mounted in
# the gate's own mount namespace only, so nothing is left on the host.
DEV=$NGT_DIR/dev
mkdir -p "$DEV"
: >"$DEV/null"
SYSLOG=$NGT_DIR/syslog.txt
python3 - "$DEV/log" "$SYSLOG" 90 <<'PY' &
import os, signal, socket, sys, time
path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
def listen():
    try: os.unlink(path)
    except FileNotFoundError: pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path); os.chmod(path, 0o666); s.settimeout(0.2)
    return s
s = listen()
restart = []
signal.signal(signal.SIGUSR1, lambda *a: restart.append(1))
end = time.time() + secs
with open(out, "a", buffering=1) as f:
    while time.time() < end:
        if restart:
            restart.clear(); s.close(); s = listen()
            f.write("--- listener restarted\n")
        try:
            f.write(s.recv(4096).decode("latin-1").rstrip("\n") + "\n")
        except socket.timeout:
            pass
PY
LPID=$!
n=0
until [ -S "$DEV/log" ]; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "no log socket"; sleep 0.1
done

ip netns exec "$NGT_GATE_NS" unshare -m sh -c \
    "mount --bind /dev/null '$DEV/null' && mount --rbind '$DEV' /dev &&
    exec '$GATE' -c '$NGT_CONF' -q 0 -f" \
    >"$NGT_GATELOG" 2>&1 &
NGT_GATE_PID=$!
ngt_expect_log "$SYSLOG" "nfq-gate\[$NGT_GATE_PID\]: starting on queue 0" \
    "start line in syslog" 10
ngt_expect_log "$SYSLOG" "nfq-gate\[$NGT_GATE_PID\]: seccomp: [0-9]+ syscalls allowed" \
    "the filter is on"
grep -q '^<22>' "$SYSLOG" || fail "no mail.info (<22>) lines: $(head -3 "$SYSLOG")"

reg=$(ngt_re "$NGT_CLI_A4") reb=$(ngt_re "$NGT_BOT_A4")
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good"
ngt_expect_log "$SYSLOG" "^<22>.*nfq-gate\[$NGT_GATE_PID\]: PASS NEW \[$reg\]:[0-9]+" \
    "PASS NEW in syslog"

# The syslog daemon restarts: a new socket under the same name.
kill -USR1 "$LPID"
ngt_wait_log "$SYSLOG" "listener restarted" 5 || fail "listener did not restart"
sleep 0.3
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot
ngt_expect_log "$SYSLOG" "nfq-gate\[$NGT_GATE_PID\]: PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+" \
    "PREGREET after the syslog restart" 5
sed -n '/listener restarted/,$p' "$SYSLOG" | grep -q PREGREET ||
    fail "PREGREET came before the restart, not after"
ngt_gate_kill TERM
kill "$LPID" 2>/dev/null
wait "$LPID" 2>/dev/null
echo "syslog lines: $(grep -c 'nfq-gate\[' "$SYSLOG")"
grep -E "PASS NEW|PREGREET" "$SYSLOG"
echo "syslog under the filter: ok"
exit 0
