# export_cli.sh - nfq-gate-db export's command line and output file:
# bad options and databases are refused with a message and exit 64 (EX_USAGE) or 1,
# -o replaces the target only when the export succeeded (temp file and
# rename: never a partial file, no temp left behind), stdout and -o give
# the same bytes, and the nft and ipset files carry the set names and
# the create-then-swap sequence the loaders need.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATEDB" ] || fail "$GATEDB not built"
SAMPLE=${NG_EXPORT_SAMPLE:-$NG_ROOT/rules/netblocks-sample.csv}
ng_run "$GATEDB" build -o "$TMP/s.db" "$SAMPLE" >"$TMP/log" 2>&1 ||
    fail "build sample: $(cat "$TMP/log")"
DB="$TMP/s.db"
mkdir "$TMP/out"
OUT="$TMP/out/geo.nft"
echo "previous contents" >"$OUT"

refused() {	# exit-code pattern args...
	code=$1 pat=$2; shift 2
	ng_run "$GATEDB" export -o "$OUT" "$@" >"$TMP/so" 2>"$TMP/se"
	rc=$?
	[ "$rc" = "$code" ] || fail "export $*: exit $rc, want $code"
	grep -q -- "$pat" "$TMP/se" || fail "export $*: no \"$pat\" in: $(cat "$TMP/se")"
	[ "$(cat "$OUT")" = "previous contents" ] || fail "export $*: -o target changed"
	[ "$(ls "$TMP/out")" = geo.nft ] || fail "export $*: left $(ls "$TMP/out")"
}
refused 64 "no --format" "$DB"
refused 64 "no database" --format nft
refused 64 "want nft, ipset, cidr or ranges" "$DB" --format pf
refused 64 "bad country code" "$DB" --format nft --countries CN,R
refused 64 "bad country code" "$DB" --format nft --countries CN,
refused 64 "bad country code" "$DB" --format nft --countries 1N
refused 64 "bad country code" "$DB" --format nft --except CHN
refused 64 "once" "$DB" --format nft --countries CN --except RU
refused 64 "want 4 or 6" "$DB" --format nft --family 5
refused 64 "--name" "$DB" --format nft --name 'a-b'
refused 64 "--name" "$DB" --format nft --name '9a'
refused 64 "--name" "$DB" --format nft --name abcdefghijklmnopqrstuvwxyz0
refused 64 "--table" "$DB" --format nft --table 'x;flush ruleset'
refused 64 "unknown option" "$DB" --format nft --bogus 1
refused 64 "missing its value" "$DB" --format
refused 64 "one database" "$DB" "$DB" --format nft
refused 1 "nope.db" "$TMP/nope.db" --format nft
echo "not a database" >"$TMP/junk.db"
refused 1 "junk.db" "$TMP/junk.db" --format nft
"$GATEDB" export --help >/dev/null 2>"$TMP/se" || fail "--help exit"
grep -q usage "$TMP/se" || fail "--help prints no usage"

# Success: -o and stdout agree, the target is replaced, nothing is left.
ng_run "$GATEDB" export "$DB" --format nft --countries cn,RU -o "$OUT" ||
    fail "export -o"
ng_run "$GATEDB" export "$DB" --format=nft --countries=CN,RU >"$TMP/so" ||
    fail "export to stdout"
cmp -s "$OUT" "$TMP/so" || fail "-o and stdout differ"
[ "$(ls "$TMP/out")" = geo.nft ] || fail "left $(ls "$TMP/out")"
[ "$(stat -c %a "$OUT")" = 644 ] || fail "mode $(stat -c %a "$OUT")"
# An unwritable directory fails without touching anything.
if [ "$(id -u)" != 0 ]; then
	chmod 555 "$TMP/out"
	refused 1 "" "$DB" --format nft
	chmod 755 "$TMP/out"
fi
ng_run "$GATEDB" export "$DB" --format nft -o "$TMP/nodir/x.nft" 2>"$TMP/se" &&
    fail "export into a missing directory succeeded"

# The nft file: table, sets, flush, then elements; names from options.
grep -q '^add table inet nfq_geo$' "$OUT" || fail "nft: no add table"
grep -q '^add set inet nfq_geo geo4 { type ipv4_addr; flags interval; }$' \
    "$OUT" || fail "nft: geo4 declaration"
grep -q '^add set inet nfq_geo geo6 { type ipv6_addr; flags interval; }$' \
    "$OUT" || fail "nft: geo6 declaration"
awk '/^flush set inet nfq_geo geo4$/ { f = NR }
    /^add element inet nfq_geo geo4 / { a = NR }
    END { exit !(f && a > f) }' "$OUT" || fail "nft: flush must come before add"
ng_run "$GATEDB" export "$DB" --format nft --name blk --table t2 \
    --countries CN >"$TMP/n" || fail "--name"
grep -q '^add set inet t2 blk4 ' "$TMP/n" && grep -q '^flush set inet t2 blk6$' \
    "$TMP/n" || fail "--name/--table not used"
grep -q 'nfq_geo\|geo' "$TMP/n" && fail "default names left in"

# The ipset file: create NAME-new, add, create NAME -exist, swap, destroy.
ng_run "$GATEDB" export "$DB" --format ipset --countries CN >"$TMP/i" ||
    fail "ipset export"
grep -v '^add ' "$TMP/i" | grep geo4 >"$TMP/i4"
cat >"$TMP/want4" <<'EOF'
create geo4-new hash:net family inet hashsize 1024 maxelem 65536 -exist
flush geo4-new
create geo4 hash:net family inet hashsize 1024 maxelem 65536 -exist
swap geo4-new geo4
destroy geo4-new
EOF
diff -u "$TMP/want4" "$TMP/i4" || fail "ipset geo4 command sequence"
grep -q '^create geo6-new hash:net family inet6 ' "$TMP/i" || fail "ipset geo6"
awk '/^add geo4-new / { a = NR } /^swap geo4-new geo4$/ { s = NR }
    END { exit !(a && s > a) }' "$TMP/i" || fail "ipset: adds after swap"

# --family picks one set; cidr has no comments or blank lines.
ng_run "$GATEDB" export "$DB" --format ipset --family 6 >"$TMP/i6"
grep -q geo4 "$TMP/i6" && fail "--family 6 has geo4"
ng_run "$GATEDB" export "$DB" --format cidr >"$TMP/c"
grep -qv '^[0-9a-f:.]*/[0-9]*$' "$TMP/c" && fail "cidr: odd line $(grep -v '^[0-9a-f:.]*/[0-9]*$' "$TMP/c" | head -1)"
[ -s "$TMP/c" ] || fail "cidr: empty"
exit 0
