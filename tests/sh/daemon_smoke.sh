#!/bin/sh
# daemon_smoke.sh - the live daemon on its own, without Postfix: a veth
# pair between a client and a server namespace, a tiny Python SMTP
# greeter in the server namespace, the daemon on NFQUEUE 0 there, and
# Python clients that wait for the greeting (PASS NEW, then PASS OLD),
# talk first (PREGREET, reset at both ends, then PENALTY), come from CN
# (DROP at the SYN), over IPv4 and IPv6.  Then the daemon's own duties:
# privilege drop to nobody, SIGUSR1 counters, the Prometheus file,
# SIGHUP with a broken and a good config, SIGTERM exits 0, a bad config
# at start-up exits 78.  Everything stays inside the two namespaces,
# removed by the EXIT trap; every wait is bounded.

. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$GATE" ] || skip "$GATE not built"
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3) || skip "python3 missing"
command -v iptables >/dev/null || skip "iptables missing"

. "$NG_ROOT/tests/veth.sh"
veth_pair ngd
for a in 198.51.100.10 198.51.100.11 198.51.100.12 1.0.1.5 \
    198.51.100.20 198.51.100.21 198.51.100.22 198.51.100.23 198.51.100.24 \
    198.51.100.25; do
	inc ip addr add $a/32 dev "$ID-a"
done
for a in 2001:db8:1::10 2001:db8:1::11 240e::5; do
	inc ip addr add $a/128 dev "$ID-a" nodad
done
ins ip addr add 203.0.113.25/32 dev "$ID-b"
ins ip addr add 2001:db8:25::25/128 dev "$ID-b" nodad
inc ip route add 203.0.113.25/32 dev "$ID-a"
inc ip -6 route add 2001:db8:25::25/128 dev "$ID-a"
for n in 198.51.100.0/24 1.0.1.0/24; do ins ip route add $n dev "$ID-b"; done
for n in 2001:db8:1::/64 240e::/20; do ins ip -6 route add $n dev "$ID-b"; done

# The gate's rules, local-MTA mode, both families.
for ipt in iptables ip6tables; do
	ins $ipt -w -N NFQG || fail "$ipt -N"
	ins $ipt -w -A INPUT -p tcp --dport 25 -j NFQG
	ins $ipt -w -A OUTPUT -p tcp --sport 25 -j NFQG
	ins $ipt -w -A NFQG -p tcp -m connmark --mark 0x100/0x100 -j ACCEPT
	ins $ipt -w -A NFQG -p tcp -m mark --mark 0x200/0x200 \
	    -j REJECT --reject-with tcp-reset
	ins $ipt -w -A NFQG -p tcp -j NFQUEUE --queue-num 0 --queue-bypass
done

# An nftables penalty set for nft_penalty_set.
NFT=0
if command -v nft >/dev/null &&
    ins nft add table inet ngd 2>/dev/null &&
    ins nft add set inet ngd pen4 '{ type ipv4_addr; flags timeout; }' &&
    ins nft add set inet ngd pen6 '{ type ipv6_addr; flags timeout; }'; then
	NFT=1
fi

# The greeter: "220 hi" at once; records whom it accepted and what
# each client sent.
cat >"$TMP/server.py" <<'EOF'
import socket, sys, threading
log = open(sys.argv[1], "a", buffering=1)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 25)); s.listen(64)
def serve(c, a):
    c.settimeout(10)
    got, how = b"", "closed"
    try:
        c.sendall(b"220 hi\r\n")
        while True:
            d = c.recv(512)
            if not d:
                break
            got += d
            if b"QUIT" in got:
                c.sendall(b"221 bye\r\n")
                break
    except ConnectionResetError:
        how = "reset"
    except Exception as e:
        how = type(e).__name__
    log.write("conn %s %s got=%r\n" % (a[0], how, got))
    c.close()
while True:
    c, a = s.accept()
    log.write("accept %s\n" % a[0])
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
EOF
# A client: "wait" for the greeting then QUIT, or "talk" first.
cat >"$TMP/client.py" <<'EOF'
import socket, sys, time
mode, src, dst = sys.argv[1:4]
wait = float(sys.argv[4]) if len(sys.argv) > 4 else 8
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.bind((src, 0)); s.settimeout(3)
t0 = time.time()
try:
    s.connect((dst, 25))
except socket.timeout:
    print("connect=timeout"); sys.exit(0)
except OSError as e:
    print("connect=%s" % e.__class__.__name__); sys.exit(0)
s.settimeout(wait)
if mode == "talk":
    s.sendall(b"EHLO bot\r\n")
try:
    d = s.recv(512)
    took = time.time() - t0
    if not d:
        print("result=closed"); sys.exit(0)
    if mode == "wait":
        s.sendall(b"QUIT\r\n"); s.recv(512)
    print("result=greeting ms=%d" % (took * 1000))
except ConnectionResetError:
    print("result=reset")
except socket.timeout:
    print("result=timeout")
EOF
ip netns exec "$SRV" $PY "$TMP/server.py" "$TMP/server.log" &
SPID=$!

"$GATEDB" build -o "$TMP/db" "$NG_ROOT/rules/netblocks-sample.csv" \
    >"$TMP/db.log" 2>&1 || { cat "$TMP/db.log"; fail "nfq-gate-db build"; }
chmod 755 "$TMP"
conf() {	# greet pause, user
	cat <<EOF
greet_pause = $1
country CN = drop
database = $TMP/db
state_dir = $TMP/state
control_socket = $TMP/ctl.sock
user = $2
stats_interval = 1s
EOF
	[ $NFT = 1 ] && echo "nft_penalty_set = inet ngd pen4 pen6"
	true
}
conf 1s nobody >"$TMP/gate.conf"
LOG=$TMP/gate.log
start_gate() {
	: >"$LOG"
	ip netns exec "$SRV" "$GATE" -c "$TMP/gate.conf" -q 0 --no-syslog \
	    >"$LOG" 2>&1 &
	GPID=$!
	n=0
	until grep -q "starting on queue 0" "$LOG"; do
		kill -0 $GPID 2>/dev/null || { cat "$LOG"; fail "gate died"; }
		n=$((n + 1))
		[ $n -lt 50 ] || { cat "$LOG"; fail "no start line"; }
		sleep 0.1
	done
	cat "$LOG"
}
stop_gate() {	# signal, expected exit status
	kill -$1 $GPID
	n=0
	while kill -0 $GPID 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "SIG$1: still running"
		sleep 0.1
	done
	wait $GPID; rc=$?
	GPID=
	[ $rc = $2 ] || { cat "$LOG"; fail "SIG$1: exit $rc"; }
}
start_gate

expect() {	# regex, what
	n=0
	until grep -Eq "$1" "$LOG"; do
		n=$((n + 1))
		[ $n -lt 30 ] || { cat "$LOG"; fail "$2: no line /$1/"; }
		sleep 0.1
	done
}
client() { inc $PY "$TMP/client.py" "$@"; }

# The daemon runs as nobody with CAP_NET_ADMIN only.
uid=$(awk '/^Uid:/ { print $3 }' /proc/$GPID/status)
[ "$uid" = "$(id -u nobody)" ] || fail "running as uid $uid, not nobody"
capeff=$(awk '/^CapEff:/ { print $2 }' /proc/$GPID/status)
[ "$capeff" = "0000000000001000" ] || fail "effective caps $capeff"

for fam in 4 6; do
	if [ $fam = 4 ]; then
		good=198.51.100.10 bot=198.51.100.11 cn=1.0.1.5
		srv=203.0.113.25
	else
		good=2001:db8:1::10 bot=2001:db8:1::11 cn=240e::5
		srv=2001:db8:25::25
	fi
	out=$(client wait $good $srv); echo "good-new$fam: $out"
	case $out in result=greeting*) ;; *) fail "good-new$fam: $out" ;; esac
	ms=${out#*ms=}
	[ "$ms" -ge 900 ] || fail "good-new$fam: greeting after $ms ms"
	expect "PASS NEW \[$good\]:[0-9]+" "good-new$fam"

	out=$(client wait $good $srv); echo "good-old$fam: $out"
	ms=${out#*ms=}
	[ "$ms" -lt 500 ] || fail "good-old$fam: held $ms ms"
	expect "PASS OLD \[$good\]:[0-9]+" "good-old$fam"

	out=$(client talk $bot $srv); echo "bot$fam: $out"
	[ "$out" = result=reset ] || { cat "$LOG" "$TMP/server.log";
	    ins iptables -w -v -x -n -L NFQG; fail "bot$fam: $out"; }
	expect "PREGREET [0-9]+ after [0-9.]+ from \[$bot\]:[0-9]+: EHLO bot" \
	    "bot$fam"
	# The handshake was held: the server never accepted the bot (its
	# half-open request was reset), so it never saw a byte of it.
	sleep 0.3
	grep -x "accept [:f]*$bot" "$TMP/server.log" &&
	    { cat "$TMP/server.log"; fail "bot$fam: the server accepted it"; }

	if [ $NFT = 1 ]; then
		ins nft list set inet ngd pen$fam | grep -q "$bot timeout" ||
		    { ins nft list set inet ngd pen$fam; cat "$LOG";
		    fail "bot$fam: not in the nft penalty set"; }
	fi

	out=$(client talk $bot $srv); echo "bot-again$fam: $out"
	case $out in result=greeting*) fail "bot-again$fam: $out" ;; esac
	expect "PENALTY \[$bot\]:[0-9]+" "bot-again$fam"

	out=$(client wait $cn $srv); echo "cn$fam: $out"
	[ "$out" = connect=timeout ] || fail "cn$fam: $out"
	expect "DROP \[$cn\]:[0-9]+ country=CN" "cn$fam"
done

acc=$(ins iptables -w -v -x -n -L NFQG | awk '/connmark/ { print $1 }')
echo "IPv4 packets on the connmark fast path: $acc"
[ "${acc:-0}" -gt 0 ] || fail "no packet took the connmark fast path"

kill -USR1 $GPID
expect "statistics: .*offload=[1-9]" "SIGUSR1"
expect "decisions by country:.*CN=2" "SIGUSR1 countries"
n=0
until [ -s "$TMP/state/nfq-gate.prom" ]; do
	n=$((n + 1)); [ $n -lt 30 ] || fail "no nfq-gate.prom"; sleep 0.1
done
grep -q 'nfq_gate_decisions_total{country="CN",decision="drop"} 2' \
    "$TMP/state/nfq-gate.prom" || { cat "$TMP/state/nfq-gate.prom";
    fail "prom file lacks the CN drops"; }

# SIGHUP: a broken config is refused and the old one stays in force.
echo "greet_pause = soon" >"$TMP/gate.conf"
kill -HUP $GPID
expect "reload failed, old configuration kept: .*gate.conf:1" "bad HUP"
conf 0s nobody >"$TMP/gate.conf"
kill -HUP $GPID
expect "reloaded $TMP/gate.conf" "good HUP"
kill -0 $GPID || fail "gate died on reload"

stop_gate TERM 0
cat "$LOG"

# State lasts: after SIGTERM the cache is on disk...
conf 1s nobody >"$TMP/gate.conf"
start_gate
grep -q "entries loaded" "$LOG" || fail "restart: no state loaded"
out=$(client wait 198.51.100.10 203.0.113.25); echo "restart: $out"
expect "PASS OLD \[198.51.100.10\]:[0-9]+" "restart"
# ... and a PASS NEW survives kill -9 a second and a half later.
out=$(client wait 198.51.100.12 203.0.113.25); echo "new: $out"
expect "PASS NEW \[198.51.100.12\]:[0-9]+" "new"
sleep 1.5
stop_gate KILL 137
start_gate
out=$(client wait 198.51.100.12 203.0.113.25); echo "after kill -9: $out"
ms=${out#*ms=}
[ "$ms" -lt 500 ] || fail "after kill -9: held $ms ms"
expect "PASS OLD \[198.51.100.12\]:[0-9]+" "after kill -9"
stop_gate TERM 0

# Stress: with queue_maxlen 8, five held greetings are over half; the
# pause drops from 5s to 1s for the next client, and comes back later.
{ conf 5s nobody; echo "queue_maxlen = 8"; echo "greet_pause_stress = 1s"; } \
    >"$TMP/gate.conf"
start_gate
pids=
for i in 20 21 22 23 24; do
	client wait 198.51.100.$i 203.0.113.25 >"$TMP/held$i" &
	pids="$pids $!"
done
expect "stress: [0-9]+ packets held or queued" "stress on"
out=$(client wait 198.51.100.25 203.0.113.25); echo "under stress: $out"
ms=${out#*ms=}
[ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] ||
    fail "under stress: greeting after $ms ms, not the 1s stress pause"
wait $pids
cat "$TMP"/held2*
grep -c "result=greeting" "$TMP"/held2* | grep -q ":0" &&
    fail "a held client got no greeting"
expect "stress over" "stress off"
stop_gate TERM 0

# Without the REJECT rule a reset packet would come back for ever; the
# gate drops it the second time and says what is missing.
ins iptables -w -D NFQG -p tcp -m mark --mark 0x200/0x200 \
    -j REJECT --reject-with tcp-reset || fail "iptables -D"
conf 1s nobody >"$TMP/gate.conf"
start_gate
out=$(client talk 198.51.100.11 203.0.113.25 2); echo "no REJECT rule: $out"
expect "reset mark 0x200 was queued again" "reset loop"
out=$(client wait 198.51.100.10 203.0.113.25); echo "then: $out"
case $out in result=greeting*) ;; *) fail "gate stuck after a loop" ;; esac
stop_gate TERM 0

# A bad config at start-up: exit 78 with the file and line.
printf 'greet_pause = 1s\nbogus = 1\n' >"$TMP/bad.conf"
ins "$GATE" -c "$TMP/bad.conf" -q 0 --no-syslog >"$TMP/bad.log" 2>&1
rc=$?
[ $rc = 78 ] || { cat "$TMP/bad.log"; fail "bad config: exit $rc"; }
grep -q "bad.conf:2" "$TMP/bad.log" || fail "bad config: no file:line"
echo "daemon smoke test passed"
exit 0
