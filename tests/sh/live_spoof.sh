#!/bin/sh
# live_spoof.sh - an off-path spoofer forging a good client's address
# while that client sends real mail through Postfix.
#
# tests/helpers/spoof.c writes raw frames (AF_PACKET, explicit MACs) from
# the client namespace with the good client's IPv4 source address: SYNs,
# SYNs with data, guessed handshake ACKs and data, RSTs, FINs, data behind
# an odd TCP option, on the very ports the client's kernel picks its own
# from (ip_local_port_range is narrowed to 64 ports, so many forged
# segments carry the 4-tuple of a real session).  It never reads a reply.
# The server's SYN-ACKs to the forged SYNs go to the real client's
# kernel, which resets them: that is what happens on the Internet too.
#
# Meanwhile the good client sends mail: the first waits the greet pause
# (PASS NEW), the next ones pass at once (PASS OLD).  Every mail must be
# delivered, the good address must never be PREGREET, PENALTY or in the
# penalty box, and a real bot in the same run is still reset.
. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live swaks postconf
SPOOF=$NG_BUILD/tests/helpers/spoof
[ -x "$SPOOF" ] || skip "$SPOOF not built"

PAUSE_MS=2000 COUNT=${NG_SPOOF_COUNT:-24000} SECS=12
LO=40000 HI=40063

ngt_local_gate "stats_interval = 1s"
ngt_in "$NGT_CLI" sysctl -qw net.ipv4.ip_local_port_range="$LO $HI" ||
    fail "ip_local_port_range"
# The rules as installed: the flood pushes sessions past the 24-packet
# cap's count, but the cap skips connections under test (mark_test), so
# every session is still judged (rules_conntrack_charge.sh).
ngt_gate_start "$NGT_CONF"
good=$NGT_CLI_A4 reg=$(ngt_re "$NGT_CLI_A4") reb=$(ngt_re "$NGT_BOT_A4")

MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
ngt_in "$NGT_CLI" timeout $((SECS + 5)) "$SPOOF" eth0 "$MAC" "$good" \
    "$NGT_SRV_A4" 25 $LO $HI "$COUNT" "$SECS" >"$NGT_DIR/spoof.out" 2>&1 &
spid=$!
sleep 1		# forged SYNs and data first: nothing the client did yet

ngt_mail_ok "$good" "$NGT_SRV_A4" "first"
[ "$MS" -ge "$PAUSE_MS" ] || fail "first: ${MS} ms, the greeting was not held"
ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "first"
i=2
while [ $i -le 4 ]; do
	ngt_mail_ok "$good" "$NGT_SRV_A4" "again$i"
	[ "$MS" -lt $((PAUSE_MS / 2)) ] ||
	    fail "again$i: ${MS} ms, a pause beyond the first mail"
	i=$((i + 1))
done
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" "bot" 4
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+: EHLO bot" \
    "bot"
# The spoofer is still at it: one more mail in the flood.
ngt_mail_ok "$good" "$NGT_SRV_A4" "again5"
[ "$MS" -lt $((PAUSE_MS / 2)) ] || fail "again5: ${MS} ms"
kill -0 $spid 2>/dev/null || fail "the spoofer ended before the mail did"
wait $spid || { cat "$NGT_DIR/spoof.out" >&2; fail "spoof failed"; }
cat "$NGT_DIR/spoof.out"
sent=$(sed -n 's/^sent=//p' "$NGT_DIR/spoof.out")
[ "${sent:-0}" -ge $((COUNT / 2)) ] || fail "only ${sent:-0} forged frames"

kill -USR1 "$NGT_GATE_PID"
ngt_expect_gate "statistics: unverified=" "SIGUSR1 unverified line"
line=$(grep "statistics: unverified=" "$NGT_GATELOG" | tail -n 1)
echo "gate: ${line#*statistics: }"
grep "statistics: uptime" "$NGT_GATELOG" | tail -n 1
unv=$(echo "$line" | sed -n 's/.*unverified=\([0-9]*\).*/\1/p')
drp=$(echo "$line" | sed -n 's/.* dropped=\([0-9]*\).*/\1/p')
[ "${unv:-0}" -gt 0 ] || fail "no forged segment counted"
[ "${drp:-0}" -gt 0 ] || fail "no forged segment dropped"
ngt_gate_stop

# The verdicts: not one for forged traffic.
grep -E "PREGREET .*from \[$reg\]:" "$NGT_GATELOG" &&
    fail "the good address was called a pre-greeting talker"
grep -E "PENALTY \[$reg\]:" "$NGT_GATELOG" &&
    fail "the good address was refused"
n=$(grep -cE "PASS NEW \[$reg\]:" "$NGT_GATELOG")
[ "$n" = 1 ] || fail "$n PASS NEW for the good address (forged passes?)"
# The penalty box as saved at exit: the bot, never the good address.
grep -q "^$reb/" "$NGT_DIR/state/penalty.state" ||
    { cat "$NGT_DIR/state/penalty.state"; fail "the bot is not boxed"; }
grep "^$reg/" "$NGT_DIR/state/penalty.state" &&
    fail "the good address is in the penalty box"
grep -E "connect from [^ ]*\[$reg\]" "$NGT_PF/maillog" | head -n 1 >/dev/null
old=$(grep -cE "PASS OLD \[$reg\]:" "$NGT_GATELOG")
echo "forged frames sent: $sent; counted unverified: $unv; dropped: $drp;" \
    "PASS OLD at SYNs of the good address (4 real): $old"
exit 0
