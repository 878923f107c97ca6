#!/bin/sh
# live_throttle.sh - connection limits at the SYN against real Postfixes.
#
# 1. Concurrency: a sending Postfix in the client namespace holds 20 mails
#    for one destination (defer_transports), then flushes them with 20
#    deliveries at once (initial_destination_concurrency = 20, no
#    connection cache) through the gate (started without limits, then
#    reloaded to throttle_concurrency = 5, which joins conntrack's event
#    groups) to the
#    server Postfix.  Five connections count; the other fifteen are reset
#    (THROTTLE, at the handshake, or at the SYN once five are believed)
#    and deferred by the sender, whose own retries then deliver every
#    mail (as a passed client, with throttle_passed_concurrency = 20, in
#    one round).  The ends of the passed (offloaded) connections come
#    from conntrack's events (ct_ends in the counters).
# 2. Rate (after a reload to throttle_rate = 3/5s): from IPv6, three mails
#    go, the fourth and fifth are reset at their SYN, and once the window
#    has passed the next goes again.
# 3. Spoofing (throttle_rate = 1/1m, throttle_concurrency = 1): an off-path
#    spoofer's SYNs, guessed ACKs, data and RSTs from a victim's address
#    (tests/helpers/spoof) count nothing: the victim's mail goes, and
#    only its own second mail is throttled.
. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live swaks postconf
SPOOF=$NG_BUILD/tests/helpers/spoof
[ -x "$SPOOF" ] || skip "$SPOOF not built"

ngt_init
trap 'ngt_cleanup_client' EXIT
ngt_topology local
ngt_postfix_start
ngt_rules_install
ngt_db_build
ngt_gate_conf "stats_interval = 1s"
# A pause long enough that the five counted connections are still live
# (held) when the last of the twenty SYNs comes.
sed -i "s/^greet_pause = .*/greet_pause = 2s/" "$NGT_CONF"
# Started with no limit: the reload that sets them joins conntrack's
# event groups.
ngt_gate_start "$NGT_CONF"
printf '%s\n' "throttle_concurrency = 5" "throttle_passed_concurrency = 20" \
    >>"$NGT_CONF"
kill -HUP "$NGT_GATE_PID"
ngt_expect_gate "reloaded $NGT_CONF" "reload with the limits"
grep -q "throttle: " "$NGT_GATELOG" &&
    fail "no conntrack events: $(grep 'throttle: ' "$NGT_GATELOG")"
ngt_cpf_start "relayhost = [$NGT_SRV_A4]" "smtp_bind_address = $NGT_CLI_A4" \
    "smtp_dns_support_level = disabled" "disable_dns_lookups = yes" \
    "defer_transports = smtp" "initial_destination_concurrency = 20" \
    "default_destination_concurrency_limit = 20" \
    "smtp_connection_cache_on_demand = no" \
    "default_destination_concurrency_failed_cohort_limit = 20" \
    "default_destination_concurrency_negative_feedback = 0" \
    "queue_run_delay = 5s" "minimal_backoff_time = 5s" \
    "maximal_backoff_time = 6s"
CLOG=$NGT_CPF/maillog

# reload N - SIGHUP, and wait for the gate's Nth "reloaded" line.
reload() {
	kill -HUP "$NGT_GATE_PID"
	k=0
	until [ "$(grep -c "reloaded $NGT_CONF" "$NGT_GATELOG")" -ge "$1" ]; do
		k=$((k + 1))
		[ $k -lt 50 ] || fail "reload $1: not done"
		sleep 0.1
	done
}
rec=$(ngt_re "$NGT_CLI_A4")

i=0
while [ $i -lt 20 ]; do
	ngt_cpf_send "m$i" >/dev/null
	i=$((i + 1))
done
ngt_in "$NGT_CLI" postconf -c "$NGT_CPF/etc" -e "defer_transports =" ||
    fail "postconf"
t0=$(ngt_ms)
ngt_in "$NGT_CLI" postfix -c "$NGT_CPF/etc" reload >/dev/null 2>&1 ||
    fail "client postfix reload"
ngt_in "$NGT_CLI" postqueue -c "$NGT_CPF/etc" -f || fail "postqueue -f"

# The first burst: five delivered, fifteen THROTTLE.
n=0
until [ "$(grep -c 'status=sent' "$CLOG")" -ge 5 ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || { tail -30 "$CLOG" "$NGT_GATELOG" >&2;
	    fail "first burst: $(grep -c 'status=sent' "$CLOG") sent"; }
	sleep 0.1
done
thr=$(grep -cE "THROTTLE \[$rec\]:[0-9]+ over concurrency" "$NGT_GATELOG")
sent=$(grep -c 'status=sent' "$CLOG")
echo "burst: $sent sent, $thr THROTTLE after $(( $(ngt_ms) - t0 )) ms"
[ "$thr" -eq 15 ] || { grep THROTTLE "$NGT_GATELOG" >&2;
    fail "$thr THROTTLE resets in the burst, not 15"; }
[ "$sent" -eq 5 ] || fail "$sent delivered in the burst, not 5"
grep -E ": connect from [^ ]*\[$rec\]" "$NGT_PF/maillog" | wc -l |
    grep -qx 5 || fail "the server saw more than five connections"

# Postfix's retries deliver the rest.
n=0
until [ "$(grep -c ': to=<u@.*status=sent' "$CLOG")" -ge 20 ]; do
	n=$((n + 1))
	[ $n -lt 400 ] || { tail -30 "$CLOG" >&2;
	    fail "retries: $(grep -c 'status=sent' "$CLOG") of 20 sent"; }
	sleep 0.1
done
echo "all 20 delivered after $(( $(ngt_ms) - t0 )) ms; THROTTLE in all: $(grep -c 'THROTTLE' "$NGT_GATELOG")"
n=0
until [ "$(grep -c "status=sent (delivered" "$NGT_PF/maillog")" -ge 20 ]; do
	n=$((n + 1))
	[ $n -lt 50 ] || fail "the server postfix delivered $(grep -c \
	    "status=sent (delivered" "$NGT_PF/maillog") of 20"
	sleep 0.1
done
# Twenty counted, twenty ended: offloaded, so by conntrack's events.
ngt_prom_wait throttle_ended_total 20 5 ||
    fail "ends seen: $(ngt_prom throttle_ended_total) of 20 (counted" \
    "$(ngt_prom throttle_counted_total), conntrack" \
    "$(ngt_prom conntrack_ends_total))"
echo "counted $(ngt_prom throttle_counted_total), ended" \
    "$(ngt_prom throttle_ended_total), conntrack ends" \
    "$(ngt_prom conntrack_ends_total)"

# 2. Rate.
sed -i "s/^throttle_concurrency = .*/throttle_concurrency = 0/" "$NGT_CONF"
echo "throttle_rate = 3/5s" >>"$NGT_CONF"
reload 2
re6=$(ngt_re "$NGT_CLI_A6")
w0=$(ngt_ms)
for k in 1 2 3; do
	ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" "rate$k"
done
for k in 4 5; do
	ngt_swaks "$NGT_CLI_A6" "$NGT_SRV_A6" >"$NGT_DIR/swaks-rate$k" 2>&1 &&
	    fail "rate$k: delivered over the rate"
done
[ "$(grep -cE "THROTTLE \[$re6\]:[0-9]+ over rate" "$NGT_GATELOG")" -eq 2 ] ||
    fail "rate: $(grep THROTTLE "$NGT_GATELOG" | tail -3)"
left=$(( 5000 - ($(ngt_ms) - w0) ))
[ $left -gt 0 ] || fail "the window passed before the test could check it"
sleep $(( left / 1000 + 1 ))
ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" "rate6"

# 3. Forged SYNs from a victim's address.
sed -i "s/^throttle_rate = .*/throttle_rate = 1\/1m/;
    s/^throttle_concurrency = .*/throttle_concurrency = 1/" "$NGT_CONF"
reload 3
vic=$NGT_BOT_A4 rev=$(ngt_re "$NGT_BOT_A4")
MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
ngt_in "$NGT_CLI" timeout 10 "$SPOOF" eth0 "$MAC" "$vic" "$NGT_SRV_A4" 25 \
    41000 41063 3000 2 >"$NGT_DIR/spoof.out" 2>&1 ||
    fail "spoof: $(cat "$NGT_DIR/spoof.out")"
sleep 0.5
grep -qE "THROTTLE \[$rev\]" "$NGT_GATELOG" &&
    fail "the spoofer throttled $vic"
ngt_mail_ok "$vic" "$NGT_SRV_A4" "victim"
ngt_swaks "$vic" "$NGT_SRV_A4" >"$NGT_DIR/swaks-victim2" 2>&1 &&
    fail "victim's second mail: not throttled (the limit does nothing?)"
ngt_expect_gate "THROTTLE \[$rev\]:[0-9]+ over rate" "victim's own second"
echo "all live throttle checks passed"
exit 0
