#!/bin/sh
# live_charge.sh - a bot charging its own connection's conntrack counters
# must still be judged.
#
# The rules stop queueing a connection after 24 packets, counted by
# conntrack.  Conntrack also counts segments it ignores, such as a SYN
# on a live connection, so with both directions counted a bot could send
# two dozen junk segments on its own 4-tuple (tests/helpers/spoof.c with
# the bot's address and port, here) and have its early EHLO skip the
# queue and reach Postfix unjudged.  The cap now counts only the server's
# packets, in ASSURED connections: the bot is reset, Postfix sees no
# command.
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
ngt_in "$NGT_CLI" timeout 8 "$SPOOF" eth0 "$MAC" "$NGT_BOT_A4" \
    "$NGT_SRV_A4" 25 $PORT $PORT 400 4 >"$NGT_DIR/junk.out" 2>&1 &
jpid=$!
sleep 0.3
# Talks 1.5 s after connecting: ~150 junk segments on its connection by then.
out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --delay 1.5 --wait 4 "$NGT_SRV_A4" 25)
echo "bot: $out"
wait $jpid
echo "junk: $(tr '\n' ' ' <"$NGT_DIR/junk.out")"
case $out in *result=reset*) ;; *) fail "bot not reset: $out" ;; esac
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$NGT_BOT_A4")\]:$PORT: EHLO bot" \
    "bot judged"
ngt_expect_maillog "disconnect from [^ ]*\[$(ngt_re "$NGT_BOT_A4")\].* commands=0/0" \
    "Postfix read no command"
cap=$(ngt_in "$NGT_SRV" iptables -w -v -x -n -L NFQ_GATE |
    awk '/connbytes/ { print $1 }')
echo "packets accepted by the connbytes cap: $cap"
exit 0
