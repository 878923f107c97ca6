# fetch_rir.sh - tools/nfq-gate-fetch against a local mirror over file://:
# the real AFRINIC and LACNIC statistics with their own .md5 files plus
# tiny synthetic APNIC, ARIN and RIPE NCC files (both md5 file forms).
# A good mirror replaces the database; an MD5 mismatch, a missing file,
# a file that is not RIR statistics and a failing build each keep the
# old database byte for byte, exit non-zero and leave no temp files.
. "$(dirname "$0")/../lib.sh"
need_shared rir
[ -x "$GATEDB" ] || fail "$GATEDB not built"
command -v curl >/dev/null || skip "curl not installed (file:// needs curl)"
FETCH="$NG_ROOT/tools/nfq-gate-fetch"
M="$TMP/mirror"
mkdir -p "$M" "$TMP/var"
cp "$NFQG_SHARED_DATA"/rir/delegated-afrinic-extended-latest* \
    "$NFQG_SHARED_DATA"/rir/delegated-lacnic-extended-latest* "$M/"

cat >"$M/delegated-apnic-extended-latest" <<'EOF'
2|apnic|20230323|3|19830613|20230322|+1000
apnic|*|ipv4|*|2|summary
apnic|*|ipv6|*|1|summary
apnic|CN|ipv4|1.0.1.0|256|20110414|allocated|A92E1062
apnic|AU|ipv4|1.0.0.0|256|20110811|assigned|A91872ED
apnic|CN|ipv6|240e::|20|20130530|allocated|A9192210
EOF
cat >"$M/delegated-arin-extended-latest" <<'EOF'
2.3|arin|1679544017|2|19700101|20230322|-0400
arin|*|ipv4|*|1|summary
arin|*|ipv6|*|1|summary
arin|US|ipv4|3.0.0.0|16777216|19880223|allocated|e5e3b9c13678dfc483fb1f819d70883c
arin|US|ipv6|2600::|12|20060929|allocated|8c9dcd1a1a6a5e1c8fd5a4ef95ae8c7b
EOF
cat >"$M/delegated-ripencc-extended-latest" <<'EOF'
2|ripencc|1679612399|2|19830705|20230323|+0100
ripencc|*|ipv4|*|2|summary
ripencc|DE|ipv4|2.16.0.0|524288|20100712|allocated|e3f6b3d4-26d2
ripencc|RU|ipv4|2.56.0.0|1024|20190322|allocated|2f1b8a1e-9c3a
EOF
# APNIC and ARIN in md5sum form, RIPE NCC in BSD form like the real ones.
( cd "$M" &&
  md5sum delegated-apnic-extended-latest >delegated-apnic-extended-latest.md5 &&
  md5sum delegated-arin-extended-latest >delegated-arin-extended-latest.md5 &&
  printf 'MD5 (delegated-ripencc-extended-latest) = %s\n' \
      "$(md5sum <delegated-ripencc-extended-latest | cut -c1-32)" \
      >delegated-ripencc-extended-latest.md5 ) || fail "mirror setup"

DB="$TMP/var/netblocks.db"
echo "old database" >"$DB"
cp "$DB" "$TMP/old"

run_fetch() {	# extra args; output in $TMP/log
	sh "$FETCH" -t "$GATEDB" -o "$DB" --base "file://$M" "$@" \
	    >"$TMP/log" 2>&1
}

kept() {	# why
	cmp -s "$DB" "$TMP/old" || fail "$1: the old database was replaced"
	[ "$(ls "$TMP/var")" = netblocks.db ] ||
	    fail "$1: temp files left: $(ls "$TMP/var")"
}

expect_fail() {	# why, pattern in the log, then fetch args
	why=$1 pat=$2; shift 2
	run_fetch "$@" && fail "$why: fetch exited 0"
	grep -q "$pat" "$TMP/log" || fail "$why: no \"$pat\" in: $(cat "$TMP/log")"
	grep -q "keeping the old database" "$TMP/log" ||
	    fail "$why: did not say it kept the old database"
	kept "$why"
}

# A wrong digest for one RIR.
cp "$M/delegated-apnic-extended-latest.md5" "$TMP/apnic.md5"
echo "0123456789abcdef0123456789abcdef  delegated-apnic-extended-latest" \
    >"$M/delegated-apnic-extended-latest.md5"
expect_fail "md5 mismatch" "apnic: .*MD5 mismatch"
cp "$TMP/apnic.md5" "$M/delegated-apnic-extended-latest.md5"

# A file whose .md5 holds no digest at all.
cp "$M/delegated-arin-extended-latest.md5" "$TMP/arin.md5"
echo "<html>not found</html>" >"$M/delegated-arin-extended-latest.md5"
expect_fail "no digest" "arin: .*holds no MD5 digest"
cp "$TMP/arin.md5" "$M/delegated-arin-extended-latest.md5"

# A missing statistics file, then a missing .md5.
mv "$M/delegated-arin-extended-latest" "$TMP/arin"
expect_fail "missing file" "arin: download of .* failed"
mv "$TMP/arin" "$M/delegated-arin-extended-latest"
mv "$M/delegated-lacnic-extended-latest.md5" "$TMP/lacnic.md5"
expect_fail "missing md5" "lacnic: download of .*\.md5 failed"
mv "$TMP/lacnic.md5" "$M/delegated-lacnic-extended-latest.md5"

# An error page served with a matching md5 is still refused.
mkdir "$TMP/bad"
echo "<html>maintenance</html>" >"$TMP/bad/delegated-ripencc-extended-latest"
( cd "$TMP/bad" && md5sum delegated-ripencc-extended-latest \
    >delegated-ripencc-extended-latest.md5 )
expect_fail "not statistics" "ripencc: .*version line" \
    --url "ripencc=file://$TMP/bad"

# A build that fails (a stand-in nfq-gate-db that leaves a partial file).
cat >"$TMP/badtool" <<'EOF'
#!/bin/sh
[ "$1" = build ] && [ "$2" = -o ] && echo partial >"$3"
echo "build: something broke" >&2
exit 1
EOF
chmod +x "$TMP/badtool"
sh "$FETCH" -t "$TMP/badtool" -o "$DB" --base "file://$M" >"$TMP/log" 2>&1 &&
    fail "failing build: fetch exited 0"
grep -q "build: something broke" "$TMP/log" || fail "build error not shown"
kept "failing build"

# A target directory that does not exist.
sh "$FETCH" -t "$GATEDB" -o "$TMP/nope/x.db" --base "file://$M" \
    >"$TMP/log" 2>&1 && fail "missing directory: exit 0"

# Usage errors exit 2.
sh "$FETCH" --rirs "afrinic bogus" >/dev/null 2>&1
[ $? = 2 ] || fail "unknown RIR: want exit 2"

# Success, with one RIR from a per-RIR URL in the environment.
mkdir "$TMP/arin-mirror"
mv "$M"/delegated-arin-extended-latest* "$TMP/arin-mirror/"
NFQG_URL_ARIN="file://$TMP/arin-mirror" run_fetch ||
    fail "good mirror: exit $?: $(cat "$TMP/log")"
cmp -s "$DB" "$TMP/old" && fail "good mirror: database not replaced"
[ "$(ls "$TMP/var")" = netblocks.db ] || fail "temp files left after success"
grep -q "replaced $DB" "$TMP/log" || fail "success not logged"
for want in 1.0.1.5=CN 1.0.0.5=AU 240e::5=CN 3.1.2.3=US 2600::1=US \
    2.16.1.1=DE 2.56.0.9=RU; do
	a=${want%=*} cc=${want#*=}
	"$GATEDB" lookup "$DB" "$a" >"$TMP/out" 2>&1 ||
	    fail "lookup $a: $(cat "$TMP/out")"
	grep -qw "$cc" "$TMP/out" || fail "lookup $a: want $cc, got $(cat "$TMP/out")"
done
# And the real files made it in: the first IPv4 row of each.
for r in afrinic lacnic; do
	row=$(grep "^$r|[A-Z][A-Z]|ipv4|[0-9]" "$M/delegated-$r-extended-latest" |
	    head -n 1)
	a=$(echo "$row" | cut -d'|' -f4) cc=$(echo "$row" | cut -d'|' -f2)
	[ -n "$a" ] && [ -n "$cc" ] || fail "$r: no IPv4 row"
	"$GATEDB" lookup "$DB" "$a" >"$TMP/out" 2>&1
	grep -qw "$cc" "$TMP/out" || fail "lookup $a ($r): want $cc, got $(cat "$TMP/out")"
done
exit 0
