#!/bin/sh
# fault_queue_full.sh - more held packets than the queue can hold.
#
# queue_maxlen 8 and a 4 s greet pause (the same under stress, so the
# queue really fills): twelve good clients connect at once with swaks,
# once with each hold.  With "hold = greeting" the first eight 220
# greetings are held in the kernel queue; with "hold = handshake" (the
# default) the first eight handshake-completing ACKs are.  From then on
# the kernel finds the queue full and, with the fail-open flag, lets
# packets through unjudged (a held client's duplicate ACK, sent when the
# server retransmits its SYN-ACK, completes its handshake early).  That
# must lose nothing: every mail is delivered (Postfix's maillog says
# sent), the gate logs the full queue once per spell and counts it
# (SIGUSR1 line and the Prometheus file), the held clients are judged
# once their pause is over, and after the spell a new client is judged
# normally again.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

NCLI=12
QMAX=8

ngt_init
ngt_topology local
i=20
while [ $i -lt $((40 + NCLI)) ]; do
	ngt_addr "$NGT_CLI" eth0 198.51.100.$i/24
	i=$((i + 1))
done
ngt_postfix_start
ngt_rules_install --family 4
ngt_db_build

# One burst of NCLI clients from 198.51.100.BASE on, with this hold.
burst() {	# hold base
	hold=$1 base=$2
	ngt_gate_conf "stats_interval = 1s" "queue_maxlen = $QMAX" \
	    "greet_pause_stress = 4s" "hold = $hold"
	sed -i "s/^greet_pause = .*/greet_pause = 4s/" "$NGT_CONF"
	: >"$NGT_GATELOG"
	ngt_gate_start "$NGT_CONF"
	sent0=$(grep -c "to=<u@$NGT_DOMAIN>.*status=sent" "$NGT_PF/maillog")

	t0=$(ngt_ms)
	pids=
	i=$base
	while [ $i -lt $((base + NCLI)) ]; do
		( ngt_mail_ok 198.51.100.$i "$NGT_SRV_A4" c$i \
		    >"$NGT_DIR/ok-c$i" 2>&1 ) &
		pids="$pids $!"
		i=$((i + 1))
	done
	bad=0
	for p in $pids; do
		wait "$p" || bad=$((bad + 1))
	done
	secs=$(( ($(ngt_ms) - t0) / 1000 ))
	cat "$NGT_DIR"/ok-c*
	rm -f "$NGT_DIR"/ok-c*
	[ $bad = 0 ] || fail "$hold: $bad of $NCLI good mails failed with the queue full"
	sent=$(( $(grep -c "to=<u@$NGT_DOMAIN>.*status=sent" "$NGT_PF/maillog") - sent0 ))
	[ "$sent" -eq "$NCLI" ] || fail "$hold: $sent of $NCLI mails delivered"
	echo "$hold: $NCLI concurrent clients, queue_maxlen $QMAX: all $sent delivered in ${secs}s"
	# A greeting let through unjudged must not make its client's EHLO
	# look early when that packet is queued again (the ACK covers the
	# greeting).
	grep "PREGREET\|RESET\|PENALTY" "$NGT_GATELOG" &&
	    fail "$hold: a good client was judged a pre-greeting talker"

	ngt_expect_gate "queue 0 full: the kernel lets new packets through unjudged \(fail open\)" \
	    "$hold: queue full logged"
	# The held ones are judged when their pause is over (with the
	# handshake held, that may be after their mail went through).
	ngt_wait_log "$NGT_GATELOG" "stress over" 8 ||
	    fail "$hold: stress never ended"
	re="198\.51\.100\.($(seq -s '|' "$base" $((base + NCLI - 1))))"
	held=$(grep -cE "PASS NEW \[$re\]" "$NGT_GATELOG")
	echo "$hold: clients judged (PASS NEW): $held; let through unjudged: $((NCLI - held))"
	[ "$held" -ge $((QMAX / 2)) ] ||
	    fail "$hold: only $held clients were judged at all"
	[ "$held" -lt "$NCLI" ] ||
	    fail "$hold: every client was held: the queue never overflowed?"

	ngt_gate_usr1
	line=$(grep "statistics: queue 0:" "$NGT_GATELOG" | tail -n 1)
	echo "$line"
	case $line in
	*queue_full=[1-9]*) ;;
	*) fail "$hold: SIGUSR1: queue_full not counted" ;;
	esac
	ngt_prom_wait queue_full_total 1 3 || fail "$hold: prom: queue_full_total 0"
	echo "prom: queue_full_total=$(ngt_prom queue_full_total)" \
	    "stress_total=$(ngt_prom stress_total)" \
	    "held_packets=$(ngt_prom held_packets)"
	ngt_prom_wait stress_total 1 1 || fail "$hold: stress never began"

	# The spell is over: nothing held, and a new client is judged again.
	ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" after
	[ "$MS" -ge 3900 ] || fail "$hold: after: ${MS} ms, not held for the greet pause"
	ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_NEW_A4")\]:[0-9]+" "$hold: after"
	kill -0 "$NGT_GATE_PID" || fail "$hold: gate died"
	grep -E "$re\]|full|stress" "$NGT_GATELOG"
	ngt_gate_stop
	# The next run starts with an empty pass cache.
	rm -rf "$NGT_DIR/state"
}

burst greeting 20
burst handshake 40
echo "queue full fault test passed"
exit 0
