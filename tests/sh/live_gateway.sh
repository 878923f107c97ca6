#!/bin/sh
# live_gateway.sh - the live gate on a router between clients and a real
# Postfix (gateway mode: the rules queue port 25 in FORWARD, both ways).
#
# The gate box is a namespace of its own that only forwards, so every
# verdict, the reset of the held greeting included, has to work on
# forwarded packets: the REJECT in FORWARD resets the server, not a local
# socket.  The core checks of live_local.sh, both families.
#
# Then the inside: with "country -- = greylist" (private and unrouted
# addresses look up as --; here default_action = greylist as well, as the
# full database places the test networks), the server's own outbound mail (swaks from the inside to an
# SMTP server outside) is greylisted while the rules queue FORWARD both
# ways on every interface; with "inside = eth1" in the config and the
# rules installed from it (nfq-gate-rules --config, as the unit's
# ExecStartPre does), it is never queued, never judged, and delivered.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

PAUSE_MS=2000

ngt_init
ngt_topology gateway
ngt_postfix_start
ngt_rules_install
ngt_db_build
ngt_gate_conf
ngt_gate_start "$NGT_CONF"

family() {	# good bot cn srv fam
	good=$1 bot=$2 cn=$3 srv=$4 fam=$5
	reg=$(ngt_re "$good") reb=$(ngt_re "$bot") rec=$(ngt_re "$cn")

	ngt_mail_ok "$good" "$srv" "good-new$fam"
	[ "$MS" -ge $((PAUSE_MS - 100)) ] ||
	    fail "good-new$fam: ${MS} ms, the greeting was not held"
	ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "good-new$fam"

	ngt_mail_ok "$good" "$srv" "good-old$fam"
	[ "$MS" -lt $((PAUSE_MS / 2)) ] ||
	    fail "good-old$fam: ${MS} ms, a cached client was held"
	ngt_expect_gate "PASS OLD \[$reg\]:[0-9]+" "good-old$fam"

	out=$(ngt_bot "$bot" "$srv" 6)
	echo "bot$fam: $out"
	case $out in
	*result=reset*) ;;
	*) fail "bot$fam: not reset: $out" ;;
	esac
	ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+: EHLO bot" \
	    "bot$fam"
	# Its handshake ACK was held on the router (hold = handshake): the
	# server's half-open request was reset, Postfix never heard of it.
	grep -E "connect from [^ ]*\[$reb\]" "$NGT_PF/maillog" &&
	    fail "bot$fam: Postfix heard of the bot"

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
ngt_gate_kill TERM

# An MTA outside, and the inside's MTA sending to it.
ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/smtp_sink.py" \
    "$NGT_CLI_A4" "$NGT_CLI_A6" >"$NGT_DIR/sink.log" 2>&1 &
ngt_wait_log "$NGT_DIR/sink.log" listening 5 || fail "smtp sink"
out_mail() {	# dst label
	ngt_in "$NGT_SRV" timeout 15 swaks --server "$1" --port 25 \
	    --from "pf@$NGT_DOMAIN" --to "x@outside.test" --timeout 4 \
	    >"$NGT_DIR/swaks-$2" 2>&1
}
# (-- with the sample database; the full one calls these test networks
# AU, so everything else is greylisted too)
ngt_gate_conf "country -- = greylist" "default_action = greylist"
ngt_gate_start "$NGT_CONF"
out_mail "$NGT_CLI_A4" out-judged &&
    fail "outbound mail not greylisted without an inside: is the test real?"
ngt_expect_gate "GREYLIST \[$(ngt_re "$NGT_SRV_A4")\]:" "outbound greylisted"
echo "without inside: the inside's outbound mail was greylisted"
ngt_gate_kill TERM
echo "inside = eth1" >>"$NGT_CONF"
ngt_rules_install --config "$NGT_CONF"
: >"$NGT_GATELOG"
ngt_gate_start "$NGT_CONF"
for dst in "$NGT_CLI_A4" "$NGT_CLI_A6"; do
	out_mail "$dst" "out-$dst" ||
	    { cat "$NGT_DIR/swaks-out-$dst" >&2;
	      fail "inside: outbound mail to $dst not delivered"; }
done
[ "$(grep -c '^queued from' "$NGT_DIR/sink.log")" = 2 ] ||
    fail "the outside MTA did not get both mails"
grep -E "\[($(ngt_re "$NGT_SRV_A4")|$NGT_SRV_A6)\]:[0-9]+" "$NGT_GATELOG" |
    grep -v ' to \[' && fail "the gate judged the inside's outbound mail"
# Inbound mail from outside is still judged (and greylisted).
ngt_swaks "$NGT_NEW_A4" "$NGT_SRV_A4" --timeout 4 >/dev/null 2>&1 &&
    fail "inside: inbound mail from outside not greylisted"
ngt_expect_gate "GREYLIST \[$(ngt_re "$NGT_NEW_A4")\]:" "inbound still judged"
echo "inside = eth1: outbound mail delivered unjudged, inbound greylisted"
ngt_gate_kill TERM
echo "all live gateway checks passed"
exit 0
