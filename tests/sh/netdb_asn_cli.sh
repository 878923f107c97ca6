# netdb_asn_cli.sh - AS numbers and owners from the command line: an asn
# CSV detected (and forced with --format asn) beside a country CSV and
# an RPSL dump, "lookup" as "ADDR CC ASN OWNER" and as --json (quotes
# and backslashes escaped, null for unknown), "info" and the build
# report counting each field, bad asn rows named with file and line
# (malformed, unterminated quote, owner over the limit, bad AS number),
# and a version 3 database refused with a message to rebuild it.
# "info" also lists each source with its rows per family and field.
. "$(dirname "$0")/../lib.sh"
need_cmd python3
[ -x "$GATEDB" ] || fail "$GATEDB not built"

printf '10.0.0.0,10.255.255.255,BR\n2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,DE\n' \
    >"$TMP/cc.csv"
cat >"$TMP/asn.csv" <<'CSV'
10.0.0.0,10.0.255.255,64500,"Telecom, ""Dynamic"" Pool \ BR"
11.0.0.0,11.0.0.255,AS64501,
2001:db8::,2001:db8::ffff,4294967295,Big Net
CSV
cat >"$TMP/ripe.db" <<'RPSL'
inetnum:  12.0.0.0 - 12.0.0.255
netname:  EXAMPLE-NET
descr:    Example dialup pool
descr:    second line
          continued
country:  AR
org:      ORG-EX1-RIPE
RPSL
ng_run "$GATEDB" build -o "$TMP/a.db" "$TMP/cc.csv" "$TMP/asn.csv" \
    "$TMP/ripe.db" >"$TMP/out" 2>&1 || fail "build: $(cat "$TMP/out")"
grep -q 'asn.csv: asn, 2 ipv4 rows, 1 ipv6 rows, 3 without country; with country/asn/owner: ipv4 0/2/1, ipv6 0/1/1$' \
    "$TMP/out" || fail "asn report: $(cat "$TMP/out")"
grep -q 'ripe.db: rpsl, 1 ipv4 rows, 0 ipv6 rows; with country/asn/owner: ipv4 1/0/1$' \
    "$TMP/out" || fail "rpsl report: $(cat "$TMP/out")"
grep -q '^AS numbers: 3$' "$TMP/out" || fail "AS count: $(cat "$TMP/out")"
grep -q '^owners: 3$' "$TMP/out" || fail "owner count: $(cat "$TMP/out")"

ng_run "$GATEDB" lookup "$TMP/a.db" 10.0.0.1 10.1.0.1 11.0.0.1 12.0.0.1 \
    2001:db8::1 2001:db8::1:0 9.9.9.9 >"$TMP/look" || fail "lookup"
cat >"$TMP/want" <<'OUT'
10.0.0.1 BR AS64500 Telecom, "Dynamic" Pool \ BR
10.1.0.1 BR -- --
11.0.0.1 -- AS64501 --
12.0.0.1 AR -- EXAMPLE-NET: Example dialup pool, second line continued (ORG-EX1-RIPE)
2001:db8::1 DE AS4294967295 Big Net
2001:db8::1:0 DE -- --
9.9.9.9 -- -- --
OUT
diff -u "$TMP/want" "$TMP/look" || fail "lookups"

# --json: before or after the database, from arguments or stdin.
printf '10.0.0.1\n9.9.9.9\n' | ng_run "$GATEDB" lookup "$TMP/a.db" --json \
    >"$TMP/json" || fail "lookup --json"
ng_run "$GATEDB" lookup --json "$TMP/a.db" 11.0.0.1 >>"$TMP/json" ||
    fail "lookup --json ADDR"
cat >"$TMP/want" <<'OUT'
{"addr":"10.0.0.1","country":"BR","asn":64500,"owner":"Telecom, \"Dynamic\" Pool \\ BR"}
{"addr":"9.9.9.9","country":null,"asn":null,"owner":null}
{"addr":"11.0.0.1","country":null,"asn":64501,"owner":null}
OUT
diff -u "$TMP/want" "$TMP/json" || fail "json lookups"
python3 -c 'import json, sys
[json.loads(l) for l in open(sys.argv[1])]' "$TMP/json" || fail "not JSON"

ng_run "$GATEDB" info "$TMP/a.db" >"$TMP/info" || fail "info"
for l in '^version: 4$' '^ipv4 ranges with: country 3, asn 2, owner 2$' \
    '^ipv6 ranges with: country 2, asn 1, owner 1$' '^countries: 3$' \
    '^AS numbers: 3$' '^owners: 3$' '^records: [0-9]* (32-bit slices)$' \
    '^source cc.csv: csv, ipv4 country/asn/owner 1/0/0, ipv6 country/asn/owner 1/0/0$' \
    '^source asn.csv: asn, ipv4 country/asn/owner 0/2/1, ipv6 country/asn/owner 0/1/1$' \
    '^source ripe.db: rpsl, ipv4 country/asn/owner 1/0/1, ipv6 country/asn/owner 0/0/0$'; do
	grep -q "$l" "$TMP/info" || fail "info lacks $l: $(cat "$TMP/info")"
done

# Forced format; a country CSV read as asn fails on its first line.
ng_run "$GATEDB" build --format asn -o "$TMP/b.db" "$TMP/asn.csv" \
    >"$TMP/out" 2>&1 || fail "--format asn: $(cat "$TMP/out")"
ng_run "$GATEDB" build --format asn -o "$TMP/c.db" "$TMP/cc.csv" \
    >"$TMP/out" 2>&1 && fail "country CSV accepted as asn"
grep -q "cc.csv:1: want start,end,asn,organisation" "$TMP/out" ||
    fail "forced asn: $(cat "$TMP/out")"

# Bad rows: file and line named, nothing written.
badrow() {	# row, message
	printf '1.0.0.0,1.0.0.255,1,ok\n%s\n' "$1" >"$TMP/bad.csv"
	ng_run "$GATEDB" build --format asn -o "$TMP/bad.db" "$TMP/bad.csv" \
	    >"$TMP/out" 2>&1 && fail "accepted: $1"
	grep -qF "$TMP/bad.csv:2: $2" "$TMP/out" || fail "$1: $(cat "$TMP/out")"
	[ -e "$TMP/bad.db" ] && fail "a database was written from: $1"
	return 0
}
badrow '1.0.1.0,1.0.1.255,7' 'want start,end,asn,organisation (3 fields)'
badrow '1.0.1.0,1.0.1.255,7,"Open, never closed' 'unterminated quote'
badrow '1.0.1.0,1.0.1.255,0,Zero' 'bad AS number "0"'
badrow '1.0.1.0,1.0.1.255,4294967296,Big' 'bad AS number "4294967296"'
badrow "1.0.1.0,1.0.1.255,7,$(printf '%0300d' 0)" \
    'organisation longer than the limit (300 bytes, at most 255)'
# --lenient skips and counts them.
printf '1.0.0.0,1.0.0.255,1,ok\n1.0.1.0,1.0.1.255,0,Zero\n' >"$TMP/bad.csv"
ng_run "$GATEDB" build --lenient -o "$TMP/l.db" "$TMP/bad.csv" >"$TMP/out" 2>&1 ||
    fail "--lenient: $(cat "$TMP/out")"
grep -q 'asn, 1 ipv4 rows, 0 ipv6 rows, 1 without country, 1 bad lines skipped' \
    "$TMP/out" || fail "lenient: $(cat "$TMP/out")"

# A version 3 database: refused, with what to do.
python3 - "$TMP/a.db" "$TMP/v3.db" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("=I", b, 8, 3)
open(sys.argv[2], "wb").write(b)
PY
ng_run "$GATEDB" lookup "$TMP/v3.db" 10.0.0.1 >"$TMP/out" 2>&1 && fail "v3 used"
grep -q "$TMP/v3.db: database version 3 is older than this program's 4: rebuild it with nfq-gate-db build" \
    "$TMP/out" || fail "v3: $(cat "$TMP/out")"
exit 0
