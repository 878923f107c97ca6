# netdb_mmdb.sh - our database against libmaxminddb on the same data.
#
# geo-whois-asn-country ships the same rows as two CSVs and an MMDB.  We
# build our database from the CSVs and compare lookups on >= 1M random
# IPv4 and 1M IPv6 addresses, every row boundary +-1 and every nested
# row (tests/helpers/mmdb_compare.c).
#
# The MMDB applies rows in file order (a later row overrides), so with
# "--overlap last" not one address may differ.  Our default rule (the
# most specific row wins) agrees everywhere except where the upstream CSV
# lists a narrower block before a wider one with the same start; there
# are exactly two such pairs, and only their addresses may differ.
. "$(dirname "$0")/../lib.sh"
need_shared geo-whois-asn-country
G="$NFQG_SHARED_DATA/geo-whois-asn-country"
CMP="$NG_BUILD/tests/helpers/mmdb_compare"
[ -x "$GATEDB" ] || fail "$GATEDB not built"
[ -x "$CMP" ] || fail "$CMP not built"
command -v mmdblookup >/dev/null || skip "mmdblookup (mmdb-bin) absent"

# The MMDB's record layout: the country is the "country_code" field.
mmdblookup --file "$G/geo-whois-asn-country.mmdb" --ip 1.0.1.5 \
    country_code | grep -q '"CN"' || fail "MMDB has no country_code for 1.0.1.5"

ng_run "$GATEDB" build --overlap last -o "$TMP/last.db" \
    "$G/geo-whois-asn-country-ipv4.csv" "$G/geo-whois-asn-country-ipv6.csv" \
    >"$TMP/build.out" 2>&1 || fail "build: $(cat "$TMP/build.out")"
cat "$TMP/build.out"
grep -q '^ipv4: 334373 rows, 6825 overlaps resolved' "$TMP/build.out" ||
    fail "IPv4 row/overlap counts"
grep -q '^ipv6: 216295 rows, 703 overlaps resolved' "$TMP/build.out" ||
    fail "IPv6 row/overlap counts"

start=$(date +%s)
"$CMP" "$TMP/last.db" "$G/geo-whois-asn-country.mmdb" \
    "$G/geo-whois-asn-country-ipv4.csv" "$G/geo-whois-asn-country-ipv6.csv" \
    1000000 1000000 >"$TMP/cmp.out" 2>"$TMP/cmp.err"
rc=$?
cat "$TMP/cmp.out"
[ $rc -eq 0 ] || fail "disagreements with libmaxminddb: $(head -20 "$TMP/cmp.err")"
grep -q '^total: 0 disagreements, 0 mmdb errors' "$TMP/cmp.out" ||
    fail "no clean total line"
echo "compare took $(( $(date +%s) - start ))s"

# The default rule: only the two known upstream pairs may differ.
ng_run "$GATEDB" build -o "$TMP/specific.db" \
    "$G/geo-whois-asn-country-ipv4.csv" "$G/geo-whois-asn-country-ipv6.csv" \
    >/dev/null 2>&1 || fail "build with the default rule"
MMDB_COMPARE_ALL=1 "$CMP" "$TMP/specific.db" "$G/geo-whois-asn-country.mmdb" \
    "$G/geo-whois-asn-country-ipv4.csv" "$G/geo-whois-asn-country-ipv6.csv" \
    100000 100000 >"$TMP/spec.out" 2>"$TMP/spec.err"
grep '^total' "$TMP/spec.out"
grep -q '^DISAGREE' "$TMP/spec.err" || fail "expected the known upstream pairs to differ"
grep '^DISAGREE' "$TMP/spec.err" | grep -Ev \
    '^DISAGREE (210\.57\.31\.[0-9]+: ours TW, mmdb VN|209\.170\.81\.(3[2-9]|[45][0-9]|6[0-3]): ours MX, mmdb US)$' \
    >"$TMP/unexpected"
[ -s "$TMP/unexpected" ] && fail "unexpected disagreements: $(head "$TMP/unexpected")"
"$GATEDB" lookup "$TMP/specific.db" 209.170.81.40 210.57.31.7 209.170.81.70 \
    >"$TMP/l1" || fail "lookup"
printf '209.170.81.40 MX -- --\n210.57.31.7 TW -- --\n209.170.81.70 US -- --\n' | diff -u - "$TMP/l1" ||
    fail "most specific row does not win"
"$GATEDB" lookup "$TMP/last.db" 209.170.81.40 210.57.31.7 >"$TMP/l2" || fail "lookup"
printf '209.170.81.40 US -- --\n210.57.31.7 VN -- --\n' | diff -u - "$TMP/l2" ||
    fail "later row does not win with --overlap last"
exit 0
