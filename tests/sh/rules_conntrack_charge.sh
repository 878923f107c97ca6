#!/bin/sh
# rules_conntrack_charge.sh - junk on a bot's own 4-tuple does not carry
# it past the greeting test.
#
# The rules stop queueing a connection once conntrack has counted 24
# packets in it (the connbytes cap), and conntrack counts segments it
# does not believe too.  A bot that sends junk on its own 4-tuple (here
# tests/helpers/spoof.c with the bot's address and port: 900 segments in
# 3 s, 300 a second, about 120 before it talks) used to push its
# connection past the cap, so its early EHLO skipped the queue and
# Postfix read it (bot.py: greeting=yes result=data).  Now the gate
# marks a connection under test with the connmark bit mark_test (0x400)
# at its SYN and the cap skips such connections: the bot is judged
# (PREGREET, reset), Postfix never hears of it, and the cap rule let no
# packet of it by.
. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live swaks postconf
SPOOF=$NG_BUILD/tests/helpers/spoof
[ -x "$SPOOF" ] || skip "$SPOOF not built"
PORT=40100

ngt_local_gate
# One port for the bot, so the junk hits its 4-tuple.
ngt_in "$NGT_CLI" sysctl -qw net.ipv4.ip_local_port_range="$PORT $PORT" ||
    fail "ip_local_port_range"
ngt_gate_start "$NGT_CONF"
MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
# The bot connects and talks 1.5 s later; from 0.3 s on, junk on its
# live connection (~120 segments before it talks).
ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --delay 1.5 --wait 4 "$NGT_SRV_A4" 25 \
    >"$NGT_DIR/bot.out" 2>&1 &
bpid=$!
sleep 0.3
ngt_in "$NGT_CLI" timeout 8 "$SPOOF" eth0 "$MAC" "$NGT_BOT_A4" \
    "$NGT_SRV_A4" 25 $PORT $PORT 900 3 >"$NGT_DIR/junk.out" 2>&1 ||
    fail "spoof: $(cat "$NGT_DIR/junk.out")"
wait $bpid
out=$(cat "$NGT_DIR/bot.out")
echo "bot: $out"
echo "junk: $(tr '\n' ' ' <"$NGT_DIR/junk.out")"
case $out in *result=reset*) ;; *) fail "bot not reset: $out" ;; esac
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$NGT_BOT_A4")\]:$PORT: EHLO bot" \
    "bot judged"
# Its handshake ACK was held (hold = handshake): Postfix never accepted
# the connection, so it read nothing and logged nothing of the bot.
grep -E "connect from [^ ]*\[$(ngt_re "$NGT_BOT_A4")\]" "$NGT_PF/maillog" &&
    fail "Postfix heard of the bot"
cap=$(ngt_in "$NGT_SRV" iptables -w -t security -v -x -n -L NFQ_GATE |
    awk '/connbytes/ { print $1 }')
echo "packets accepted by the connbytes cap: $cap"
[ "$cap" = 0 ] || fail "the cap let $cap packets of a connection under test by"
exit 0
