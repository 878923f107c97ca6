#!/bin/sh
# live_greylist.sh - TCP-level greylisting against a real sending Postfix.
#
# Greylisting only works if real MTAs retry a refused connection, so the
# sender here is a second Postfix in the client namespace relaying to the
# server Postfix behind the gate (default_action = greylist).  Its first
# SYN is reset (gate: GREYLIST; sender: status=deferred, Connection
# refused); Postfix's own queue manager retries after its backoff, the
# retry is older than greylist_delay (gate: GREYLIST PASS), waits out the
# greeting test (PASS NEW) and the mail is delivered.  A second mail then
# goes straight through from the pass cache (PASS OLD, no deferral).
# IPv4, then IPv6.
# Backoff and greylist delays are seconds, not minutes, so the whole run
# is bounded at about 40 s.

. "$(dirname "$0")/../lib.sh"
need_root
. "$NG_ROOT/tests/netns.sh"
[ -x "$GATE" ] || skip "$GATE not built"
command -v postfix >/dev/null || skip "postfix not installed"

GREY_DELAY=3
LIMIT=40

ngt_init
trap 'ngt_cleanup_client' EXIT
ngt_topology local
ngt_postfix_start
ngt_rules_install
ngt_db_build
ngt_gate_conf "default_action = greylist" "greylist_delay = ${GREY_DELAY}s" \
    "greylist_window = 1h"
ngt_gate_start "$NGT_CONF"
ngt_cpf_start "relayhost = [$NGT_SRV_A4]" "smtp_bind_address = $NGT_CLI_A4" \
    "smtp_bind_address6 = $NGT_CLI_A6" "inet_protocols = all" \
    "smtp_dns_support_level = disabled" "disable_dns_lookups = yes" \
    "queue_run_delay = 5s" "minimal_backoff_time = 5s" \
    "maximal_backoff_time = 10s"

CLOG=$NGT_CPF/maillog

family() {	# src srv fam
	rec=$(ngt_re "$1") res=$(ngt_re "$2") fam=$3
	t0=$(ngt_ms)
	qid=$(ngt_cpf_send first$fam)
	[ -n "$qid" ] || fail "no queue id in the client postfix log"
	echo "IPv$fam: first mail queued in the sending postfix as $qid"

	# The first attempt is refused at its SYN.
	ngt_expect_log "$CLOG" \
	    "$qid: to=<u@$NGT_DOMAIN>, relay=none, .*status=deferred \(connect to $res\[$res\]:25: Connection refused\)" \
	    "first attempt deferred" 10
	ngt_expect_gate "GREYLIST \[$rec\]:[0-9]+" "first attempt greylisted"
	grep -E "connect from [^ ]*\[$rec\]" "$NGT_PF/maillog" &&
	    fail "the server postfix saw the greylisted attempt"
	echo "IPv$fam: first attempt: deferred after $(( $(ngt_ms) - t0 )) ms"

	# Postfix's own retry delivers it.
	ngt_expect_log "$CLOG" \
	    "$qid: to=<u@$NGT_DOMAIN>, relay=$res\[$res\]:25, .*status=sent \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)" \
	    "retry delivered within ${LIMIT}s" "$LIMIT"
	ms=$(( $(ngt_ms) - t0 ))
	sqid=$(sed -n "s/.*$qid: to=<u@$NGT_DOMAIN>, relay=.*status=sent (250 2\.0\.0 Ok: queued as \([0-9A-F]*\)).*/\1/p" "$CLOG")
	ngt_expect_maillog "$sqid: to=<u@$NGT_DOMAIN>.*status=sent \(delivered" \
	    "server postfix delivered $sqid"
	ngt_expect_gate "GREYLIST PASS \[$rec\]:[0-9]+" "retry greylist pass"
	ngt_expect_gate "PASS NEW \[$rec\]:[0-9]+" "retry passed the greeting test"
	defers=$(grep -c "$qid: .*status=deferred" "$CLOG")
	echo "IPv$fam: first mail: $defers deferral(s), delivered as $sqid after $ms ms"

	# The order in the gate log: GREYLIST, then GREYLIST PASS, then PASS NEW,
	# and only one GREYLIST (the retry came after greylist_delay).
	order=$(ngt_gate_events "$1")
	echo "IPv$fam: gate events for $1: $order"
	[ "$order" = "GREYLIST,GREYLIST PASS,PASS NEW," ] ||
	    fail "unexpected gate event order: $order"
	[ "$ms" -ge $((GREY_DELAY * 1000)) ] ||
	    fail "delivered after $ms ms, before greylist_delay"

	# The sender is now in the pass cache: the next mail is not deferred.
	t0=$(ngt_ms)
	qid2=$(ngt_cpf_send second$fam)
	ngt_expect_log "$CLOG" "$qid2: to=<u@$NGT_DOMAIN>, relay=$res.*status=sent" \
	    "second mail delivered" 10
	echo "IPv$fam: second mail $qid2: delivered after $(( $(ngt_ms) - t0 )) ms"
	grep -q "$qid2: .*status=deferred" "$CLOG" && fail "second mail deferred"
	ngt_expect_gate "PASS OLD \[$rec\]:[0-9]+" "second mail from the pass cache"
	[ "$(grep -cE "GREYLIST \[$rec\]" "$NGT_GATELOG")" -eq 1 ] ||
	    fail "the cached sender was greylisted again"
	return 0
}

family "$NGT_CLI_A4" "$NGT_SRV_A4" 4
# The same over IPv6: the relay host changes, the sender is new to the
# gate (its own greylist entry).
ngt_in "$NGT_CLI" postconf -c "$NGT_CPF/etc" -e "relayhost = [ipv6:$NGT_SRV_A6]" ||
    fail "postconf"
ngt_in "$NGT_CLI" postfix -c "$NGT_CPF/etc" reload >/dev/null 2>&1 ||
    fail "client postfix reload"
sleep 1
family "$NGT_CLI_A6" "$NGT_SRV_A6" 6
echo "all live greylist checks passed"
exit 0
