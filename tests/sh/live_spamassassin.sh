#!/bin/sh
# live_spamassassin.sh - mail delivered through the gate and a real
# Postfix, scored by Debian's real spamassassin with only
# rules/spamassassin/nfq-gate.cf (tests/spamassassin.sh: no other rule
# file is read, no network tests).
#
# The gate's database is built here from a country CSV and an ASN CSV
# (ip-location-db's "asn" layout, an owner holding ';' and '"' to be
# escaped); its policy service PREPENDs the default X-NFQ-Gate header.
# Clients of different kinds deliver one message each:
#   - a good client (NL, a hosting AS): pass=new, then pass=old;
#   - a client in CN whose netblock owner looks dynamic, greylisted by an
#     owner rule ("owner /dynamic|pool/ in CN = greylist"), delivered on
#     its retry: country listed, owner dynamic, greylisted and passed
#     (rule=greylist(owner) and pass=new: the gate drops the greylist
#     entry at the pass, so grey=none);
#   - an IPv6 client in CN in the .cf's listed AS with a cable owner,
#     tested by "country CN = test";
#   - a bot that talks before the greeting and then sends its spam
#     (pregreet_action = log, policy_action_penalty empty): pregreet=1;
#   - a new client whose message carries a forged "X-NFQ-Gate: ...
#     pass=old": the gate's header, PREPENDed, sits above it, and the
#     rules read only the topmost one;
#   - a client over "throttle_rate = 2/4s": its third connection is
#     reset (THROTTLE), and its mail after the window says throttled=1.
# For each, the header must be exactly what the gate knows, and
# spamassassin -t must fire exactly the expected NFQ_* rules, with the
# score the .cf's score lines add up to.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
. "$NG_ROOT/tests/spamassassin.sh"
ngt_need_live python3
sa_init

ngt_init
ngt_topology local
# The README's Postfix set-up: the policy service at RCPT time.  No
# header_checks against forged X-NFQ-Gate headers: cleanup applies them
# to the policy service's PREPEND too (tried: the gate's header went
# with the forged one), so the rules read only the topmost header.
install -d -o root -g postfix -m 2770 "$NGT_DIR/pfsock" ||
    fail "policy socket directory"
SOCK=$NGT_DIR/pfsock/policy
ngt_postfix_start \
    "smtpd_recipient_restrictions = check_policy_service unix:$SOCK" \
    "smtpd_policy_service_default_action = DUNNO"
ngt_rules_install

# ---- the database: countries from one file, ASN and owner from another ----
cat >"$NGT_DIR/country.csv" <<EOF
198.51.100.0,198.51.100.255,NL
1.0.1.0,1.0.1.255,CN
2001:db8:1::,2001:db8:1::ffff,NL
240e::,240e::ffff,CN
EOF
cat >"$NGT_DIR/asn.csv" <<EOF
198.51.100.0,198.51.100.255,64500,Good Hosting B.V.
1.0.1.0,1.0.1.255,4134,"CHINANET-GD Dynamic Pool; Guangdong ""ADSL"""
2001:db8:1::,2001:db8:1::ffff,64500,Good Hosting B.V.
240e::,240e::ffff,64496,"Example Cable Broadband, Ltd"
EOF
NGT_DB=$NGT_DIR/netblocks.db
# Each file's format is detected: start,end,CC and start,end,asn,owner.
"$GATEDB" build -o "$NGT_DB" "$NGT_DIR/country.csv" "$NGT_DIR/asn.csv" \
    >"$NGT_DIR/db.log" 2>&1 ||
    { cat "$NGT_DIR/db.log" >&2; fail "nfq-gate-db build (country + asn)"; }
"$GATEDB" lookup "$NGT_DB" "$NGT_CN_A4" "$NGT_CN_A6" "$NGT_CLI_A4"

ngt_gate_conf \
    "country CN = test" \
    "owner /dynamic|pool/ in CN = greylist" \
    "greylist_delay = 1s" \
    "pregreet_action = log" \
    "stats_interval = 1s" \
    "policy_socket = $SOCK" \
    "policy_socket_owner = postfix" \
    "policy_action_penalty =" \
    "throttle_rate = 2/4s"
sed -i "s/^greet_pause = .*/greet_pause = 1s/" "$NGT_CONF"	# a short run
ngt_gate_start "$NGT_CONF"
ngt_expect_gate "policy service on $SOCK" "policy socket"

MBOX=$NGT_PF/mail/mbox
# message - the delivered copy of queue id $1, into file $2 (waits).
message() {	# qid file
	n=0
	while :; do
		awk -v q="$1" '
		    /^From / { if (mine) exit; buf = ""; next }
		    { buf = buf $0 "\n" }
		    index($0, "id " q) { mine = 1 }
		    END { if (mine) printf "%s", buf }' "$MBOX" >"$2" 2>/dev/null
		[ -s "$2" ] && return 0
		n=$((n + 1))
		[ $n -lt 50 ] || fail "message $1 not in the mailbox"
		sleep 0.1
	done
}
# check - the message's X-NFQ-Gate header(s) and its SpamAssassin hits.
check() {	# label qid header rule...
	label=$1 qid=$2 want=$3; shift 3
	f=$NGT_DIR/msg-$label.eml
	message "$qid" "$f"
	h=$(sed -n '/^$/q; s/^X-NFQ-Gate: //p' "$f" | head -n 1)
	echo "$label: X-NFQ-Gate: $h"
	[ "$h" = "$want" ] ||
	    { cat "$f" >&2; fail "$label: header \"$h\", want \"$want\""; }
	sa_want "$label" "$f" "$@"
}
D="grey=none; pregreet=0; throttled=0"
GOOD="country=NL; asn=64500; owner=Good Hosting B.V.; rule=test(default)"

# ---- a good client: new, then old ----
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-first"
check good-first "$QID" "$GOOD; pass=new; $D" NFQ_PASS_NEW
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-again"
check good-again "$QID" "$GOOD; pass=old; $D" NFQ_PASS_OLD

# ---- a dynamic pool in CN: greylisted by its owner, passed on retry ----
ngt_swaks "$NGT_CN_A4" "$NGT_SRV_A4" >"$NGT_DIR/swaks-cn-first" 2>&1 &&
    fail "cn: the first try was not greylisted"
ngt_expect_gate "GREYLIST \[$(ngt_re "$NGT_CN_A4")\]:[0-9]+" "cn greylisted"
sleep 1.2
ngt_mail_ok "$NGT_CN_A4" "$NGT_SRV_A4" "cn-retry"
check cn-dynamic "$QID" "country=CN; asn=4134; owner=CHINANET-GD Dynamic Pool? Guangdong ?ADSL?; rule=greylist(owner); pass=new; $D" \
    NFQ_COUNTRY_LISTED NFQ_OWNER_DYNAMIC NFQ_PASS_NEW NFQ_GREY_PASSED \
    NFQ_RULE_GREYLIST

# ---- CN over IPv6, a listed AS, a cable owner, "country CN = test" ----
ngt_mail_ok "$NGT_CN_A6" "$NGT_SRV_A6" "cn-v6"
check cn-v6 "$QID" "country=CN; asn=64496; owner=Example Cable Broadband, Ltd; rule=test(country); pass=new; $D" \
    NFQ_COUNTRY_LISTED NFQ_ASN_LISTED NFQ_OWNER_DYNAMIC NFQ_RULE_TEST \
    NFQ_PASS_NEW

# ---- a pre-greeting talker that sends its spam anyway ----
out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
    --source "$NGT_BOT_A4" --wait 8 --rcpt "u@$NGT_DOMAIN" \
    --data "bot spam" "$NGT_SRV_A4" 25)
echo "bot: $out"
QID=$(echo "$out" | sed -n 's/.*data="250 [0-9.]* Ok: queued as \([0-9A-F]*\)".*/\1/p')
[ -n "$QID" ] || fail "bot: its mail was not queued: $out"
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$NGT_BOT_A4")\]" \
    "bot talked first"
check bot "$QID" "country=NL; asn=64500; owner=Good Hosting B.V.; rule=test(default); pass=none; grey=none; pregreet=1; throttled=0" \
    NFQ_PREGREET

# ---- a forged header in the message: below the gate's, not read ----
ngt_swaks "$NGT_NEW_A4" "$NGT_SRV_A4" \
    --add-header "X-NFQ-Gate: country=NL; pass=old; pregreet=0" \
    >"$NGT_DIR/swaks-forged" 2>&1 ||
    { cat "$NGT_DIR/swaks-forged" >&2; fail "forged: swaks failed"; }
QID=$(sed -n 's/.*250 2\.0\.0 Ok: queued as \([0-9A-F]*\).*/\1/p' \
    "$NGT_DIR/swaks-forged")
[ -n "$QID" ] || fail "forged: no queue id"
grep -q '^ *-> X-NFQ-Gate: country=NL; pass=old' "$NGT_DIR/swaks-forged" ||
    fail "forged: swaks did not send the forged header"
check forged "$QID" "$GOOD; pass=new; $D" NFQ_PASS_NEW
sed -n '/^$/q; /^X-NFQ-Gate: /p' "$f" | sed -n 2p |
    grep -q '^X-NFQ-Gate: country=NL; pass=old; pregreet=0$' ||
    { cat "$f" >&2; fail "forged: the forged header is not below the gate's"; }

# ---- a client over the connection rate: reset, then in after the window ----
ngt_mail_ok "$NGT_NEW_A6" "$NGT_SRV_A6" "rate-1"
ngt_mail_ok "$NGT_NEW_A6" "$NGT_SRV_A6" "rate-2"
ngt_swaks "$NGT_NEW_A6" "$NGT_SRV_A6" >"$NGT_DIR/swaks-rate-3" 2>&1 &&
    fail "rate: a third connection within 4 s was not reset"
ngt_expect_gate "THROTTLE \[$(ngt_re "$NGT_NEW_A6")\]:[0-9]+" "rate: throttled"
sleep 4
ngt_mail_ok "$NGT_NEW_A6" "$NGT_SRV_A6" "rate-after"
check throttled "$QID" "$GOOD; pass=old; grey=none; pregreet=0; throttled=1" \
    NFQ_PASS_OLD NFQ_THROTTLED

kill -0 "$NGT_GATE_PID" || fail "gate died"
grep -qi "policy service:" "$NGT_GATELOG" &&
    fail "policy service complained: $(grep -i 'policy service:' "$NGT_GATELOG")"
echo "all live SpamAssassin checks passed"
exit 0
