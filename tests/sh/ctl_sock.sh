#!/bin/sh
# ctl_sock.sh - the live gate's control socket (nfq-gate-ctl's), in
# front of a real Postfix, talked to by a small Python client:
#   - the nft penalty set follows the penalty box: the bot's address
#     leaves it with "del penalty", one added by hand comes and goes with
#     "flush penalty";
#   - the socket is root:postfix 0660 (control_socket_group = postfix);
#   - "status" answers 0 with aligned lines, "json status" one JSON
#     document, healthy; "list penalty" lists a bot the gate reset, "del
#     penalty" frees it, a bad request gets 64;
#   - nobody is kept out by the file's mode, and with the mode opened by
#     hand by the gate's own check (77); nobody in the group postfix
#     gets in;
#   - a client that connects and says nothing is closed after ~5 s, and
#     meanwhile another one gets its answer at once;
#   - 20,000 "add pass" requests, one connection each, while a mail goes
#     through the gate (PASS NEW after the pause), then "list pass"
#     brings all of them back in one answer;
#   - reload and save answer 0, the save reaches pass.state;
#   - a second gate on the same state_dir is refused: "state_dir ... is
#     in use by another nfq-gate or nfq-gate-ctl", exit 69, and the lock
#     file names the running gate's pid;
#   - SIGTERM: exit 0, the socket is gone.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live python3 setpriv
id nobody >/dev/null 2>&1 || skip "no user nobody"
getent group postfix >/dev/null || skip "no group postfix"

ngt_local_gate "stats_interval = 1s" \
    "nft_penalty_set = inet nfq_gate penalty4 penalty6"
CTL=$NGT_DIR/ctl.sock		# ngt_gate_conf's control_socket
echo "control_socket_group = postfix" >>"$NGT_CONF"
# nobody must reach the socket's directory and read the client
chmod 711 "$TMP"; chmod 755 "$NGT_DIR"
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3)
CLIENT=$NGT_DIR/ctl.py

# The client: one request per connection (its words the arguments), the
# answer on stdout, exit status the answer's code (100: could not
# connect).  "silent" connects and waits for the close; "adds N" adds N
# pass entries, one connection each; with COUNT=1 it prints the number
# of entries of a json list instead of the answer.
cat >"$CLIENT" <<'EOF'
import json, os, socket, sys, time

def ask(path, req):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    try:
        s.sendall(req.encode() + b"\n")
    except (BrokenPipeError, ConnectionResetError):
        pass	# refused at once: the answer is there to read
    buf = b""
    while True:
        try:
            d = s.recv(1 << 16)
        except ConnectionResetError:
            d = b""	# closed with our request unread: the end
        if not d:
            break
        buf += d
    s.close()
    head = buf.split(b"\n", 1)[0]
    return int(head.split(b" ", 1)[0]), buf

path, req = sys.argv[1], " ".join(sys.argv[2:])
try:
    if req == "silent":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.settimeout(20)
        t0 = time.time()
        d = s.recv(100)
        print("closed after %.1f s, got %r" % (time.time() - t0, d))
        sys.exit(0)
    if sys.argv[2] == "adds":
        n, bad = int(sys.argv[3]), 0
        t0 = time.time()
        for i in range(n):
            code, buf = ask(path, "add pass 10.%d.%d.1" % (i >> 8, i & 255))
            bad += code != 0
        print("%d adds in %.1f s, %d failed" % (n, time.time() - t0, bad))
        sys.exit(1 if bad else 0)
    t0 = time.time()
    code, buf = ask(path, req)
except OSError as e:
    print("connect: %s" % e.strerror)
    sys.exit(100)
if os.environ.get("COUNT") == "1":
    body = buf.split(b"\n", 1)[1]
    print("%d entries in %.2f s, %d bytes" % (len(json.loads(body)["entries"]),
        time.time() - t0, len(buf)))
else:
    sys.stdout.write(buf.decode("utf-8", "replace"))
sys.exit(code)
EOF
chmod 644 "$CLIENT"
ctl() { $PY "$CLIENT" "$CTL" "$@"; }
# ctl_is CODE REQUEST...: the request must answer CODE; its output in OUT.
ctl_is() {
	want=$1; shift
	OUT=$(ctl "$@"); rc=$?
	echo "$* -> $rc: $(echo "$OUT" | head -1)"
	[ "$rc" = "$want" ] || { echo "$OUT" >&2; fail "$*: $rc, want $want"; }
}

ngt_gate_start "$NGT_CONF"
ngt_expect_gate "control socket on $CTL \(root and group postfix, mode 0660\)" \
    "control socket"
owner=$(stat -c '%U %G %a' "$CTL")
echo "socket: $owner"
[ "$owner" = "root postfix 660" ] || fail "socket owner/mode $owner"
[ "$(cat "$NGT_DIR/state/nfq-gate.lock")" = "$NGT_GATE_PID" ] ||
    fail "lock file: $(cat "$NGT_DIR/state/nfq-gate.lock"), want $NGT_GATE_PID"

# status, text and JSON: healthy (queue bound, rules there, database).
ctl_is 0 status
echo "$OUT"
echo "$OUT" | grep -q '^health:        ok$' || fail "status: no health line"
echo "$OUT" | grep -q '^queue:         0 (bound)$' || fail "status: queue"
echo "$OUT" | grep -q "^database:      $NGT_DB (" || fail "status: database"
ctl_is 0 json status
echo "$OUT" | sed 1d | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["healthy"] is True and d["bound"] is True, d
assert d["tables"]["pass"][1] > 0 and d["rules"]["watched"], d
print("json status: healthy, queue %d, %d rows" % (d["queue"],
    d["database"]["rows"]))' || fail "json status"

# The penalty box: empty, a bot, then freed.
ctl_is 0 list penalty
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" "bot"
ngt_expect_gate "PREGREET .*$(ngt_re "$NGT_BOT_A4")" "PREGREET"
ctl_is 0 list penalty
echo "$OUT" | grep -q "$(ngt_re "$NGT_BOT_A4")" || fail "bot not listed"
# in_set ADDR yes|no: wait up to 3 s for ADDR to be in penalty4 or not.
in_set() {
	n=0
	while :; do
		if ngt_in "$NGT_GATE_NS" nft list set inet nfq_gate penalty4 |
		    grep -q "$(ngt_re "$1")"; then got=yes; else got=no; fi
		[ $got = "$2" ] && break
		n=$((n + 1))
		[ $n -lt 30 ] || fail "penalty4: $1 in the set: $got, want $2"
		sleep 0.1
	done
	echo "penalty4: $1 in the set: $got"
}
in_set "$NGT_BOT_A4" yes
ctl_is 0 del penalty "$NGT_BOT_A4"
ctl_is 2 list penalty "$NGT_BOT_A4"
in_set "$NGT_BOT_A4" no
ctl_is 0 add penalty 192.0.2.77 1h
in_set 192.0.2.77 yes
ctl_is 0 flush penalty
in_set 192.0.2.77 no
ctl_is 64 frobnicate the tables

# Who may talk: the file's mode, then the gate's own check.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
out=$(as_nobody $PY "$CLIENT" "$CTL" status); rc=$?
echo "nobody: $rc $out"
[ $rc = 100 ] || fail "nobody got through the socket's mode: $rc $out"
out=$(setpriv --reuid=nobody --regid=nogroup --groups=postfix \
    $PY "$CLIENT" "$CTL" status); rc=$?
echo "nobody in postfix: $rc $(echo "$out" | head -1)"
[ $rc = 0 ] || fail "a member of control_socket_group refused: $rc $out"
chmod 666 "$CTL"
out=$(as_nobody $PY "$CLIENT" "$CTL" status); rc=$?
echo "nobody, socket 0666: $rc $out"
[ $rc = 77 ] || fail "the gate let nobody in: $rc $out"
chmod 660 "$CTL"
ngt_expect_gate "control socket: permission denied: uid $(id -u nobody)" \
    "the refusal logged"

# A silent client is closed after ~5 s; another is answered meanwhile.
ctl silent >"$TMP/silent" &
SIL=$!
sleep 0.5
t0=$(ngt_ms)
ctl_is 0 status
ms=$(( $(ngt_ms) - t0 ))
echo "status beside a silent client: $ms ms"
[ $ms -lt 1000 ] || fail "status took $ms ms beside a silent client"
wait $SIL
cat "$TMP/silent"
secs=$(sed -n 's/closed after \([0-9]*\)\..*/\1/p' "$TMP/silent")
[ -n "$secs" ] && [ "$secs" -ge 4 ] && [ "$secs" -le 7 ] ||
    fail "silent client: $(cat "$TMP/silent")"

# 20,000 adds while the gate judges a new client; then one big list.
ctl adds 20000 >"$TMP/adds" 2>&1 &
ADDS=$!
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "mail during the adds"
[ "$MS" -ge 1500 ] || fail "no greeting pause for a new client ($MS ms)"
ngt_expect_gate "PASS NEW .*$(ngt_re "$NGT_CLI_A4")" "PASS NEW"
wait $ADDS || { cat "$TMP/adds"; fail "adds"; }
cat "$TMP/adds"
export COUNT=1
ctl_is 0 json list pass
unset COUNT
n=$(echo "$OUT" | awk '{ print $1 }')
[ "$n" -ge 20001 ] || fail "list pass: $n entries, want 20001"
ctl_is 0 list pass "$NGT_CLI_A4"

# reload and save; the save reaches pass.state.
ctl_is 0 reload
ngt_expect_gate "reloaded $NGT_CONF" "reload logged"
ctl_is 0 save
n=0
until [ "$(grep -c '^10\.' "$NGT_DIR/state/pass.state" 2>/dev/null)" -ge 20000 ]
do
	n=$((n + 1))
	[ $n -lt 50 ] || fail "pass.state: $(grep -c '^10\.' \
	    "$NGT_DIR/state/pass.state") entries after the save"
	sleep 0.1
done
echo "pass.state: $(grep -c '^10\.' "$NGT_DIR/state/pass.state") added entries"

# The state_dir lock: a second gate is refused.
out=$(ip netns exec "$NGT_GATE_NS" "$GATE" -c "$NGT_CONF" -q 1 -f \
    --no-syslog 2>&1); rc=$?
echo "second gate: $rc: $(echo "$out" | tail -1)"
[ $rc = 69 ] || fail "second gate: exit $rc, want 69"
echo "$out" | grep -q "state_dir $NGT_DIR/state is in use by another nfq-gate or nfq-gate-ctl (pid $NGT_GATE_PID" ||
    fail "second gate: $out"
kill -0 "$NGT_GATE_PID" || fail "the first gate died"
ctl_is 0 status

ngt_gate_stop
[ "$NGT_RC" = 0 ] || fail "exit $NGT_RC"
[ ! -e "$CTL" ] || fail "socket left after the stop"
echo "ok"
