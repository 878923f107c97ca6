#!/bin/sh
# dns_lists.sh - DNSBL/DNSWL scores and reverse-DNS facts over real DNS.
#
# dnsmasq in a namespace serves the lists, the reverse zones and the
# forward names; tests/helpers/dns_probe (the daemon's daemon/dns.c on
# one c-ares channel, resolvers from the namespace's resolv.conf) looks
# the clients up with a 3 s deadline:
#   192.0.2.10  on zen.example (127.0.0.2, *3) and bl.example (127.0.0.4
#               in [2..11], *2): DNSBL score 5, listed (no PTR: +1)
#   192.0.2.11  bl.example answers 127.0.0.20, outside the filter: unlisted
#   192.0.2.20  list.dnswl.example 127.0.10.2 (*-2): allowlisted
#   192.0.2.30  nothing anywhere: unlisted, score 0
#   192.0.2.40  PTR mail.good.test, which resolves back: ok
#   192.0.2.41  PTR dsl-192-0-2-41.dyn.isp.test, confirmed: dynamic
#   192.0.2.42  no PTR: none
#   192.0.2.43  PTR fake.good.test, which resolves elsewhere: unconfirmed
#   192.0.2.44  PTR mail-out1.pool.isp.test: dynamic-looking, but
#               rdns_dynamic_except takes it back: ok
#   2001:db8::25  PTR mail6.good.test, AAAA back: ok
# All answered, the round must end well before the deadline; a second
# round must be answered from the cache (no new queries).

. "$(dirname "$0")/../lib.sh"
need_root
. "$NG_ROOT/tests/netns.sh"
ngt_need_dns_probe
command -v dnsmasq >/dev/null || skip "dnsmasq not installed (Debian dnsmasq-base)"

ngt_init
trap 'ngt_cleanup_client' EXIT
[ -n "$NG_KEEP" ] && trap "cat \"\$NGT_DIR/probe.out\"; ngt_cleanup_client" EXIT
ngt_ns_add "$NGT_CLI"
ngt_dns_start --local-ttl=300 \
    --local=/zen.example/ --local=/bl.example/ --local=/list.dnswl.example/ \
    --local=/in-addr.arpa/ --local=/ip6.arpa/ --local=/good.test/ \
    --local=/isp.test/ \
    --address=/10.2.0.192.zen.example/127.0.0.2 \
    --address=/10.2.0.192.bl.example/127.0.0.4 \
    --address=/11.2.0.192.bl.example/127.0.0.20 \
    --address=/20.2.0.192.list.dnswl.example/127.0.10.2 \
    --host-record=mail.good.test,192.0.2.40 \
    --host-record=dsl-192-0-2-41.dyn.isp.test,192.0.2.41 \
    --ptr-record=43.2.0.192.in-addr.arpa,fake.good.test \
    --host-record=fake.good.test,192.0.2.99 \
    --host-record=mail-out1.pool.isp.test,192.0.2.44 \
    --host-record=mail6.good.test,2001:db8::25

cat >"$NGT_DIR/dns.conf" <<'CONF'
dnsbl_sites = zen.example*3, bl.example=127.0.0.[2..11]*2
dnsbl_sites = list.dnswl.example=127.0.[0..255].[1..3]*-2
dnsbl_threshold = 3
dnsbl_allowlist_threshold = -1
rdns_none_weight = 1
rdns_unconfirmed_weight = 2
rdns_dynamic_weight = 3
rdns_dynamic_except = /^mail-out[0-9]*\./
dns_timeout = 2s
CONF

OUT=$NGT_DIR/probe.out
ngt_in "$NGT_CLI" "$PROBE" $SANDBOX -c "$NGT_DIR/dns.conf" -t 3000 -n 2 \
    192.0.2.10 192.0.2.11 192.0.2.20 192.0.2.30 192.0.2.40 192.0.2.41 \
    192.0.2.42 192.0.2.43 192.0.2.44 2001:db8::25 >"$OUT" 2>&1 ||
    { cat "$OUT" >&2; fail "dns_probe failed"; }

# expect ADDR ROUND FIELD=VALUE...: each field on that address's line.
expect() {
	a=$1 r=$2; shift 2
	line=$(grep "^addr=$a round=$r " "$OUT") || fail "no line for $a"
	for f; do
		case " $line " in
		*" $f "*) ;;
		*) fail "$a round $r: want $f in: $line" ;;
		esac
	done
}

for r in 1 2; do
	expect 192.0.2.10 $r complete=1 score=6 dnsbl=5 listed=1 \
	    allowlisted=0 \
	    sites=zen.example:listed:3,bl.example:listed:2,list.dnswl.example:unlisted:0
	expect 192.0.2.11 $r score=1 dnsbl=0 listed=0 \
	    sites=zen.example:unlisted:0,bl.example:unlisted:0,list.dnswl.example:unlisted:0
	expect 192.0.2.20 $r score=-1 dnswl=-2 listed=0 allowlisted=1
	expect 192.0.2.30 $r complete=1 score=1 listed=0 allowlisted=0 noanswer=0
	expect 192.0.2.40 $r rdns=ok rdns_score=0 name=mail.good.test
	expect 192.0.2.41 $r rdns=dynamic rdns_score=3 \
	    name=dsl-192-0-2-41.dyn.isp.test score=3
	expect 192.0.2.42 $r rdns=none rdns_score=1 score=1
	expect 192.0.2.43 $r rdns=unconfirmed rdns_score=2 name=fake.good.test
	expect 192.0.2.44 $r rdns=ok name=mail-out1.pool.isp.test
	expect 2001:db8::25 $r complete=1 rdns=ok name=mail6.good.test
done

# Round 1 ends when everything has answered, not at the 3 s deadline.
ms=$(grep '^elapsed_ms=' "$OUT" | head -n 1 | cut -d= -f2)
[ "$ms" -lt 1500 ] || fail "round 1 took $ms ms: completion not seen"
counters=$(grep '^counters ' "$OUT")
q=$(echo "$counters" | sed 's/.* queries=\([0-9]*\).*/\1/')
hits=$(echo "$counters" | sed 's/.* cache_hits=\([0-9]*\).*/\1/')
# 10 addresses x 3 lists + 10 PTR + 5 forward names.
[ "$q" -eq 45 ] || fail "expected 45 queries, got $q: $counters"
[ "$hits" -ge 45 ] || fail "round 2 not from the cache: $counters"
case $counters in
*" timeouts=0 errors=0 garbage=0 "*) ;;
*) fail "unexpected failures: $counters" ;;
esac
echo "PASS: lists, allowlist, rdns facts, cache ($ms ms, $counters)"
