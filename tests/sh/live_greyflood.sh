#!/bin/sh
# live_greyflood.sh - a real sending Postfix's greylisted mail is
# delivered on its first retry while forged SYNs keep arriving.
#
# The gate greylists everyone (default_action = greylist) with a small
# cache_max, so the flood really fills the greylist.  The sender (a second
# Postfix in the client namespace, as in live_greylist.sh) has its first
# try refused (GREYLIST).  From then until its retry is delivered,
# synflood sends forged SYNs from random IPv4 sources at a bounded rate
# (RATE a second in bursts of a tenth of that, at most FLOOD_SECS): every
# one would make a greylist entry.  A table that evicted its oldest entry
# would have forgotten the first try after cache_max of them and greylisted
# the retry again; with admission control the full table refuses the
# flood's newcomers (greylist_full, logged once) and the retry gets
# GREYLIST PASS, PASS NEW and is delivered.
#
# Raw Ethernet frames with explicit MACs from the client namespace; the
# forged SYNs skip conntrack (raw table) as in flood_syn.sh.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
ngt_need_flood

GREY_DELAY=3 LIMIT=40
CACHE_MAX=${NG_GREYFLOOD_CACHE:-1000} RATE=${NG_GREYFLOOD_RATE:-1000}
FLOOD_SECS=40

ngt_init
fpid=
trap 'rc=$?; [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; (exit $rc); ngt_cleanup_client' EXIT
ngt_topology local
ngt_postfix_start
ngt_rules_install --family 4
ngt_flood_notrack
ngt_db_build
ngt_gate_conf "default_action = greylist" "greylist_delay = ${GREY_DELAY}s" \
    "greylist_window = 1h" "cache_max = $CACHE_MAX" "stats_interval = 1s"
ngt_gate_start "$NGT_CONF"
ngt_cpf_start "relayhost = [$NGT_SRV_A4]" "smtp_bind_address = $NGT_CLI_A4" \
    "inet_protocols = ipv4" \
    "smtp_dns_support_level = disabled" "disable_dns_lookups = yes" \
    "queue_run_delay = 5s" "minimal_backoff_time = 5s" \
    "maximal_backoff_time = 10s"
CLOG=$NGT_CPF/maillog
rec=$(ngt_re "$NGT_CLI_A4") res=$(ngt_re "$NGT_SRV_A4")

t0=$(ngt_ms)
qid=$(ngt_cpf_send greyflood)
[ -n "$qid" ] || fail "no queue id in the client postfix log"
ngt_expect_log "$CLOG" \
    "$qid: to=<u@$NGT_DOMAIN>, relay=none, .*status=deferred \(connect to $res\[$res\]:25: Connection refused\)" \
    "first attempt deferred" 10
ngt_expect_gate "GREYLIST \[$rec\]:[0-9]+" "first attempt greylisted"
echo "first attempt deferred after $(( $(ngt_ms) - t0 )) ms; flood starts"

# The flood: RATE/10 SYNs every 0.1 s, each burst from new random sources,
# until the mail is delivered (checked below) or FLOOD_SECS have passed.
(
	i=1
	while [ $i -le $((FLOOD_SECS * 10)) ]; do
		ip netns exec "$NGT_CLI" "$NGT_FLOOD" eth0 "$NGT_SRV_MAC" \
		    "$NGT_SRV_A4" 25 \
		    $((RATE / 10)) 1 $((i * 2654435761)) | sed -n 's/^sent=//p'
		sleep 0.1
		i=$((i + 1))
	done
) >"$NGT_DIR/flood.sent" 2>"$NGT_DIR/flood.err" &
fpid=$!
f0=$(ngt_ms)

ngt_expect_log "$CLOG" \
    "$qid: to=<u@$NGT_DOMAIN>, relay=$res\[$res\]:25, .*status=sent \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)" \
    "retry delivered within ${LIMIT}s during the flood" "$LIMIT"
ms=$(( $(ngt_ms) - t0 ))
kill -0 $fpid 2>/dev/null || fail "the flood ended before the retry"
fms=$(( $(ngt_ms) - f0 ))
kill $fpid 2>/dev/null
wait $fpid 2>/dev/null
fpid=
sent=$(awk '{ s += $1 } END { print s + 0 }' "$NGT_DIR/flood.sent")
echo "retry delivered $ms ms after injection; flood: $sent forged SYNs in $fms ms" \
    "($(( sent * 1000 / (fms > 0 ? fms : 1) ))/s), cache_max $CACHE_MAX"
[ "$sent" -gt "$CACHE_MAX" ] ||
    { cat "$NGT_DIR/flood.err"; fail "the flood sent only $sent SYNs"; }

sleep 1.5	# the prom file catches up
ngt_gate_usr1
grep "statistics: packets=" "$NGT_GATELOG" | tail -n 1
full=$(ngt_prom greylist_full_total)
flows=$(ngt_prom flows_total)
echo "gate: flows_total=$flows greylist_full=$full"
# The flood really filled the greylist: the old table would have evicted.
[ "$full" -gt 0 ] || fail "greylist_full is 0: the flood never filled the greylist"
[ "$(grep -c "greylist full (cache_max $CACHE_MAX" "$NGT_GATELOG")" -eq 1 ] ||
    fail "the full greylist was not reported exactly once"

order=$(ngt_gate_events "$NGT_CLI_A4")
echo "gate events for $NGT_CLI_A4: $order"
[ "$order" = "GREYLIST,GREYLIST PASS,PASS NEW," ] ||
    fail "unexpected gate event order: $order"
defers=$(grep -c "$qid: .*status=deferred" "$CLOG")
[ "$defers" -eq 1 ] || fail "$defers deferrals: the retry was refused again"
grep -E "PREGREET|PENALTY" "$NGT_GATELOG" && fail "a pre-greeting verdict in the flood"
echo "live greylist flood test passed"
exit 0
