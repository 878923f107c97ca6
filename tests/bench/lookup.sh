#!/bin/sh
# tests/bench/lookup.sh - the country database: lookups/s against a
# binary search over the same ranges and against libmaxminddb on the MMDB
# edition of the same data, then build time, open time and file size.
# With the shared asn data: a database of country + AS number + owner
# (the same country rows plus both asn CSVs) beside the country one, on
# the same addresses in the same run: size, open time, lookups/s.
#
# NG_BENCH_LOOKUPS  addresses per family (default 10,000,000)

. "$(dirname "$0")/bench.sh"

N=${NG_BENCH_LOOKUPS:-10000000}

if [ ! -d "$WHOIS" ]; then
	for w in "IPv4 lookups/s" "IPv6 lookups/s" "database build" \
	    "database open" "database size"; do
		na "$w" "no shared whois data in $NFQG_SHARED_DATA" ""
	done
	exit 0
fi
have "$GATEDB" && have "$BENCH/lookup_bench" || {
	na "lookups" "nfq-gate-db or lookup_bench not built" ""
	exit 0
}

# Build: best of three, against reading the same CSVs once (the floor
# for any builder that has to look at every row).
V4="$WHOIS/geo-whois-asn-country-ipv4.csv"
V6="$WHOIS/geo-whois-asn-country-ipv6.csv"
MMDB="$WHOIS/geo-whois-asn-country.mmdb"
best= bestcat=
for i in 1 2 3; do
	t0=$(now)
	"$GATEDB" build -o "$TMP/db" "$V4" "$V6" >"$TMP/build.log" 2>&1 ||
	    { cat "$TMP/build.log" >&2; na "database build" "build failed" "< 1 s"; exit 0; }
	t=$(elapsed "$t0")
	t0=$(now)
	cat "$V4" "$V6" | wc -l >/dev/null
	c=$(elapsed "$t0")
	best=$(min "$best" "$t")
	bestcat=$(min "$bestcat" "$c")
done
say "build: $best s, reading the CSVs: $bestcat s"

"$BENCH/lookup_bench" "$TMP/db" "$MMDB" "$N" >"$TMP/lk" || {
	na "lookups" "lookup_bench failed" ""
	exit 0
}
cat "$TMP/lk" >&2
v() { kv "$1" <"$TMP/lk"; }

for f in 4 6; do
	ours=$(v v${f}_ours) bs=$(v v${f}_bsearch) mm=$(v v${f}_mmdb)
	goal=100000000 gtext="≥ 100 M/s"
	[ $f = 6 ] && goal=40000000 gtext="≥ 40 M/s"
	row "IPv$f lookups/s ($(human "$N") addresses) vs binary search" \
	    "$(human "$ours")/s" "$(human "$bs")/s" "$(ratio "$ours" "$bs")" \
	    "$(goal_ge "$ours" $goal "$gtext")"
	row "IPv$f lookups/s vs libmaxminddb (answers differ: $(v v${f}_differ_mmdb))" \
	    "$(human "$ours")/s" "$(human "$mm")/s" "$(ratio "$ours" "$mm")" \
	    "$(goal_ge "$ours" $goal "$gtext")"
done
rows=$(($(wc -l <"$V4") + $(wc -l <"$V6")))
row "database build ($(human $rows) CSV rows) vs reading the CSVs" \
    "$best s" "$bestcat s" "$(ratio "$best" "$bestcat")" "$(goal_le "$best" 1 "< 1 s")"
row "database open (read into memory + full validation) vs MMDB_open" \
    "$(v open_ms) ms" "$(v mmdb_open_ms) ms" \
    "$(ratio "$(v open_ms)" "$(v mmdb_open_ms)")" "$(goal_le "$(v open_ms)" 20 "< 20 ms")"
sz=$(stat -c %s "$TMP/db") mmsz=$(stat -c %s "$MMDB")
row "database size vs the MMDB file" "$(calc "$sz / 1048576") MB" \
    "$(calc "$mmsz / 1048576") MB" "$(ratio "$sz" "$mmsz")" \
    "$(goal_le "$(calc "$sz / 1048576")" 8 "≤ 8 MB")"

# Country + AS number + owner against country alone.
ASN="$NFQG_SHARED_DATA/asn"
if [ ! -f "$ASN/asn-ipv4.csv" ] || [ ! -f "$ASN/asn-ipv6.csv" ]; then
	na "country+ASN+owner database" "no shared asn data in $NFQG_SHARED_DATA" ""
	exit 0
fi
"$GATEDB" build -o "$TMP/full.db" "$V4" "$V6" "$ASN/asn-ipv4.csv" \
    "$ASN/asn-ipv6.csv" >"$TMP/build.log" 2>&1 || {
	cat "$TMP/build.log" >&2
	na "country+ASN+owner database" "build failed" ""
	exit 0
}
"$BENCH/lookup_bench" --where "$TMP/db" "$TMP/full.db" "$N" >"$TMP/wk" || {
	na "country+ASN+owner lookups" "lookup_bench --where failed" ""
	exit 0
}
cat "$TMP/wk" >&2
w() { kv "$1" <"$TMP/wk"; }
fsz=$(stat -c %s "$TMP/full.db")
row "database size: country+ASN+owner ($(grep '^owners:' "$TMP/build.log" | \
    sed 's/owners: //') owners) vs country alone" "$(calc "$fsz / 1048576") MB" \
    "$(calc "$sz / 1048576") MB" "$(ratio "$fsz" "$sz")" \
    "$(goal_le "$(calc "$fsz / 1048576")" 24 "≤ 24 MB")"
row "database open: country+ASN+owner vs country alone" \
    "$(w full_open_ms) ms" "$(w cc_open_ms) ms" \
    "$(ratio "$(w full_open_ms)" "$(w cc_open_ms)")" \
    "$(goal_le "$(w full_open_ms)" 100 "< 100 ms")"
for f in 4 6; do
	row "IPv$f lookups/s: country+ASN+owner (full db) vs country alone (country db)" \
	    "$(human "$(w w${f}_full_find)")/s" "$(human "$(w w${f}_cc)")/s" \
	    "$(ratio "$(w w${f}_full_find)" "$(w w${f}_cc)")" \
	    "$(goal_ge "$(w w${f}_full_find)" $((f == 4 ? 20000000 : 10000000)) \
	    "≥ $((f == 4 ? 20 : 10)) M/s")"
	row "IPv$f lookups/s: country alone, full db vs country db (answers differ: $(w w${f}_differ))" \
	    "$(human "$(w w${f}_full_cc)")/s" "$(human "$(w w${f}_cc)")/s" \
	    "$(ratio "$(w w${f}_full_cc)" "$(w w${f}_cc)")" ""
done
