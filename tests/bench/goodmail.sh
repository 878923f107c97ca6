#!/bin/sh
# tests/bench/goodmail.sh - what the gate costs a good client.
#
# 1. Packets of one good SMTP session (a new client: greet pause, PASS
#    NEW, then a 1 MB message to the private Postfix with swaks) that
#    reach userspace, from the gate's own packet counter, against all
#    packets of that session (counting rules in front of the gate's).
# 2. 200 MB transfers to port 25 (xfer to greetd, a plain sink) from a
#    client the gate has already passed, against the same transfers with
#    no rules and no gate; samples of five transfers, alternately, best
#    of five samples each.
#
# NG_BENCH_XFER_MB  megabytes per transfer (default 200)

. "$(dirname "$0")/bench.sh"

MB=${NG_BENCH_XFER_MB:-200}
REPS=5		# transfers per sample: one alone lasts a tenth of a second
W1="packets to userspace per good SMTP session (new client, 1 MB message) vs all its packets"
W2="$MB MB to port 25, passed client through the gate vs no gate"

[ "$(id -u)" = 0 ] || { na "$W1" "needs root for namespaces" "≤ 8"; exit 0; }
have "$BENCH/xfer" && have "$BENCH/greetd" ||
    { na "$W1" "xfer/greetd not built" "≤ 8"; exit 0; }
have_live || { na "$W1" "live gate (nfq-gate -q) not built yet" "≤ 8";
    na "$W2" "live gate (nfq-gate -q) not built yet" "≥ 0.98"; exit 0; }
command -v swaks >/dev/null || { na "$W1" "swaks not installed" "≤ 8"; exit 0; }
. "$NG_ROOT/tests/netns.sh"
ngt_init
fail() { na "$W1" "$*" "≤ 8"; na "$W2" "$*" "≥ 0.98"; exit 0; }

SINK=203.0.113.26	# greetd, beside Postfix on .25
ngt_topology local
ngt_addr "$NGT_SRV" eth0 "$SINK/24"
ngt_postfix_start
ngt_rules_install
db=$(bench_db) || fail "database build failed"
gate_conf "$db" "greet_pause = 2s" "stats_interval = 1h"
ngt_gate_start "$NGT_CONF" -f --no-syslog
gpid=$(gate_pid) || fail "the gate is not running"

# Every port-25 packet of the good client, both ways, counted before the
# gate's chain sees it.
ngt_in "$NGT_SRV" iptables -I INPUT 1 -p tcp --dport 25 -s "$NGT_CLI_A4" -d "$NGT_SRV_A4"
ngt_in "$NGT_SRV" iptables -I OUTPUT 1 -p tcp --sport 25 -d "$NGT_CLI_A4" -s "$NGT_SRV_A4"
all_packets() {
	ngt_in "$NGT_SRV" iptables -nvxL INPUT 1 | awk '{ print $1 }'
	ngt_in "$NGT_SRV" iptables -nvxL OUTPUT 1 | awk '{ print $1 }'
}
sum() { awk '{ s += $1 } END { print s }'; }

head -c $((1024 * 1024)) /dev/urandom | base64 >"$TMP/body"	# ~1.35 MB of lines
head -c 1048576 "$TMP/body" >"$TMP/body1m"
# One 1 MB mail from the good client; sets USER (packets the gate saw)
# and ALL (packets of the session).
session() {	# label
	a0=$(all_packets | sum)
	g0=$(gate_packets "$gpid") || fail "no statistics from the gate on SIGUSR1"
	ngt_swaks "$NGT_CLI_A4" "$NGT_SRV_A4" --body "@$TMP/body1m" \
	    >"$TMP/swaks" 2>&1 || { tail -n 20 "$TMP/swaks" >&2; fail "swaks failed ($1)"; }
	sleep 0.5
	g1=$(gate_packets "$gpid") || fail "no statistics from the gate on SIGUSR1"
	a1=$(all_packets | sum)
	USER=$((g1 - g0)) ALL=$((a1 - a0))
	say "$1: $USER of $ALL packets to userspace"
}
session "new client"
row "$W1" "$USER" "$ALL" "$(ratio "$USER" "$ALL")" "$(goal_le "$USER" 8 "≤ 8 packets")"
session "passed client"
row "packets to userspace per good SMTP session (passed client, PASS OLD) vs all its packets" \
    "$USER" "$ALL" "$(ratio "$USER" "$ALL")" "$(goal_le "$USER" 8 "≤ 8 packets")"
grep -E "PASS (NEW|OLD)" "$NGT_GATELOG" >&2

# The client is in the pass cache now: its next connection is offloaded
# at the SYN.  Same sink, same sender, rules+gate and then none.
ngt_in "$NGT_SRV" "$BENCH/greetd" "$SINK" 25 600 >"$TMP/greetd" 2>&1 &
sleep 0.3
mbps() { kv mbps <"$TMP/x"; }
gbest= nbest=
for i in 1 2 3 4 5; do
	ngt_rules_install
	ngt_in "$NGT_CLI" "$BENCH/xfer" "$NGT_CLI_A4" "$SINK" 25 \
	    $((MB * 1000000)) 60 $REPS >"$TMP/x" || fail "xfer through the gate failed"
	cat "$TMP/x" >&2
	gbest=$(max "$gbest" "$(mbps)")
	ngt_in "$NGT_GATE_NS" sh "$NG_ROOT/tools/nfq-gate-rules" remove ||
	    fail "nfq-gate-rules remove"
	ngt_in "$NGT_CLI" "$BENCH/xfer" "$NGT_CLI_A4" "$SINK" 25 \
	    $((MB * 1000000)) 60 $REPS >"$TMP/x" || fail "xfer without the gate failed"
	cat "$TMP/x" >&2
	nbest=$(max "$nbest" "$(mbps)")
done
grep -E "PASS (NEW|OLD)" "$NGT_GATELOG" | tail -n 3 >&2
r=$(ratio "$gbest" "$nbest")
row "$W2 (best of 5 samples of $REPS transfers)" "$gbest MB/s" "$nbest MB/s" "$r" "$(goal_ge "$r" 0.98 "≥ 0.98")"
