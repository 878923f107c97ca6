#!/bin/sh
# live_policy.sh - the policy service answering a real Postfix.
#
# Postfix asks the gate at RCPT time (smtpd_recipient_restrictions =
# check_policy_service unix:...).  The gate is started the way
# rules/nfq-gate.service starts it: never root, user nobody with an
# ambient CAP_NET_ADMIN and the supplementary group postfix (setpriv does
# what systemd's DynamicUser, AmbientCapabilities and SupplementaryGroups
# do), under its seccomp filter.  The socket goes in a setgid directory
# root:postfix 2770, so it is born with the group postfix.  pregreet_action = log
# lets pre-greeting talkers through to Postfix, and the decision moves to
# RCPT time, where the policy service knows what the gate saw:
#   - a good client's mail carries X-NFQ-Gate: country=..; pass=new, and
#     its next mail pass=old (the pass cache);
#   - a client in a country set to "test" shows its country (CN), over
#     IPv4 and IPv6;
#   - one message to three recipients gets one header, not three: the
#     gate PREPENDs once per message (Postfix's instance attribute) and
#     answers DUNNO for the later recipients;
#   - a bot that talked before the greeting gets 450 at RCPT
#     (DEFER_IF_PERMIT with its offence count), and no mail is queued;
#   - with the gate stopped, mail still goes through (Postfix's
#     smtpd_policy_service_default_action = DUNNO, the queue bypass).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
id nobody >/dev/null 2>&1 || skip "no user nobody"

ngt_init
ngt_topology local
ngt_postfix_policy
SOCK=$NGT_SOCK
ngt_rules_install
ngt_db_build
ngt_gate_conf \
    "country CN = test" \
    "pregreet_action = log" \
    "stats_interval = 1s" \
    "policy_socket = $SOCK" \
    "policy_socket_owner = postfix" \
    "policy_action = PREPEND X-NFQ-Gate: country=%c; pass=%p; pregreet=%n" \
    "policy_action_penalty = DEFER_IF_PERMIT pre-greeting talker (%n)"
chmod 644 "$NGT_CONF" "$NGT_DB"
chown nobody "$NGT_DIR/state"	# as StateDirectory= would
NGT_GATE_WRAP=$(ngt_unit_wrap)
ngt_gate_start "$NGT_CONF"
NGT_GATE_WRAP=
ngt_expect_gate "policy service on $SOCK \(group of postfix, mode 0660\)" \
    "policy socket"
[ -S "$SOCK" ] || fail "no socket $SOCK"
owner=$(stat -c '%U %G %a' "$SOCK")
echo "socket: $SOCK $owner"
[ "$owner" = "nobody postfix 660" ] || fail "socket owner/mode $owner"
st=/proc/$NGT_GATE_PID/status
echo "gate: $(grep -E '^(Uid|Groups|CapEff|CapAmb|Seccomp):' "$st" | tr '\n\t' '  ')"
[ "$(awk '$1 == "Uid:" { print $2 }' "$st")" = "$(id -u nobody)" ] ||
    fail "the gate is not running as nobody"
[ "$(awk '$1 == "CapEff:" { print $2 }' "$st")" = 0000000000001000 ] ||
    fail "CapEff is not CAP_NET_ADMIN only"

MBOX=$NGT_PF/mail/mbox
header_of() {	# queue id -> its X-NFQ-Gate header, from the mailbox
	awk -v q="$1" '
	    /^From / { h = "" }
	    /^X-NFQ-Gate:/ { h = $0 }
	    index($0, q) { if (h != "") { print h; exit } }' "$MBOX"
}
expect_header() {	# label want
	n=0
	until [ -n "$(header_of "$QID")" ]; do
		n=$((n + 1))
		[ $n -lt 50 ] || { cat "$MBOX" >&2; fail "$1: no header"; }
		sleep 0.1
	done
	h=$(header_of "$QID")
	echo "$1: $h"
	[ "$h" = "X-NFQ-Gate: $2" ] || fail "$1: header \"$h\", want \"$2\""
}

# The good client's country is whatever the database says (the shared
# whois data puts 198.51.100.0/24 in AU; the sample has nothing, "--").
cc=$("$GATEDB" lookup "$NGT_DB" "$NGT_CLI_A4" | awk '{ print $2 }')
[ -n "$cc" ] || fail "nfq-gate-db lookup $NGT_CLI_A4"

# ---- a good client: new, then old ----
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-first"
expect_header "good-first" "country=$cc; pass=new; pregreet=0"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-again"
expect_header "good-again" "country=$cc; pass=old; pregreet=0"

# ---- a tested country, both families ----
ngt_mail_ok "$NGT_CN_A4" "$NGT_SRV_A4" "cn-v4"
expect_header "cn-v4" "country=CN; pass=new; pregreet=0"
ngt_mail_ok "$NGT_CN_A6" "$NGT_SRV_A6" "cn-v6"
expect_header "cn-v6" "country=CN; pass=new; pregreet=0"

# ---- one message, three recipients: one header ----
# virtual(8) writes one copy per recipient into the one mailbox; each
# copy must carry exactly one X-NFQ-Gate header (three PREPENDs would
# put three in the queue file, so in every copy).
ngt_swaks "$NGT_CLI_A4" "$NGT_SRV_A4" \
    --to "u@$NGT_DOMAIN,v@$NGT_DOMAIN,w@$NGT_DOMAIN" \
    >"$NGT_DIR/swaks-three" 2>&1 ||
    { cat "$NGT_DIR/swaks-three" >&2; fail "three: swaks failed"; }
QID=$(sed -n 's/.*250 2\.0\.0 Ok: queued as \([0-9A-F]*\).*/\1/p' \
    "$NGT_DIR/swaks-three")
[ -n "$QID" ] || fail "three: no queue id"
for r in u v w; do
	ngt_expect_maillog "$QID: to=<$r@$NGT_DOMAIN>.*status=sent" \
	    "three: $r delivered"
done
copies=$(awk -v q="$QID" '
    /^From / { if (mine) print n; mine = 0; n = 0; hdr = 1; next }
    hdr && /^$/ { hdr = 0 }
    hdr && /^X-NFQ-Gate:/ { n++ }
    index($0, "id " q) { mine = 1 }
    END { if (mine) print n }' "$MBOX" | tr '\n' ' ')
echo "three: X-NFQ-Gate headers per delivered copy: $copies"
[ "$copies" = "1 1 1 " ] ||
    { cat "$MBOX" >&2; fail "three: headers per copy \"$copies\", want 1 1 1"; }

# ---- a bot: through the gate (log mode), deferred at RCPT ----
out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --wait 8 --rcpt "u@$NGT_DOMAIN" "$NGT_SRV_A4" 25)
echo "bot: $out"
case $out in
*'rcpt="450 4.7.1 '*'pre-greeting talker (1)"'*) ;;
*) fail "bot: not deferred at RCPT: $out" ;;
esac
reb=$(ngt_re "$NGT_BOT_A4")
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+" "bot"
ngt_expect_maillog "NOQUEUE: reject: RCPT from .*\[$reb\]: 450 4\.7\.1 .*pre-greeting talker \(1\)" \
    "Postfix deferred the bot"
# A second offence counts.
out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --wait 8 --rcpt "u@$NGT_DOMAIN" "$NGT_SRV_A4" 25)
echo "bot again: $out"
case $out in
*'rcpt="450 4.7.1 '*'pre-greeting talker (2)"'*) ;;
*) fail "bot: second offence: $out" ;;
esac

# Every query was answered from the tables and counted.
ngt_prom_wait policy_queries_total 9 5 ||
    fail "policy_queries_total $(ngt_prom policy_queries_total), want 9"
echo "policy_queries_total $(ngt_prom policy_queries_total)"
grep -qi "policy service:" "$NGT_GATELOG" &&
    fail "policy service complained: $(grep -i 'policy service:' "$NGT_GATELOG")"
kill -0 "$NGT_GATE_PID" || fail "gate died"
ngt_gate_kill TERM
[ ! -e "$SOCK" ] || fail "the socket was left behind at stop"

# The gate stopped: with smtpd_policy_service_default_action = DUNNO
# Postfix goes on without it, and the queue bypass lets the mail in.
ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" "gate-stopped"
h=$(header_of "$QID")
[ -z "$h" ] || fail "gate-stopped: a policy header without a gate: $h"
grep -q "warning: connect to .*$SOCK" "$NGT_PF/maillog" ||
    fail "Postfix did not notice the policy service was gone"
echo "all policy checks passed"
exit 0
