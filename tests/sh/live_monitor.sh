#!/bin/sh
# live_monitor.sh - mode = monitor in front of a real Postfix: every
# decision made and logged, none enforced, and fail2ban bans nobody.
#
# A bot talks before the greeting and then sends a whole mail: Postfix
# must deliver it, and the gate must log MONITOR PREGREET.  It comes back:
# MONITOR PENALTY, and it is let through again.  A client of a dropped
# country: MONITOR DROP, and it connects.  A polite client is unmarked
# (PASS NEW).  Then the gate's log goes through the shipped fail2ban
# filter in both modes: nothing matches, while the same lines without
# the MONITOR marker would (so the check can fail).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
need_cmd fail2ban-regex
COMMON=/etc/fail2ban/filter.d/common.conf
[ -r "$COMMON" ] || skip "$COMMON absent"

ngt_local_gate "mode = monitor"
ngt_gate_start "$NGT_CONF"
reb=$(ngt_re "$NGT_BOT_A4") rec=$(ngt_re "$NGT_CN_A4")

# The bot: early EHLO, then MAIL, RCPT, DATA - delivered.
out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --wait 8 --rcpt "u@$NGT_DOMAIN" \
    --data monitor-bot "$NGT_SRV_A4" 25)
echo "bot: $out"
case $out in
*'data="250 '*) ;;
*) fail "bot: its mail was not accepted: $out" ;;
esac
ngt_expect_gate "MONITOR PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+: EHLO bot" \
    "bot: would-be PREGREET"
ngt_expect_maillog "from=<bot@bot.example>" "bot: Postfix took the mail"
ngt_expect_maillog "to=<u@$NGT_DOMAIN>.*status=sent" "bot: delivered"
grep -E "^nfq-gate: (PREGREET|PENALTY|DROP) " "$NGT_GATELOG" &&
    fail "bot: an unmarked refusal was logged"

# Again: the penalty box would refuse it; it is let through.
out=$(ngt_bot "$NGT_BOT_A4" "$NGT_SRV_A4" 4)
echo "bot-again: $out"
case $out in
*greeting=yes*) ;;
*) fail "bot-again: not let through: $out" ;;
esac
ngt_expect_gate "MONITOR PENALTY \[$reb\]:[0-9]+" "bot-again: would-be PENALTY"

# A CN client (country CN = drop): connects, is marked.
out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_CN_A4" --delay 2.5 --connect-timeout 3 --wait 3 \
    "$NGT_SRV_A4" 25)
echo "cn: $out"
case $out in
connect=ok*greeting=yes*) ;;
*) fail "cn: not let through: $out" ;;
esac
ngt_expect_gate "MONITOR DROP \[$rec\]:[0-9]+ country=CN" "cn: would-be DROP"

# A polite client: its PASS NEW is no monitor line.
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" good
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_CLI_A4")\]" "good: PASS NEW"
grep -q "MONITOR PASS" "$NGT_GATELOG" && fail "a pass was marked MONITOR"

# fail2ban: the gate's lines as syslog writes them.
F2B=$TMP/f2b/filter.d
mkdir -p "$F2B" || fail "mkdir"
ln -s "$COMMON" "$F2B/common.conf"
cp "$NG_ROOT/rules/fail2ban/filter.d/nfq-gate.conf" "$F2B/" || fail "cp"
sed -n 's/^nfq-gate: //p' "$NGT_GATELOG" |
    grep -E '^(MONITOR |PASS |CONNECT )' |
    sed 's/^/Dec  6 04:00:00 mx1 nfq-gate[4242]: /' >"$TMP/syslog"
grep -c MONITOR "$TMP/syslog" | grep -qv '^0$' || fail "no MONITOR lines"
# The control: the same lines unmarked, as enforcement writes them.
sed 's/: MONITOR /: /' "$TMP/syslog" >"$TMP/enforced"
matched() {	# file mode
	fail2ban-regex "$1" "$F2B/nfq-gate.conf[mode=$2]" 2>&1 |
	    sed -n 's/^Lines: [0-9]* lines, [0-9]* ignored, \([0-9]*\) matched.*/\1/p'
}
for mode in normal aggressive; do
	m=$(matched "$TMP/syslog" $mode)
	c=$(matched "$TMP/enforced" $mode)
	echo "fail2ban $mode: monitor lines matched $m, unmarked $c"
	[ "$m" = 0 ] || { cat "$TMP/syslog" >&2; fail "fail2ban ($mode) matched a MONITOR line"; }
	[ "${c:-0}" -ge 1 ] || { cat "$TMP/enforced" >&2; fail "fail2ban ($mode): the control matched nothing"; }
done
exit 0
