# netdb_cli.sh - nfq-gate-db build/lookup/info from the command line:
# the sample CSV (the default database without shared data), lookups
# from arguments and from stdin in bulk, bad address lines, bad input
# files named with their line, --lenient, --format, atomic output, and
# a damaged database refused with its name.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATEDB" ] || fail "$GATEDB not built"
CSV="$NG_ROOT/rules/netblocks-sample.csv"

ng_run "$GATEDB" build -o "$TMP/s.db" "$CSV" >"$TMP/out" 2>&1 ||
    fail "build sample: $(cat "$TMP/out")"
grep -q '^ipv4: 42 rows, 9 overlaps resolved' "$TMP/out" || fail "counts: $(cat "$TMP/out")"
ng_run "$GATEDB" lookup "$TMP/s.db" 1.0.1.5 1.0.0.255 1.0.1.0 1.0.3.255 1.0.4.0 \
    240e::5 240e:fff:ffff:ffff:ffff:ffff:ffff:ffff 240e:1000:: \
    198.51.100.10 203.0.113.25 2001:db8:1::10 91.108.4.1 91.108.5.1 \
    >"$TMP/look" || fail "lookup"
cat >"$TMP/want" <<'OUT'
1.0.1.5 CN -- --
1.0.0.255 AU -- --
1.0.1.0 CN -- --
1.0.3.255 CN -- --
1.0.4.0 AU -- --
240e::5 CN -- --
240e:fff:ffff:ffff:ffff:ffff:ffff:ffff CN -- --
240e:1000:: -- -- --
198.51.100.10 -- -- --
203.0.113.25 -- -- --
2001:db8:1::10 -- -- --
91.108.4.1 NL -- --
91.108.5.1 GB -- --
OUT
diff -u "$TMP/want" "$TMP/look" || fail "sample lookups"

# Bulk from stdin: bad lines named on stderr, the rest answered, exit 1.
python3 - "$TMP/in" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(200000):
        if i == 1000:
            f.write("not-an-address\n")
        elif i % 2:
            f.write("%d.%d.%d.%d\n" % tuple(random.randrange(256) for _ in range(4)))
        else:
            f.write("240e:%x::%x\n" % (random.randrange(0x2000), i % 65536))
    f.write("  1.0.1.5  \n\n# comment\n1.0.0.1")
PY
ng_run "$GATEDB" lookup "$TMP/s.db" <"$TMP/in" >"$TMP/bulk" 2>"$TMP/err"
[ $? -eq 1 ] || fail "a bad line must make lookup exit 1"
grep -q 'stdin:1001: bad address "not-an-address"' "$TMP/err" || fail "stderr: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/bulk")" -eq 200001 ] || fail "answers: $(wc -l <"$TMP/bulk")"
tail -2 "$TMP/bulk" | diff -u - /dev/stdin <<'OUT' || fail "last lines"
1.0.1.5 CN -- --
1.0.0.1 AU -- --
OUT
grep -c ' CN -- --$' "$TMP/bulk" | awk '$1 < 50000 { exit 1 }' || fail "240e:0xxx:: not CN"

# info
ng_run "$GATEDB" info "$TMP/s.db" >"$TMP/info" || fail "info"
grep -q '^version: 4$' "$TMP/info" || fail "info: $(cat "$TMP/info")"
grep -q '^ranges: ipv4 49, ipv6 16$' "$TMP/info" || fail "info ranges: $(cat "$TMP/info")"
grep -q '^countries: 15$' "$TMP/info" || fail "info countries"
grep -q '^checksum: crc32 [0-9a-f]\{8\}$' "$TMP/info" || fail "info checksum"

# Bad input: the file and line named, nothing written; --lenient goes on.
printf '1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.1.999,CN\n' >"$TMP/bad.csv"
ng_run "$GATEDB" build -o "$TMP/bad.db" "$TMP/bad.csv" >"$TMP/out" 2>&1 &&
    fail "bad input accepted"
grep -q "$TMP/bad.csv:2: bad end address" "$TMP/out" || fail "error: $(cat "$TMP/out")"
[ -e "$TMP/bad.db" ] && fail "a database was written from bad input"
ls "$TMP" | grep -q 'tmp' && fail "temporary file left behind"
ng_run "$GATEDB" build --lenient -o "$TMP/bad.db" "$TMP/bad.csv" >"$TMP/out" 2>&1 ||
    fail "--lenient: $(cat "$TMP/out")"
grep -q '1 ipv4 rows, 0 ipv6 rows, 1 bad lines skipped' "$TMP/out" || fail "lenient: $(cat "$TMP/out")"

# --format forces a reader.
ng_run "$GATEDB" build --format rir -o "$TMP/x.db" "$CSV" >"$TMP/out" 2>&1 &&
    fail "CSV read as RIR"
grep -q "netblocks-sample.csv:10: " "$TMP/out" || fail "forced format error: $(cat "$TMP/out")"

# Later source wins for the same range; the output is replaced whole.
printf '1.0.1.0,1.0.3.255,HK\n' >"$TMP/hk.csv"
ng_run "$GATEDB" build -o "$TMP/s.db" "$CSV" "$TMP/hk.csv" >/dev/null 2>&1 || fail "two sources"
[ "$(ng_run "$GATEDB" lookup "$TMP/s.db" 1.0.1.5)" = "1.0.1.5 HK -- --" ] || fail "later source"

# GeoLite2: the locations file paired with the blocks in any order, or
# named with --locations; IP2Location and RPSL detected by content.
cat >"$TMP/GeoLite2-Country-Locations-en.csv" <<'EOF2'
geoname_id,locale_code,continent_code,continent_name,country_iso_code,country_name,is_in_european_union
1814991,en,AS,Asia,CN,China,0
2077456,en,OC,Oceania,AU,Australia,0
EOF2
cat >"$TMP/GeoLite2-Country-Blocks-IPv4.csv" <<'EOF2'
network,geoname_id,registered_country_geoname_id,represented_country_geoname_id,is_anonymous_proxy,is_satellite_provider
1.0.0.0/24,2077456,2077456,,0,0
1.0.1.0/24,1814991,1814991,,0,0
EOF2
cat >"$TMP/GeoLite2-Country-Blocks-IPv6.csv" <<'EOF2'
network,geoname_id,registered_country_geoname_id,represented_country_geoname_id,is_anonymous_proxy,is_satellite_provider
240e::/20,,1814991,,0,0
EOF2
printf '"16777216","16777471","US","United States of America"\n' >"$TMP/ip2l.csv"
printf 'inetnum: 1.0.2.0 - 1.0.2.255\ncountry: JP\n\ninet6num: 2a02:6b8::/32\ncountry: RU\n' >"$TMP/ripe.db"
ng_run "$GATEDB" build -o "$TMP/g.db" "$TMP/GeoLite2-Country-Blocks-IPv4.csv" \
    "$TMP/GeoLite2-Country-Locations-en.csv" "$TMP/GeoLite2-Country-Blocks-IPv6.csv" \
    "$TMP/ip2l.csv" "$TMP/ripe.db" >"$TMP/out" 2>&1 || fail "geolite pair: $(cat "$TMP/out")"
grep -q 'Locations-en.csv: geolite2-locations, 0 ipv4 rows, 0 ipv6 rows, 2 locations' "$TMP/out" ||
    fail "locations: $(cat "$TMP/out")"
grep -q 'ip2l.csv: ip2location, 1 ipv4 rows' "$TMP/out" || fail "ip2l: $(cat "$TMP/out")"
grep -q 'ripe.db: rpsl, 1 ipv4 rows, 1 ipv6 rows' "$TMP/out" || fail "rpsl: $(cat "$TMP/out")"
ng_run "$GATEDB" lookup "$TMP/g.db" 1.0.0.1 1.0.1.1 1.0.2.1 240e::1 2a02:6b8::1 \
    >"$TMP/look" || fail "lookup g.db"
printf '1.0.0.1 US -- --\n1.0.1.1 CN -- --\n1.0.2.1 JP -- --\n240e::1 CN -- --\n2a02:6b8::1 RU -- --\n' |
    diff -u - "$TMP/look" || fail "geolite/ip2l/rpsl lookups"
ng_run "$GATEDB" build -o "$TMP/g2.db" --locations "$TMP/GeoLite2-Country-Locations-en.csv" \
    --format geolite2 "$TMP/GeoLite2-Country-Blocks-IPv4.csv" >"$TMP/out" 2>&1 ||
    fail "--locations: $(cat "$TMP/out")"
[ "$(ng_run "$GATEDB" lookup "$TMP/g2.db" 1.0.1.1)" = "1.0.1.1 CN -- --" ] || fail "--locations lookup"
ng_run "$GATEDB" build -o "$TMP/g3.db" "$TMP/GeoLite2-Country-Blocks-IPv4.csv" \
    >"$TMP/out" 2>&1 && fail "blocks without locations accepted"
grep -q 'Blocks-IPv4.csv:2: no locations file' "$TMP/out" || fail "no locations: $(cat "$TMP/out")"

# A damaged database: refused with its name, never a crash.
cp "$TMP/s.db" "$TMP/d.db"
printf 'X' | dd of="$TMP/d.db" bs=1 seek=300 conv=notrunc 2>/dev/null
ng_run "$GATEDB" lookup "$TMP/d.db" 1.0.1.5 >"$TMP/out" 2>&1 && fail "damaged db used"
grep -q "$TMP/d.db: checksum mismatch" "$TMP/out" || fail "damage: $(cat "$TMP/out")"
head -c 1000 "$TMP/s.db" >"$TMP/t.db"
ng_run "$GATEDB" info "$TMP/t.db" >"$TMP/out" 2>&1 && fail "truncated db used"
grep -q "$TMP/t.db: truncated" "$TMP/out" || fail "truncation: $(cat "$TMP/out")"
ng_run "$GATEDB" lookup "$TMP/none.db" 1.2.3.4 >"$TMP/out" 2>&1 && fail "missing db"
grep -q "$TMP/none.db: No such file" "$TMP/out" || fail "missing: $(cat "$TMP/out")"
exit 0
