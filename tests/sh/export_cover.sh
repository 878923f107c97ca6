# export_cover.sh - every export is the minimal CIDR cover of the selected
# addresses, checked against Python's ipaddress module.
#
# Two independent comparisons, on the sample database and (when present)
# on the full shared whois data:
#  1. The whole-world cidr export against collapse_addresses() of every
#     source CSV row.  Nested rows only change which country wins, never
#     which addresses are covered, so this needs no model of "most
#     specific wins" and compares our output with the raw source.
#  2. For country selections (one country, CN+RU, --except CN,RU) the
#     cidr export against Python's summarize_address_range() +
#     collapse_addresses() over the database's own ranges of those
#     countries (the "ranges" export, i.e. ng_netdb_walk with no cover
#     code of ours in between).  Touching ranges of two selected
#     countries must merge, so a missing merge or a non-minimal split
#     changes the list and fails.
# Also: --except X and --countries X are disjoint and together are the
# world, and the family and nft/ipset element counts agree with cidr.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATEDB" ] || fail "$GATEDB not built"
SAMPLE=${NG_EXPORT_SAMPLE:-$NG_ROOT/rules/netblocks-sample.csv}
[ -f "$SAMPLE" ] || fail "$SAMPLE missing"

cat >"$TMP/collapse.py" <<'EOF'
# collapse.py MODE SRC OUT [CC,...] - compare an export with Python.
#   world SRC OUT         SRC: source CSV files (comma separated paths)
#   only|except SRC OUT CCS   SRC: a "ranges" export
# Prints the prefix count; exits 1 with the first difference.
import ipaddress, sys

def rows(paths):
    for path in paths.split(","):
        for n, line in enumerate(open(path), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            f = line.split(",")
            try:
                a, b = ipaddress.ip_address(f[0]), ipaddress.ip_address(f[1])
            except ValueError:
                if n == 1:      # a header line
                    continue
                sys.exit("%s:%d: bad row %r" % (path, n, line))
            yield a, b, f[2].strip().upper()

mode, src, out = sys.argv[1:4]
ccs = set(sys.argv[4].split(",")) if len(sys.argv) > 4 else set()
nets = {4: [], 6: []}
for a, b, cc in rows(src):
    if mode == "only" and cc not in ccs:
        continue
    if mode == "except" and cc in ccs:
        continue
    nets[a.version].extend(ipaddress.summarize_address_range(a, b))
want = [str(n) for v in (4, 6) for n in ipaddress.collapse_addresses(nets[v])]
got = [l.strip() for l in open(out) if l.strip()]
if got != want:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            sys.exit("line %d: export %s, python %s" % (i + 1, g, w))
    sys.exit("export has %d prefixes, python %d" % (len(got), len(want)))
print(len(got))
EOF

check_db() {	# label db source-csv-list selection...
	label=$1 db=$2 src=$3; shift 3
	ng_run "$GATEDB" export "$db" --format cidr -o "$TMP/world" ||
	    fail "$label: world export"
	n=$(python3 "$TMP/collapse.py" world "$src" "$TMP/world") ||
	    fail "$label: world export is not the collapse of the source rows"
	echo "$label: world $n prefixes"
	[ "$n" -gt 0 ] || fail "$label: empty world"
	ng_run "$GATEDB" export "$db" --format ranges -o "$TMP/ranges" ||
	    fail "$label: ranges export"
	for sel in "$@"; do
		mode=${sel%%:*} ccs=${sel#*:}
		if [ "$mode" = only ]; then
			ng_run "$GATEDB" export "$db" --format cidr \
			    --countries "$ccs" >"$TMP/sel" || fail "$label $sel"
		else
			ng_run "$GATEDB" export "$db" --format cidr \
			    --except "$ccs" >"$TMP/sel" || fail "$label $sel"
		fi
		n=$(python3 "$TMP/collapse.py" "$mode" "$TMP/ranges" \
		    "$TMP/sel" "$ccs") || fail "$label $sel: differs from python"
		[ "$n" -gt 0 ] || fail "$label $sel: selected nothing"
		echo "$label: $sel $n prefixes"
	done
	# --countries X plus --except X is the world, and they are disjoint.
	"$GATEDB" export "$db" --format ranges --countries CN,RU >"$TMP/r1"
	"$GATEDB" export "$db" --format ranges --except CN,RU >"$TMP/r2"
	sort "$TMP/r1" "$TMP/r2" | uniq -d | grep -q . &&
	    fail "$label: --countries and --except overlap"
	sort "$TMP/r1" "$TMP/r2" >"$TMP/r12"
	sort "$TMP/ranges" | cmp -s - "$TMP/r12" ||
	    fail "$label: --countries + --except is not the world"
	# One family at a time is the matching part of the whole.
	"$GATEDB" export "$db" --format cidr --family 4 >"$TMP/f4"
	"$GATEDB" export "$db" --format cidr --family 6 >"$TMP/f6"
	grep -v : "$TMP/world" | cmp -s - "$TMP/f4" || fail "$label: --family 4"
	grep : "$TMP/world" | cmp -s - "$TMP/f6" || fail "$label: --family 6"
	# nft and ipset carry exactly the cidr prefixes.
	"$GATEDB" export "$db" --format nft --countries CN,RU >"$TMP/nft"
	"$GATEDB" export "$db" --format cidr --countries CN,RU >"$TMP/c"
	grep '^	[0-9a-f:.]*/[0-9]*,\{0,1\}$' "$TMP/nft" | tr -d '\t,' |
	    cmp -s - "$TMP/c" || fail "$label: nft elements differ from cidr"
	"$GATEDB" export "$db" --format ipset --countries CN,RU >"$TMP/ips"
	sed -n 's/^add geo[46]-new //p' "$TMP/ips" | cmp -s - "$TMP/c" ||
	    fail "$label: ipset elements differ from cidr"
}

"$GATEDB" build -o "$TMP/s.db" "$SAMPLE" >"$TMP/log" 2>&1 ||
    fail "build sample: $(cat "$TMP/log")"
check_db sample "$TMP/s.db" "$SAMPLE" only:CN only:CN,RU except:CN,RU

# The ranges export is itself a valid source: rebuilding from it gives
# the same database contents.
"$GATEDB" export "$TMP/s.db" --format ranges -o "$TMP/r.csv"
"$GATEDB" build -o "$TMP/r.db" "$TMP/r.csv" >"$TMP/log" 2>&1 ||
    fail "rebuild from ranges: $(cat "$TMP/log")"
"$GATEDB" export "$TMP/r.db" --format ranges | cmp -s - "$TMP/r.csv" ||
    fail "ranges export does not round-trip through build"

G="$NFQG_SHARED_DATA/geo-whois-asn-country"
if [ -f "$G/geo-whois-asn-country-ipv4.csv" ]; then
	"$GATEDB" build -o "$TMP/w.db" "$G/geo-whois-asn-country-ipv4.csv" \
	    "$G/geo-whois-asn-country-ipv6.csv" >"$TMP/log" 2>&1 ||
	    fail "build shared: $(cat "$TMP/log")"
	check_db shared "$TMP/w.db" \
	    "$G/geo-whois-asn-country-ipv4.csv,$G/geo-whois-asn-country-ipv6.csv" \
	    only:CN only:CN,RU except:CN,RU only:US,CA,MX
else
	echo "shared whois data absent: sample database only"
fi
exit 0
