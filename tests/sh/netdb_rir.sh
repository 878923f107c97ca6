# netdb_rir.sh - build the real RIR delegated-extended files (AFRINIC,
# LACNIC) after checking their .md5, then check the reported counts
# (rows per family and source, statuses skipped) and known lookups,
# among them a non-power-of-two IPv4 count and a reserved gap.
. "$(dirname "$0")/../lib.sh"
need_shared rir
R="$NFQG_SHARED_DATA/rir"
[ -x "$GATEDB" ] || fail "$GATEDB not built"

# The RIRs' checksums: "MD5 (file) = hash", no trailing newline.
for f in delegated-afrinic-extended-latest delegated-lacnic-extended-latest; do
	want=$(sed -n 's/^MD5 (.*) = \([0-9a-f]\{32\}\).*/\1/p' "$R/$f.md5")
	got=$(md5sum <"$R/$f" | cut -d' ' -f1)
	[ -n "$want" ] || fail "$f.md5: no checksum in it"
	[ "$want" = "$got" ] || fail "$f: md5 $got, the RIR says $want"
done

ng_run "$GATEDB" build -o "$TMP/rir.db" "$R/delegated-afrinic-extended-latest" \
    "$R/delegated-lacnic-extended-latest" >"$TMP/out" 2>&1 ||
    fail "build: $(cat "$TMP/out")"
cat "$TMP/out"
expect() { grep -qF "$1" "$TMP/out" || fail "build report lacks: $1"; }
expect "delegated-afrinic-extended-latest: rir, 4621 ipv4 rows, 1268 ipv6 rows; skipped: reserved 3425, available 2379"
expect "delegated-lacnic-extended-latest: rir, 19089 ipv4 rows, 12302 ipv6 rows; skipped: reserved 14119, available 26606"
expect "ipv4: 23710 rows, 0 overlaps resolved"
expect "ipv6: 13570 rows, 0 overlaps resolved"
expect "countries: 87"

# 164.146.0.0 has 393216 addresses (six /16s), 24.152.20.0/22 is reserved.
ng_run "$GATEDB" lookup "$TMP/rir.db" 41.0.0.0 41.31.255.255 41.32.0.0 \
    164.146.0.0 164.151.255.255 164.152.0.0 24.152.19.255 24.152.20.0 \
    24.152.24.0 2001:4200::1 2001:1200:ffff:ffff:ffff:ffff:ffff:ffff \
    1.0.1.5 >"$TMP/look" || fail "lookup exited $?"
cat >"$TMP/want" <<'OUT'
41.0.0.0 ZA -- --
41.31.255.255 ZA -- --
41.32.0.0 EG -- --
164.146.0.0 ZA -- --
164.151.255.255 ZA -- --
164.152.0.0 -- -- --
24.152.19.255 BR -- --
24.152.20.0 -- -- --
24.152.24.0 BR -- --
2001:4200::1 ZA -- --
2001:1200:ffff:ffff:ffff:ffff:ffff:ffff MX -- --
1.0.1.5 -- -- --
OUT
diff -u "$TMP/want" "$TMP/look" || fail "lookups"

ng_run "$GATEDB" info "$TMP/rir.db" >"$TMP/info" || fail "info"
grep -q '^ranges: ipv4 10254, ipv6 13162$' "$TMP/info" || fail "info: $(cat "$TMP/info")"
grep -q '^countries: 87$' "$TMP/info" || fail "info countries"

# gzip'ed input reads the same.
gzip -c "$R/delegated-afrinic-extended-latest" >"$TMP/afrinic.gz"
ng_run "$GATEDB" build -o "$TMP/gz.db" "$TMP/afrinic.gz" >"$TMP/gzout" 2>&1 ||
    fail "build from gzip: $(cat "$TMP/gzout")"
grep -q 'rir, 4621 ipv4 rows, 1268 ipv6 rows' "$TMP/gzout" || fail "gzip counts"
exit 0
