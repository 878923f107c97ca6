#!/bin/sh
# live_gateway.sh - the live gate on a router between clients and a real
# Postfix (gateway mode: the rules queue port 25 in FORWARD, both ways).
#
# The gate box is a namespace of its own that only forwards, so every
# verdict, the reset of the held greeting included, has to work on
# forwarded packets: the REJECT in FORWARD resets the server, not a local
# socket.  The core checks of live_local.sh, both families.

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
	# The server's end was reset through the router, at once: Postfix
	# logs the lost connection well before its own timeout.
	ngt_expect_maillog "disconnect from [^ ]*\[$reb\].* commands=0/0" \
	    "bot$fam: Postfix saw no command"

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
echo "all live gateway checks passed"
exit 0
