#!/bin/sh
# conntrack_charge.sh - REPRODUCER of an open rules issue, not part of
# make check (tests/run does not look in tests/repro).  Exit 0: the bot
# was judged; exit 1: it talked past the test.
#
# The rules stop queueing a connection once conntrack has counted 24
# packets in it (the connbytes cap).  Conntrack counts segments it does
# not believe too, so a bot that sends a few hundred junk segments on its
# own 4-tuple (here tests/helpers/spoof.c with the bot's address and
# port, 300 a second) pushes its connection past the cap: its early EHLO
# skips the queue and Postfix reads it (bot.py: greeting=yes
# result=data).  Counting only the server's packets in ASSURED
# connections (ctstatus ASSURED, connbytes-dir reply) was tried and does
# not close it at that rate.  A real fix needs the cap to skip
# connections the gate has under test (say a connmark the gate sets at
# the SYN-ACK, and the cap rule matching only without it).
#
#   NG_BUILD=build NG_JUNK=900 sh tests/repro/conntrack_charge.sh
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
# live connection (~120 segments before it talks).  Junk sent before the
# connection exists is another route, not closed yet (see the rules).
ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --delay 1.5 --wait 4 "$NGT_SRV_A4" 25 \
    >"$NGT_DIR/bot.out" 2>&1 &
bpid=$!
sleep 0.3
ngt_in "$NGT_CLI" timeout 8 "$SPOOF" eth0 "$MAC" "$NGT_BOT_A4" \
    "$NGT_SRV_A4" 25 $PORT $PORT ${NG_JUNK:-900} 3 >"$NGT_DIR/junk.out" 2>&1 ||
    fail "spoof: $(cat "$NGT_DIR/junk.out")"
wait $bpid
out=$(cat "$NGT_DIR/bot.out")
echo "bot: $out"
echo "junk: $(tr '\n' ' ' <"$NGT_DIR/junk.out")"
case $out in *result=reset*) ;; *) fail "bot not reset: $out" ;; esac
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$NGT_BOT_A4")\]:$PORT: EHLO bot" \
    "bot judged"
ngt_expect_maillog "disconnect from [^ ]*\[$(ngt_re "$NGT_BOT_A4")\].* commands=0/0" \
    "Postfix read no command"
cap=$(ngt_in "$NGT_SRV" iptables -w -t security -v -x -n -L NFQ_GATE |
    awk '/connbytes/ { print $1 }')
echo "packets accepted by the connbytes cap: $cap"
exit 0
