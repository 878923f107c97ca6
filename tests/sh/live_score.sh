#!/bin/sh
# live_score.sh - one score, one decision, live: DNS lists, reverse DNS
# and the SYN fingerprint added up by the gate in front of a real
# Postfix, with a real dnsmasq serving the zones in the gate's namespace.
#
# greet_pause 3 s; dnsbl_sites zen.example*3 and list.dnswl.example*-3,
# dnsbl_threshold 5 (reject), score_greylist 3, dnsbl_allowlist_threshold
# -2; rdns_dynamic_weight 2, rdns_none_weight 1; "score fingerprint
# unknown = 4" with the shipped rules/nfq-gate.fp.  The clients (extra
# addresses in the client namespace):
#   .20  zen-listed, PTR dsl-20.dyn.isp.test (dynamic): 3+2 = 5, reject
#   .21  zen-listed, PTR mail.good.test (confirmed): 3, greylist
#   .22  on the DNSWL, PTR mx.good.test: -3, passes with no pause
#   .10  nowhere, no PTR: 1, the normal greeting test (3 s)
#   .23  nowhere, no PTR, its namespace's ip_default_ttl 128 (a Linux
#        SYN with TTL 128 matches no shipped signature: "unknown"):
#        1+4 = 5, reject
# Then the gate again, its resolver a server that never answers
# (tests/helpers/dns_fault.py drop), dns_timeout 10 s: an unlisted
# client's pause still ends on time, decided without DNS, counted as
# dns_unanswered.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live dnsmasq python3
[ -r "$NG_ROOT/rules/nfq-gate.fp" ] || skip "rules/nfq-gate.fp missing"

C=198.51.100
DNS_PID= FAULT_PID=
cleanup() {
	rc=$?
	for p in $DNS_PID $FAULT_PID; do
		kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
	done
	(exit $rc)
	ngt_cleanup
}
ngt_init
trap cleanup EXIT
ngt_topology local
ngt_addr "$NGT_CLI" eth0 $C.20/24 $C.21/24 $C.22/24 $C.23/24
ngt_postfix_start
ngt_rules_install --family 4
ngt_db_build

# dnsmasq in the gate's namespace, the lists, PTRs and forward names.
ip netns exec "$NGT_SRV" dnsmasq -k --conf-file=/dev/null --no-resolv \
    --no-hosts --no-poll --listen-address=127.0.0.1 --bind-interfaces \
    --user=root --pid-file="$NGT_DIR/dnsmasq.pid" --log-queries \
    --log-facility="$NGT_DIR/dnsmasq.log" --local-ttl=300 \
    --local=/zen.example/ --local=/list.dnswl.example/ \
    --local=/in-addr.arpa/ --local=/isp.test/ --local=/good.test/ \
    --address=/20.100.51.198.zen.example/127.0.0.2 \
    --address=/21.100.51.198.zen.example/127.0.0.2 \
    --address=/22.100.51.198.list.dnswl.example/127.0.10.2 \
    --host-record=dsl-20.dyn.isp.test,$C.20 \
    --host-record=mail.good.test,$C.21 \
    --host-record=mx.good.test,$C.22 \
    >>"$NGT_DIR/dnsmasq.log" 2>&1 &
DNS_PID=$!
n=0
until ngt_in "$NGT_SRV" ss -Hluln | grep -q '127.0.0.1:53 '; do
	kill -0 "$DNS_PID" 2>/dev/null ||
	    { cat "$NGT_DIR/dnsmasq.log" >&2; fail "dnsmasq exited"; }
	n=$((n + 1))
	[ $n -lt 50 ] || fail "dnsmasq does not listen"
	sleep 0.1
done

score_conf() {	# dns_servers dns_timeout
	ngt_gate_conf "stats_interval = 1s" "dns_servers = $1" \
	    "dns_timeout = $2" \
	    "dnsbl_sites = zen.example*3, list.dnswl.example=127.0.[0..255].[1..3]*-3" \
	    "dnsbl_threshold = 5" "dnsbl_allowlist_threshold = -2" \
	    "score_greylist = 3" "rdns_dynamic = /dyn/" \
	    "rdns_dynamic_weight = 2" "rdns_none_weight = 1" \
	    "fingerprints = $NG_ROOT/rules/nfq-gate.fp" \
	    "score fingerprint unknown = 4"
	sed -i "s/^greet_pause = .*/greet_pause = 3s/" "$NGT_CONF"
}
score_conf 127.0.0.1 2s
ngt_gate_start "$NGT_CONF"
ngt_expect_gate "dns: 2 lists, reverse DNS on" "resolver started"

# refused SRC LABEL: swaks gets no 220; Postfix never hears of it.
refused() {
	t0=$(ngt_ms)
	ngt_swaks "$1" "$NGT_SRV_A4" >"$NGT_DIR/swaks-$2" 2>&1 &&
	    fail "$2: mail from $1 went through"
	ms=$(( $(ngt_ms) - t0 ))
	grep -q '^<-  220' "$NGT_DIR/swaks-$2" && fail "$2: saw the greeting"
	grep -E "connect from [^ ]*\[$(ngt_re "$1")\]" "$NGT_PF/maillog" &&
	    fail "$2: Postfix saw $1"
	echo "$2: refused after $ms ms"
}

# Listed: rejected (reset at the pause's end, not penalised) and
# greylisted, side by side.
refused $C.20 reject &
P1=$!
refused $C.21 greylist &
P2=$!
wait $P1 || fail "reject case"
wait $P2 || fail "greylist case"
ngt_expect_gate "SCORE 5 reject for \[$C\.20\]:[0-9]+: dnsbl=3 \(zen\.example=3\) rdns=dynamic\(2\) fp=linux\(0\)" \
    "SCORE line of the rejected client"
ngt_expect_gate "DNSBL rank 3 for \[$C\.20\]:[0-9]+" "postscreen's rank line"
ngt_expect_gate "REJECT \[$C\.20\]:[0-9]+ .*rule=\"score\"" "REJECT by score"
ngt_expect_gate "SCORE 3 greylist for \[$C\.21\]:[0-9]+: dnsbl=3 \(zen\.example=3\) rdns=ok\(0\)" \
    "SCORE line of the greylisted client"
ngt_expect_gate "GREYLIST \[$C\.21\]:[0-9]+" "GREYLIST by score"
grep -qE "PREGREET|PENALTY" "$NGT_GATELOG" && fail "a score penalised"

# Allowlisted: no pause.  Unlisted: the normal test, the whole pause.
ngt_mail_ok $C.22 "$NGT_SRV_A4" allowlisted
ALLOW_MS=$MS
ngt_expect_gate "SCORE -3 pass for \[$C\.22\]:[0-9]+: dnsbl=-3 \(list\.dnswl\.example=-3\) rdns=ok\(0\)" \
    "SCORE line of the allowlisted client"
[ "$ALLOW_MS" -lt 1500 ] ||
    fail "allowlisted session took $ALLOW_MS ms (pause 3000 ms)"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" unlisted
TEST_MS=$MS
ngt_expect_gate "SCORE 1 test for \[$C\.10\]:[0-9]+: dnsbl=0 rdns=none\(1\) fp=linux\(0\)" \
    "SCORE line of the unlisted client"
ngt_expect_gate "PASS NEW \[$C\.10\]:[0-9]+" "unlisted client passed the test"
[ "$TEST_MS" -ge 3000 ] || fail "unlisted session took $TEST_MS ms, < pause"
echo "timing: allowlisted session $ALLOW_MS ms, unlisted $TEST_MS ms, pause 3000 ms"

# The fingerprint: the client namespace's TTL 128.
ngt_in "$NGT_CLI" sysctl -qw net.ipv4.ip_default_ttl=128 || fail sysctl
refused $C.23 fingerprint
ngt_expect_gate "SCORE 5 reject for \[$C\.23\]:[0-9]+: .*fp=unknown\(4\)" \
    "fingerprint class scored"
ngt_in "$NGT_CLI" sysctl -qw net.ipv4.ip_default_ttl=64
ngt_prom_wait dns_queries_total 1 ||
    fail "no dns_queries_total in the prom file"
echo "resolver: $(ngt_prom dns_clients_total) clients, $(ngt_prom dns_queries_total) queries, $(ngt_prom dns_unanswered_total) unanswered"

# A resolver that never answers: the pause still ends on time.
ngt_gate_stop
ngt_in "$NGT_SRV" python3 "$NG_ROOT/tests/helpers/dns_fault.py" 127.0.0.1 \
    5399 drop >"$NGT_DIR/fault.log" 2>&1 &
FAULT_PID=$!
n=0
until grep -q ready "$NGT_DIR/fault.log" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 50 ] || { cat "$NGT_DIR/fault.log" >&2; fail "drop server"; }
	sleep 0.1
done
: >"$NGT_GATELOG"
rm -f "$NGT_DIR/state/nfq-gate.prom"
score_conf 127.0.0.1:5399 10s
ngt_gate_start "$NGT_CONF"
ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" deaddns
DEAD_MS=$MS
ngt_expect_gate "SCORE 0 test for \[$C\.12\]:[0-9]+: dnsbl=0 rdns=noanswer\(0\) .*noanswer=3" \
    "decided without DNS"
PAUSE_END=$(grep -oE "PASS NEW \[$C\.12\]:[0-9]+" "$NGT_GATELOG")
[ -n "$PAUSE_END" ] || fail "no PASS NEW for $C.12"
[ "$DEAD_MS" -ge 3000 ] && [ "$DEAD_MS" -lt 4500 ] ||
    fail "pause with a dead resolver: session $DEAD_MS ms, want 3000..4500"
ngt_prom_wait dns_unanswered_total 1 ||
    fail "dns_unanswered_total not counted: $(grep dns_ "$NGT_DIR/state/nfq-gate.prom")"
CTLBIN=$NG_BUILD/nfq-gate-ctl
if [ -x "$CTLBIN" ]; then
	st=$(ng_run "$CTLBIN" -c "$NGT_CONF" status) || fail "ctl status"
	echo "$st" | grep -E '^dns: +1 clients, [0-9]+ queries, .* [1-9][0-9]* unanswered' ||
	    fail "status: no dns line with the unanswered lookups: $st"
	ng_run "$CTLBIN" -c "$NGT_CONF" --json status | python3 -c '
import json, sys
d = json.load(sys.stdin)["dns"]
assert d["clients"] == 1 and d["unanswered"] >= 1, d' ||
	    fail "status --json: dns member"
fi
echo "dead resolver: session $DEAD_MS ms (pause 3000 ms), dns_unanswered_total $(ngt_prom dns_unanswered_total)"
echo "PASS: reject, greylist, allowlist without pause, normal test, rdns and fingerprint scored, dead DNS on time"
