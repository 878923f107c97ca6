#!/bin/sh
# live_handshake.sh - hold = handshake against a real Postfix: the MTA
# spends nothing on a client under test.
#
# The gate holds each new client's handshake-completing ACK for the
# greet pause, so Postfix's listener has only half-open requests: no
# accept, no smtpd, no "connect from".  Checked from the MTA's side in
# both modes (local, gateway) and both families:
#   - a burst of polite new clients three times Postfix's process limit:
#     in the middle of the pause the server has no established port-25
#     socket, no smtpd process and no log line for them (its SYN-RECV
#     requests are there); all are delivered in about one pause;
#   - a bot that talks first is reset and Postfix logs nothing of it,
#     not even "connect from", and its half-open request is gone from
#     the server soon after (the gate resets it at the next SYN-ACK);
#   - kill -9 of the gate while clients wait: every mail still arrives
#     (the queued ACKs die with the queue; the server's SYN-ACK
#     retransmit draws the ACK again and the queue bypass lets it in).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live ss

PAUSE_MS=2000
LIMIT=4		# smtpd processes Postfix may run
N=12		# clients in the burst
KILLN=4		# clients waiting when the gate is killed

# The burst's addresses: 198.51.100.100+i and 2001:db8:1::100+i.
burst_addr() {	# i
	if [ $(($1 % 2)) -eq 0 ]; then echo "198.51.100.$((100 + $1))"
	else echo "2001:db8:1::$((100 + $1))"; fi
}

burst_dst() {	# i
	if [ $(($1 % 2)) -eq 0 ]; then echo "$NGT_SRV_A4"
	else echo "$NGT_SRV_A6"; fi
}

# smtpd processes of our Postfix (its master's children), not the host's.
smtpd_count() {
	mpid=$(head -1 "$NGT_PF/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
	[ -n "$mpid" ] || { echo 0; return; }
	pgrep -c -P "$mpid" smtpd || true
}

# Port-25 sockets on the server in one TCP state.
srv_sockets() {	# state
	ngt_in "$NGT_SRV" ss -Htn state "$1" '( sport = :25 )' | wc -l
}

# Start clients first..last at once in the background; sets PIDS.
start_clients() {	# label first last
	PIDS=
	i=$2
	while [ "$i" -le "$3" ]; do
		ngt_swaks "$(burst_addr "$i")" "$(burst_dst "$i")" \
		    >"$NGT_DIR/swaks-$1-$i" 2>&1 &
		PIDS="$PIDS $!"
		i=$((i + 1))
	done
}

# Every client started must deliver.
wait_clients() {	# label
	bad=0
	for p in $PIDS; do wait "$p" || bad=$((bad + 1)); done
	[ "$bad" -eq 0 ] || { tail -n 5 "$NGT_DIR"/swaks-"$1"-* >&2;
	    tail -n 30 "$NGT_GATELOG" >&2; fail "$1: $bad mail(s) not sent"; }
}

one_mode() {	# local|gateway
	ngt_init
	ngt_topology "$1"
	ngt_postfix_start "default_process_limit = $LIMIT"
	ngt_rules_install
	ngt_db_build
	ngt_gate_conf "hold = handshake" "release_window = $LIMIT"
	i=0
	while [ "$i" -lt $((N + KILLN)) ]; do
		if [ $((i % 2)) -eq 0 ]; then
			ngt_in "$NGT_CLI" ip addr add "$(burst_addr "$i")/24" dev eth0
		else
			ngt_in "$NGT_CLI" ip addr add "$(burst_addr "$i")/64" \
			    dev eth0 nodad
		fi
		i=$((i + 1))
	done
	ngt_gate_start "$NGT_CONF"

	# The burst.
	t0=$(ngt_ms)
	start_clients burst 0 $((N - 1))
	sleep 1.2
	est=$(srv_sockets established)
	half=$(srv_sockets syn-recv)
	procs=$(smtpd_count)
	seen=$(grep -c ": connect from" "$NGT_PF/maillog")
	echo "$NGT_MODE: mid-pause: established $est, syn-recv $half," \
	    "smtpd processes $procs, Postfix connect lines $seen"
	[ "$est" -eq 0 ] || fail "$NGT_MODE: $est established sockets mid-pause"
	[ "$procs" -eq 0 ] || fail "$NGT_MODE: $procs smtpd processes mid-pause"
	[ "$seen" -eq 0 ] || fail "$NGT_MODE: Postfix logged $seen clients under test"
	[ "$half" -gt 0 ] || fail "$NGT_MODE: no half-open request mid-pause"
	wait_clients burst
	ms=$(( $(ngt_ms) - t0 ))
	echo "$NGT_MODE: $N clients, process limit $LIMIT: all delivered in $ms ms (pause $PAUSE_MS ms)"
	[ "$ms" -lt $((PAUSE_MS + 4000)) ] ||
	    fail "$NGT_MODE: the burst took $ms ms"
	n=$(grep -c "PASS NEW" "$NGT_GATELOG")
	[ "$n" -eq "$N" ] || fail "$NGT_MODE: $n PASS NEW for $N clients"
	n=$(grep -c ": connect from" "$NGT_PF/maillog")
	[ "$n" -eq "$N" ] || fail "$NGT_MODE: Postfix saw $n connects for $N clients"

	# kill -9 while clients wait for their pause.
	t0=$(ngt_ms)
	start_clients kill "$N" $((N + KILLN - 1))
	sleep 0.8
	ngt_gate_kill KILL
	wait_clients kill
	echo "$NGT_MODE: kill -9 with $KILLN clients held: all delivered, $(( $(ngt_ms) - t0 )) ms"
	# A new gate for the bots (their penalty covers their IPv6 /64, the
	# burst's too: so they come last).
	ngt_gate_start "$NGT_CONF"

	# Bots: reset, unknown to Postfix, their requests gone.
	for pair in "$NGT_BOT_A4 $NGT_SRV_A4" "$NGT_BOT_A6 $NGT_SRV_A6"; do
		set -- $pair
		ngt_bot_reset "$1" "$2" "$NGT_MODE bot $1" 3
		ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$1")\]" \
		    "$NGT_MODE: bot $1 PREGREET"
		grep -E "connect from [^ ]*\[$(ngt_re "$1")\]" "$NGT_PF/maillog" &&
		    fail "$NGT_MODE: Postfix heard of bot $1"
	done
	n=0
	while [ "$(srv_sockets syn-recv)" -gt 0 ]; do
		n=$((n + 1))
		[ $n -lt 40 ] || fail "$NGT_MODE: the bots' half-open requests stay"
		sleep 0.1
	done
	echo "$NGT_MODE: bots reset, Postfix logged nothing of them, no half-open request left"

	return 0
}

( one_mode local ) || exit 1
( one_mode gateway ) || exit 1
echo "all handshake-hold checks passed"
exit 0
