#!/bin/sh
# live_local.sh - the live gate in front of a real Postfix, local-MTA mode.
#
# Postfix and the gate share the server namespace; the repo's own rules
# (installed with tools/nfq-gate-rules) queue port 25 in INPUT/OUTPUT.
# Clients in another namespace: swaks (waits for the greeting, like a real
# MTA), a bot that talks first, a CN client, for IPv4 and IPv6.  The
# evidence comes from both sides: the gate's log says what it decided,
# Postfix's own maillog says what the MTA saw.  Then the gate is killed
# with -9 in the middle of a held session (mail must still arrive: queue
# bypass, fail open) and restarted (its saved cache gives PASS OLD).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

PAUSE_MS=2000

ngt_local_gate
ngt_gate_start "$NGT_CONF"
echo "database from $NGT_DB_SRC"

family() {	# good bot cn srv fam
	good=$1 bot=$2 cn=$3 srv=$4 fam=$5
	reg=$(ngt_re "$good") reb=$(ngt_re "$bot") rec=$(ngt_re "$cn")

	# A new client waits the whole greet pause, then passes.
	ngt_mail_ok "$good" "$srv" "good-new$fam"
	[ "$MS" -ge $((PAUSE_MS - 100)) ] ||
	    fail "good-new$fam: ${MS} ms, the greeting was not held"
	ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "good-new$fam"

	# The same client again is remembered: no pause at all.
	ngt_mail_ok "$good" "$srv" "good-old$fam"
	[ "$MS" -lt $((PAUSE_MS / 2)) ] ||
	    fail "good-old$fam: ${MS} ms, a cached client was held"
	ngt_expect_gate "PASS OLD \[$reg\]:[0-9]+" "good-old$fam"

	# A bot talks first: reset; its handshake ACK was held, so Postfix
	# never even accepted the connection (hold = handshake).
	out=$(ngt_bot "$bot" "$srv" 6)
	echo "bot$fam: $out"
	case $out in
	*result=reset*) ;;
	*) fail "bot$fam: not reset: $out" ;;
	esac
	ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+: EHLO bot" \
	    "bot$fam"
	grep -E "connect from [^ ]*\[$reb\]" "$NGT_PF/maillog" &&
	    fail "bot$fam: Postfix heard of the bot"

	# The bot again: the penalty box refuses it outright.
	out=$(ngt_bot "$bot" "$srv" 3)
	echo "bot-again$fam: $out"
	case $out in
	*greeting=yes*|*result=data*) fail "bot-again$fam: got through: $out" ;;
	esac
	ngt_expect_gate "PENALTY \[$reb\]:[0-9]+" "bot-again$fam"

	# A CN client is dropped silently at its SYN: Postfix never hears
	# of it.
	out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
	    --source "$cn" --connect-timeout 3 --wait 1 "$srv" 25)
	echo "cn$fam: $out"
	case $out in
	connect=timeout*) ;;
	*) fail "cn$fam: not dropped: $out" ;;
	esac
	ngt_expect_gate "DROP \[$rec\]:[0-9]+ country=CN" "cn$fam"
	grep -E "connect from [^ ]*\[$rec\]" "$NGT_PF/maillog" &&
	    fail "cn$fam: Postfix saw the dropped client"
	return 0
}

family "$NGT_CLI_A4" "$NGT_BOT_A4" "$NGT_CN_A4" "$NGT_SRV_A4" 4
family "$NGT_CLI_A6" "$NGT_BOT_A6" "$NGT_CN_A6" "$NGT_SRV_A6" 6

# Passed flows leave the queue: the connmark rule carries the mail body.
acc=$(ngt_in "$NGT_SRV" iptables -w -t security -v -x -n -L NFQ_GATE |
    awk '$3 == "RETURN" && /connmark match +0x100\/0x100/ { print $1 }')
echo "IPv4 packets accepted by the connmark rule: $acc"
[ "${acc:-0}" -gt 0 ] || fail "no packet took the connmark fast path"

# kill -9 while a new client's handshake ACK is held: the queued packet
# dies with the gate, the server's SYN-ACK retransmit makes the client
# send it again, and the bypass lets it through.
ngt_swaks "$NGT_NEW_A4" "$NGT_SRV_A4" >"$NGT_DIR/swaks-kill" 2>&1 &
swpid=$!
sleep 0.8
t0=$(ngt_ms)
ngt_gate_kill KILL
wait $swpid || { cat "$NGT_DIR/swaks-kill" >&2;
    fail "mail lost when the gate was killed"; }
echo "kill -9 mid-session: mail delivered $(( $(ngt_ms) - t0 )) ms after the kill"
# It really was killed mid-session: it saw the client but never decided.
ngt_expect_gate "CONNECT from \[$(ngt_re "$NGT_NEW_A4")\]:" "held session" 1
grep -q "PASS NEW \[$(ngt_re "$NGT_NEW_A4")\]" "$NGT_GATELOG" &&
    fail "the gate decided before it was killed: sleep too long?"
ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" "no-gate6"
[ "$MS" -lt $((PAUSE_MS / 2)) ] || fail "no-gate6: ${MS} ms with no gate"

# Restart: the cache the gate saved gives the good client PASS OLD.
mv "$NGT_GATELOG" "$NGT_DIR/gate-first.log"
ngt_gate_start "$NGT_CONF"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "restart"
ngt_expect_gate "PASS OLD \[$(ngt_re "$NGT_CLI_A4")\]:[0-9]+" \
    "restart: cache persisted"
[ "$MS" -lt $((PAUSE_MS / 2)) ] ||
    fail "restart: ${MS} ms, the persisted cache was not used"
out=$(ngt_bot "$NGT_BOT_A4" "$NGT_SRV_A4" 3)
case $out in
*greeting=yes*|*result=data*) fail "restart: bot got through: $out" ;;
esac
ngt_gate_kill TERM
echo "all live local checks passed"
exit 0
