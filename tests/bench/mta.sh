#!/bin/sh
# tests/bench/mta.sh - what the MTA behind the gate spends on clients
# under test: hold = handshake (ours: the client's handshake-completing
# ACK is held, the MTA's socket stays a half-open request) against
# hold = greeting (the baseline: the MTA accepts at once, the gate holds
# its 220, an smtpd process waits through the pause).  Both run side by
# side in this run, against a private Postfix, with polite new clients
# from smtpburst (one source address each, a real SMTP session and a
# short mail each).
#
# 1. A burst of 30 clients at once, Postfix's process limit 10, pause
#    3 s: the most smtpd processes alive during the pause (children of
#    this Postfix's master, sampled every 100 ms) and the seconds until
#    the last mail is accepted (the clients' 250 after the "."; Postfix's
#    status=sent lines are checked too).
# 2. Clients at rising rates (10, 20, 40 ... 320 a second, 3 s of
#    arrivals each), process limit 100, pause 6 s: the highest rate at
#    which no handshake is dropped (the server namespace's ListenDrops,
#    which include ListenOverflows, and TCPReqQFullDrop) and every mail
#    is accepted within the step's deadline.  SYN cookies are not drops:
#    they are counted and shown.  Each mode stops at its first failed
#    step; Postfix and the gate are restarted for every step, so no step
#    inherits another's processes or queues.
#
# NG_BENCH_MTA_RATES   the rates of part 2 (default "10 20 40 80 160 320")
# NG_BENCH_MTA_ARRIVE  seconds of arrivals per step (default 3)

. "$(dirname "$0")/bench.sh"

RATES=${NG_BENCH_MTA_RATES:-10 20 40 80 160 320}
ARRIVE=${NG_BENCH_MTA_ARRIVE:-3}
N1=30 LIMIT1=10 PAUSE1=3
LIMIT2=100 PAUSE2=6
W1="MTA (Postfix) smtpd processes busy during the pause: $N1 new clients at once, process limit $LIMIT1, pause ${PAUSE1}s, hold = handshake vs hold = greeting"
W1B="seconds until all $N1 of that burst are delivered (deadline $((PAUSE1 + 12)) s), hold = handshake vs hold = greeting"
W2="highest new-client rate before handshakes are dropped or mail is lost: Postfix process limit $LIMIT2, pause ${PAUSE2}s, ${ARRIVE}s of arrivals a step, hold = handshake vs hold = greeting"
G1="0 for ours"
G1B="all delivered, time ≤ 1.1 × baseline"
G2="> baseline"
DONE1=

# Every row still to come, as n/a.
fail() {
	[ -n "$DONE1" ] || { na "$W1" "$*" "$G1"; na "$W1B" "$*" "$G1B"; }
	na "$W2" "$*" "$G2"
	exit 0
}

[ "$(id -u)" = 0 ] || fail "needs root for namespaces"
have "$BENCH/smtpburst" || fail "smtpburst not built"
have_live || fail "live gate (nfq-gate -q) not built yet"
command -v postfix >/dev/null || fail "postfix not installed"
command -v nstat >/dev/null || fail "nstat (iproute2) not installed"
grep -q '"release_window"' "$NG_ROOT/nfq-gate/conf/config.c" ||
    fail "this gate has no hold = handshake"
. "$NG_ROOT/tests/netns.sh"
ngt_init
# ngt_init's helpers fail with FAIL/exit 1; keep ours (n/a rows).
fail() {
	[ -n "$DONE1" ] || { na "$W1" "$*" "$G1"; na "$W1B" "$*" "$G1B"; }
	na "$W2" "$*" "$G2"
	exit 0
}
skip() { fail "$@"; }

# The clients come from 198.18.0.0/15 as in hold.sh: AnyIP in the client
# namespace, routed back by the server; every client a new address.
ngt_topology local
ngt_in "$NGT_CLI" ip route add local 198.18.0.0/15 dev lo || fail "AnyIP route"
ngt_route "$NGT_SRV" 198.18.0.0/15 eth0 "$NGT_CLI_A4"
ngt_rules_install --family 4
db=$(bench_db) || fail "database build failed"
NEXT=1		# the next client's number in the block

# The address of client number $1 in 198.18.0.0/15.
addr_of() {
	echo "198.$((18 + $1 / 65536)).$(($1 / 256 % 256)).$(($1 % 256))"
}

# A fresh Postfix with this process limit (its listen backlog too).
pf_restart() {	# process-limit
	ngt_postfix_stop
	ngt_postfix_start "default_process_limit = $1"
	MPID=$(tr -d ' ' <"$NGT_PF/spool/pid/master.pid")
	[ -n "$MPID" ] || fail "no Postfix master pid"
}

# A fresh gate holding the handshake or the greeting for the pause.
GPID=
gate_restart() {	# handshake|greeting pause
	[ -z "$GPID" ] || gate_stop "$GPID"
	: >"$NGT_GATELOG"
	gate_conf "$db" "hold = $1" "greet_pause = ${2}s" \
	    "greet_pause_stress = ${2}s" "stats_interval = 1h"
	ngt_gate_start "$NGT_CONF" -f --no-syslog
	GPID=$(gate_pid) || fail "the gate is not running"
}

sent() { awk '/status=sent/ { n++ } END { print n + 0 }' "$NGT_PF/maillog" 2>/dev/null; }

# Wait up to S seconds until Postfix logged status=sent N times.
wait_sent() {	# n seconds
	i=0
	while [ "$(sent)" -lt "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sent
}

# A kernel counter of a namespace (absolute, no nstat history touched).
kstat() {	# ns name
	ngt_in "$1" nstat -asz "$2" | awk -v n="$2" '$1 == n { print $2 }'
}

# One burst of part 1; sets PEAK (smtpd processes during the pause),
# ALL (smtpd processes at most), DEL and DONE (mails delivered, seconds
# until the last), SENT (status=sent lines) and KERN (the server's
# dropped handshakes and SYN cookies).
burst() {	# hold
	pf_restart $LIMIT1
	gate_restart "$1" $PAUSE1
	s0=$(sent)
	d0=$(kstat "$NGT_SRV" TcpExtListenDrops)
	c0=$(kstat "$NGT_SRV" TcpExtTCPReqQFullDoCookies)
	first=$(addr_of $NEXT)
	NEXT=$((NEXT + N1))
	ngt_in "$NGT_CLI" "$BENCH/smtpburst" "$NGT_SRV_A4" 25 "$first" $N1 0 \
	    $((PAUSE1 + 12)) $PAUSE1 >"$TMP/sb" &
	bpid=$!
	t0=$(now) PEAK=0 ALL=0 i=0
	while kill -0 "$bpid" 2>/dev/null && [ $i -lt 400 ]; do
		c=$(pgrep -c -P "$MPID" -x smtpd)
		[ "$c" -gt "$ALL" ] && ALL=$c
		if [ "$(calc "$(now) - $t0 < $PAUSE1 * 0.95" "%d")" = 1 ] &&
		    [ "$c" -gt "$PEAK" ]; then
			PEAK=$c
		fi
		sleep 0.1
		i=$((i + 1))
	done
	wait "$bpid" || fail "smtpburst failed ($1)"
	sed "s/^/burst $1: /" "$TMP/sb" >&2
	DONE=$(kv done_secs <"$TMP/sb") DEL=$(kv delivered <"$TMP/sb")
	SECS=$(kv secs <"$TMP/sb")
	SENT=$(($(wait_sent $((s0 + DEL)) 10) - s0))
	KERN="$(($(kstat "$NGT_SRV" TcpExtListenDrops) - d0)) dropped, $(($(kstat "$NGT_SRV" TcpExtTCPReqQFullDoCookies) - c0)) cookies"
	say "hold = $1: smtpd during the pause $PEAK, at most $ALL," \
	    "$DEL delivered, the last after $DONE s, status=sent $SENT; $KERN"
}

# "3.21 s" when all were delivered, else how many in how long.
delivery() {	# delivered done-secs secs
	if [ "$1" = $N1 ]; then echo "$2 s"
	else echo "$1 of $N1 in $3 s, $((N1 - $1)) never greeted"; fi
}

burst greeting
bpeak=$PEAK ball=$ALL bdone=$DONE bdel=$DEL bsent=$SENT bkern=$KERN bsecs=$SECS
burst handshake
DONE1=1
row "$W1 (at most, after the pause: $ALL vs $ball)" "$PEAK" "$bpeak" \
    "$(ratio "$PEAK" "$bpeak")" "$(goal_le "$PEAK" 0 "$G1")"
# The ratio of times only when both delivered everything.
r="—" ok=0
if [ "$DEL" = $N1 ]; then
	ok=1
	if [ "$bdel" = $N1 ]; then
		r=$(ratio "$DONE" "$bdone")
		[ "$(calc "$r <= 1.1" "%d")" = 1 ] || ok=0
	fi
fi
row "$W1B (status=sent $SENT vs $bsent; server handshakes: $KERN vs $bkern)" \
    "$(delivery "$DEL" "$DONE" "$SECS")" \
    "$(delivery "$bdel" "$bdone" "$bsecs")" "$r" \
    "$G1B $([ $ok = 1 ] && echo ✓ || echo ✗)"

# One step of part 2: N clients at RATE; sets OK (1: no handshake
# dropped, every mail delivered) and STEP (its figures, for the table).
step() {	# hold rate
	pf_restart $LIMIT2
	gate_restart "$1" $PAUSE2
	d0=$(kstat "$NGT_SRV" TcpExtListenDrops)
	q0=$(kstat "$NGT_SRV" TcpExtTCPReqQFullDrop)
	c0=$(kstat "$NGT_SRV" TcpExtTCPReqQFullDoCookies)
	r0=$(kstat "$NGT_CLI" TcpExtTCPSynRetrans)
	# After the restarts: their helpers use n and first themselves.
	sn=$(($2 * ARRIVE))
	first=$(addr_of $NEXT)
	NEXT=$((NEXT + sn))
	ngt_in "$NGT_CLI" "$BENCH/smtpburst" "$NGT_SRV_A4" 25 "$first" $sn $2 \
	    $((ARRIVE + PAUSE2 + 15)) $PAUSE2 >"$TMP/sb" ||
	    fail "smtpburst failed ($1, $2/s)"
	drops=$(($(kstat "$NGT_SRV" TcpExtListenDrops) - d0 +
	    $(kstat "$NGT_SRV" TcpExtTCPReqQFullDrop) - q0))
	cookies=$(($(kstat "$NGT_SRV" TcpExtTCPReqQFullDoCookies) - c0))
	synrtx=$(($(kstat "$NGT_CLI" TcpExtTCPSynRetrans) - r0))
	del=$(kv delivered <"$TMP/sb") secs=$(kv done_secs <"$TMP/sb")
	sed "s/^/step $1 $2\/s: /" "$TMP/sb" >&2
	STEP="$2/s: $del of $sn delivered, last after $secs s; $drops handshakes dropped, $synrtx SYN retransmits, $cookies SYN cookies"
	say "hold = $1, $STEP"
	OK=0
	[ "$del" = "$sn" ] && [ "$drops" = 0 ] && OK=1
	return 0
}

# The ladder, both modes side by side, rate by rate; each mode stops at
# its first failed step, whose figures go into the row.
best_b=0 best_o=0 fail_b= fail_o= why_b= why_o=
for rate in $RATES; do
	[ -n "$fail_b" ] && [ -n "$fail_o" ] && break
	if [ -z "$fail_b" ]; then
		step greeting "$rate"
		if [ $OK = 1 ]; then best_b=$rate; else fail_b=$rate why_b=$STEP; fi
	fi
	if [ -z "$fail_o" ]; then
		step handshake "$rate"
		if [ $OK = 1 ]; then best_o=$rate; else fail_o=$rate why_o=$STEP; fi
	fi
done
gate_stop "$GPID"
GPID=

# A rate no step failed at is a lower bound.
shown() {	# best failed-at
	if [ -n "$2" ]; then echo "$1/s"; else echo "≥ $1/s"; fi
}
r=$(ratio "$best_o" "$best_b")
row "$W2 (first failed step: ours ${why_o:-none}; baseline ${why_b:-none})" \
    "$(shown "$best_o" "$fail_o")" "$(shown "$best_b" "$fail_b")" \
    "$r" "$(awk -v r="$r" -v g="$G2" 'BEGIN { printf "%s %s", g, (r + 0 > 1) ? "✓" : "✗" }')"
