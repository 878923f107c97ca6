#!/bin/sh
# dns_faults.sh - DNS servers that fail: the deadline holds, results say
# "no answer", the counters count, nothing crashes.
#
# tests/helpers/dns_fault.py in a namespace plays four resolvers on
# 127.0.0.1: one that never answers, one that answers random bytes (the
# id never matches, so c-ares keeps waiting and times out), one whose
# answer record runs past the reply's end (garbage) and one that sets
# TC and cuts its record (truncated; TCP fallback is off).  dns_probe
# looks three clients up against each (two lists and rDNS: 9 queries);
# then eight against a 16-entry table while nothing answers.

. "$(dirname "$0")/../lib.sh"
need_root
. "$NG_ROOT/tests/netns.sh"
ngt_need_dns_probe
need_cmd python3

FAULT_PIDS=
cleanup() {
	rc=$?
	for p in $FAULT_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	(exit $rc)
	ngt_cleanup
}
ngt_init
trap cleanup EXIT
ngt_ns_add "$NGT_CLI"

port=5300
for mode in drop junk garbage truncated; do
	port=$((port + 1))
	ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/dns_fault.py" \
	    127.0.0.1 $port $mode >"$NGT_DIR/$mode.log" 2>&1 &
	FAULT_PIDS="$FAULT_PIDS $!"
	n=0
	until grep -q ready "$NGT_DIR/$mode.log" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || { cat "$NGT_DIR/$mode.log" >&2; fail "$mode server"; }
		sleep 0.1
	done
done

# probe MODE PORT TIMEOUT DEADLINE_MS: the probe's output in $OUT.
probe() {
	cat >"$NGT_DIR/$1.conf" <<CONF
dnsbl_sites = zen.example*3, list.dnswl.example*-2
rdns_none_weight = 1
dns_servers = 127.0.0.1:$2
dns_timeout = $3
CONF
	OUT=$NGT_DIR/$1.out
	ngt_in "$NGT_CLI" "$PROBE" $SANDBOX -c "$NGT_DIR/$1.conf" -t "$4" \
	    192.0.2.10 192.0.2.11 2001:db8::5 >"$OUT" 2>&1 ||
	    { cat "$OUT" >&2; fail "$1: dns_probe failed (crash?)"; }
	[ "$(grep -c '^addr=' "$OUT")" -eq 3 ] || { cat "$OUT" >&2; fail "$1: lines"; }
}

# field NAME: the counter NAME of $OUT.
field() {
	sed -n "s/^counters.* $1=\([0-9]*\).*/\1/p" "$OUT"
}

# Every client: nothing known, sites and rDNS "no answer", score 0.
all_noanswer() {	# mode
	grep '^addr=' "$OUT" | while read -r line; do
		for f in score=0 rdns=noanswer listed=0 allowlisted=0 \
		    sites=zen.example:noanswer:0,list.dnswl.example:noanswer:0; do
			case " $line " in *" $f "*) ;;
			*) fail "$1: want $f in: $line" ;; esac
		done
	done || exit 1
}

# Never answers; c-ares would wait 10 s, the caller stops at 1 s.
probe drop 5301 10s 1000
all_noanswer drop
ms=$(sed -n 's/^elapsed_ms=//p' "$OUT")
[ "$ms" -ge 900 ] && [ "$ms" -lt 1600 ] || fail "drop: deadline 1000 ms, took $ms"
grep -q '^addr=.* complete=0 ' "$OUT" || fail "drop: a result says complete"
[ "$(field unanswered)" -eq 3 ] || fail "drop: unanswered: $(grep counters "$OUT")"
echo "drop: $ms ms, $(grep counters "$OUT")"

# A table of 16 entries, all pending: the 8 queries past it are
# dropped (counted), never waited for, and the deadline still holds.
cat >"$NGT_DIR/small.conf" <<CONF
dnsbl_sites = zen.example*3, list.dnswl.example*-2
rdns_none_weight = 1
dns_servers = 127.0.0.1:5301
dns_timeout = 10s
dns_cache_max = 16
CONF
OUT=$NGT_DIR/small.out
ngt_in "$NGT_CLI" "$PROBE" $SANDBOX -c "$NGT_DIR/small.conf" -t 500 \
    192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 \
    192.0.2.7 192.0.2.8 >"$OUT" 2>&1 || { cat "$OUT" >&2; fail "small: probe"; }
[ "$(field queries)" -eq 16 ] && [ "$(field dropped)" -eq 8 ] ||
    fail "small table: $(grep counters "$OUT")"
ms=$(sed -n 's/^elapsed_ms=//p' "$OUT")
[ "$ms" -lt 1000 ] || fail "small table: took $ms ms"
echo "small table: $(grep counters "$OUT")"

# Random bytes: ignored by c-ares, the query times out (300 ms).
probe junk 5302 300ms 1500
all_noanswer junk
[ "$(field timeouts)" -eq 9 ] || fail "junk: timeouts: $(grep counters "$OUT")"
ms=$(sed -n 's/^elapsed_ms=//p' "$OUT")
[ "$ms" -lt 1400 ] || fail "junk: took $ms ms, timeouts not seen"
echo "junk: $ms ms, $(grep counters "$OUT")"

probe garbage 5303 1s 1500
all_noanswer garbage
[ "$(field garbage)" -eq 9 ] || fail "garbage: $(grep counters "$OUT")"
grep -q '^addr=.* complete=1 ' "$OUT" || fail "garbage: not complete"
echo "garbage: $(grep counters "$OUT")"

probe truncated 5304 1s 1500
all_noanswer truncated
[ "$(field truncated)" -eq 9 ] || fail "truncated: $(grep counters "$OUT")"
[ "$(field answers)" -eq 0 ] || fail "truncated: $(grep counters "$OUT")"
echo "truncated: $(grep counters "$OUT")"
echo "PASS: deadlines hold, failures counted, no crash"
