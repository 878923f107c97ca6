#!/bin/sh
# live_asn.sh - asn and owner rules in the live daemon, and their owner
# patterns across reloads.  A veth pair, a one-line greeter, the daemon
# on NFQUEUE 0 with a database built here from a country CSV and an asn
# CSV:
#   - "owner /pool/ in CN = drop" drops a CN client whose owner is a
#     dynamic pool, with the rule and owner on its DROP line, while a
#     client the database does not know is tested and passed;
#   - a SIGHUP with a bad pattern is refused (file:line, "bad pattern"),
#     and the old rules stay in force;
#   - a SIGHUP whose pattern no longer matches, and an asn line after
#     it, makes the same client a REJECT by "asn AS4134": the owner bits
#     were rebuilt for the new patterns, not kept from the old ones.
# Everything stays inside the two namespaces; every wait is bounded.

. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$GATE" ] && [ -x "$GATEDB" ] || skip "$GATE not built"
PY=$(command -v python3) || skip "python3 missing"
command -v iptables >/dev/null || skip "iptables missing"

. "$NG_ROOT/tests/veth.sh"
veth_pair nga
inc ip addr add 198.51.100.10/32 dev "$ID-a"
inc ip addr add 1.0.1.5/32 dev "$ID-a"
ins ip addr add 203.0.113.25/32 dev "$ID-b"
inc ip route add 203.0.113.25/32 dev "$ID-a"
for n in 198.51.100.0/24 1.0.1.0/24; do ins ip route add $n dev "$ID-b"; done
ins iptables -w -N NFQG || fail "iptables -N"
ins iptables -w -A INPUT -p tcp --dport 25 -j NFQG
ins iptables -w -A OUTPUT -p tcp --sport 25 -j NFQG
ins iptables -w -A NFQG -p tcp -m connmark --mark 0x100/0x100 -j ACCEPT
ins iptables -w -A NFQG -p tcp -m mark --mark 0x200/0x200 \
    -j REJECT --reject-with tcp-reset
ins iptables -w -A NFQG -p tcp -j NFQUEUE --queue-num 0 --queue-bypass

cat >"$TMP/server.py" <<'EOF'
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 25)); s.listen(16)
def serve(c):
    try:
        c.sendall(b"220 hi\r\n"); c.settimeout(5); c.recv(64)
    except OSError:
        pass
    c.close()
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
# result=greeting, result=reset, connect=timeout (dropped) or the error
cat >"$TMP/client.py" <<'EOF'
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], 0)); s.settimeout(3)
try:
    s.connect(("203.0.113.25", 25))
    s.settimeout(5)
    print("result=greeting" if s.recv(64).startswith(b"220") else
          "result=closed")
except socket.timeout:
    print("connect=timeout")
except ConnectionRefusedError:
    print("result=reset")
except ConnectionResetError:
    print("result=reset")
EOF
ip netns exec "$SRV" $PY "$TMP/server.py" &
SPID=$!
client() { inc $PY "$TMP/client.py" "$@"; }

cat >"$TMP/cc.csv" <<'EOF'
1.0.1.0,1.0.1.255,CN
EOF
cat >"$TMP/asn.csv" <<'EOF'
1.0.1.0,1.0.1.255,4134,"CHINANET Guangdong, dynamic pool"
EOF
"$GATEDB" build -o "$TMP/db" "$TMP/cc.csv" "$TMP/asn.csv" \
    >"$TMP/db.log" 2>&1 || { cat "$TMP/db.log"; fail "nfq-gate-db build"; }
chmod 755 "$TMP"
conf() {	# rule lines on stdin's behalf: $1
	printf 'greet_pause = 1s\ndatabase = %s\nstate_dir = %s\n' \
	    "$TMP/db" "$TMP/state"
	printf 'user = nobody\ncontrol_socket =\n%s\n' "$1"
}
conf 'owner /pool/ in CN = drop' >"$TMP/gate.conf"
LOG=$TMP/gate.log
expect() {	# regex, what
	n=0
	until grep -Eq "$1" "$LOG"; do
		n=$((n + 1))
		[ $n -lt 30 ] || { cat "$LOG"; fail "$2: no line /$1/"; }
		sleep 0.1
	done
}
ip netns exec "$SRV" "$GATE" -c "$TMP/gate.conf" -q 0 --no-syslog >"$LOG" 2>&1 &
GPID=$!
n=0
until grep -q "starting on queue 0" "$LOG"; do
	kill -0 $GPID 2>/dev/null || { cat "$LOG"; fail "gate died"; }
	n=$((n + 1)); [ $n -lt 50 ] || { cat "$LOG"; fail "no start line"; }
	sleep 0.1
done

out=$(client 198.51.100.10); echo "unknown: $out"
[ "$out" = result=greeting ] || fail "unknown client: $out"
expect "PASS NEW \[198.51.100.10\]:[0-9]+" "unknown client"

out=$(client 1.0.1.5); echo "cn pool: $out"
[ "$out" = connect=timeout ] || fail "cn pool: $out"
expect 'DROP \[1.0.1.5\]:[0-9]+ country=CN asn=4134 rule="owner /pool/" owner=CHINANET Guangdong, dynamic pool$' \
    "owner rule"

# A bad pattern: refused, the rules in force stay.
conf 'owner /pool(/ in CN = drop' >"$TMP/gate.conf"
kill -HUP $GPID
expect "reload failed, old configuration kept: .*gate.conf:6: owner: bad pattern: " \
    "bad pattern"
out=$(client 1.0.1.5); echo "after the bad reload: $out"
[ "$out" = connect=timeout ] || fail "after the bad reload: $out"

# New patterns: the owner bits follow them.
conf 'owner /static/ = drop
asn AS4134 = reject' >"$TMP/gate.conf"
kill -HUP $GPID
expect "reloaded $TMP/gate.conf" "good reload"
out=$(client 1.0.1.5); echo "after the good reload: $out"
# (How the reset reaches the client is the firewall rules' business,
# tested elsewhere; here the line says which rule decided.)
case $out in result=greeting*) fail "after the good reload: $out" ;; esac
expect 'REJECT \[1.0.1.5\]:[0-9]+ country=CN asn=4134 rule="asn AS4134"' \
    "asn rule after reload"
kill -TERM $GPID
wait $GPID
rc=$?
GPID=
[ $rc = 0 ] || { cat "$LOG"; fail "gate exit $rc"; }
echo "live asn and owner rules passed"
exit 0
