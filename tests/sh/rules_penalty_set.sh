#!/bin/sh
# rules_penalty_set.sh - nft_penalty_set = inet nfq_gate penalty4 penalty6
# works with nothing but nfq-gate-rules install: the tool creates the two
# sets (flags timeout) in its own table and drops their members' SMTP
# packets at prerouting.  A pre-greeting talker lands in the kernel set
# and its next connection never reaches the gate.  Both families.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live nft

ngt_local_gate "nft_penalty_set = inet nfq_gate penalty4 penalty6"
ngt_gate_start "$NGT_CONF"

for pair in "$NGT_BOT_A4 $NGT_SRV_A4 penalty4" \
    "$NGT_BOT_A6 $NGT_SRV_A6 penalty6"; do
	set -- $pair
	ngt_bot_reset "$1" "$2" "bot $1"
	ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$1")\]" \
	    "bot $1"
	n=0
	until ngt_in "$NGT_SRV" nft list set inet nfq_gate "$3" |
	    grep -qF "$1"; do
		n=$((n + 1))
		[ $n -lt 30 ] || { ngt_in "$NGT_SRV" nft list table inet nfq_gate;
		    fail "$1 not in set $3"; }
		sleep 0.1
	done
	echo "$1 is in the kernel set $3"
	lines=$(grep -cF "[$1]" "$NGT_GATELOG")
	out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
	    --source "$1" --connect-timeout 1 --wait 1 "$2" 25)
	echo "bot $1 again: $out"
	case $out in connect=timeout*) ;;
	*) fail "bot $1 again: not dropped by the kernel: $out" ;; esac
	[ "$(grep -cF "[$1]" "$NGT_GATELOG")" = "$lines" ] ||
	    fail "bot $1 again: the gate saw it (the kernel set did not drop it)"
done
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" good4
echo "all penalty set checks passed"
exit 0
