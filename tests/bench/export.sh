#!/bin/sh
# tests/bench/export.sh - kernel sets from the database: elements, file
# size and "nft -f" load time of our minimal-prefix export, against the
# naive export that turns every CSV row into one range element, for
# CN+RU and for the whole world.  Both load into a private namespace.

. "$(dirname "$0")/bench.sh"

NS=ngbench$$-nft
cleanup() { ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ ! -d "$WHOIS" ]; then
	na "nft export" "no shared whois data in $NFQG_SHARED_DATA" ""
	exit 0
fi
command -v nft >/dev/null || { na "nft export" "nft not installed" ""; exit 0; }
[ "$(id -u)" = 0 ] || { na "nft export" "needs root for a namespace" ""; exit 0; }
db=$(bench_db) || { na "nft export" "database build failed" ""; exit 0; }
ip netns add "$NS" || { na "nft export" "ip netns add failed" ""; exit 0; }

# One element per CSV row ("a-b", or "a" when the row is one address),
# in the file layout the export uses.  $1: awk condition on the country.
naive() {	# cond out
	for f in 4 6; do
		awk -F, -v f=$f -v type="$([ $f = 4 ] && echo ipv4 || echo ipv6)_addr" "
		    NR == 1 { print \"add table inet naive\";
			printf \"add set inet naive n%s { type %s; flags interval; }\n\", f, type;
			printf \"add element inet naive n%s {\n\", f; sep = \"\" }
		    $1 { printf \"%s\t%s\", sep, (\$1 == \$2) ? \$1 : \$1 \"-\" \$2; sep = \",\n\" }
		    END { print \"\n}\" }" \
		    "$WHOIS/geo-whois-asn-country-ipv$f.csv"
	done >"$2"
}

elements() { grep -c '^	[0-9a-f]' "$1"; }

# Seconds to load a file into an empty ruleset; "rejected" on an error
# (its first line goes to stderr).
load() {	# file
	ip netns exec "$NS" nft flush ruleset
	t0=$(now)
	if timeout 300 ip netns exec "$NS" nft -f "$1" 2>"$TMP/nft.err"; then
		elapsed "$t0"
	else
		say "nft -f $(basename "$1"): $(head -n 3 "$TMP/nft.err")"
		echo rejected
	fi
}

for sel in CN,RU world; do
	if [ $sel = world ]; then
		"$GATEDB" export "$db" --format nft -o "$TMP/ours.nft" 2>&1 >&2
		naive 1 "$TMP/naive.nft"
	else
		"$GATEDB" export "$db" --format nft --countries $sel \
		    -o "$TMP/ours.nft" 2>&1 >&2
		naive '$3 == "CN" || $3 == "RU"' "$TMP/naive.nft"
	fi || { na "nft export $sel" "export failed" ""; continue; }
	eo=$(elements "$TMP/ours.nft") en=$(elements "$TMP/naive.nft")
	so=$(stat -c %s "$TMP/ours.nft") sn=$(stat -c %s "$TMP/naive.nft")
	lo=$(load "$TMP/ours.nft")
	ln=$(load "$TMP/naive.nft")
	note=
	if [ "$ln" = rejected ]; then
		# nft refuses overlapping intervals unless asked to merge.
		sed 's/flags interval;/flags interval; auto-merge;/' \
		    "$TMP/naive.nft" >"$TMP/merge.nft"
		ln=$(load "$TMP/merge.nft")
		note=" (as is: rejected, overlapping elements; with auto-merge)"
	fi
	row "nft set $sel: elements (ours: prefixes; naive: one per CSV row)" \
	    "$(human "$eo")" "$(human "$en")" "$(ratio "$eo" "$en")" "—"
	row "nft set $sel: file size" "$(calc "$so / 1048576") MB" \
	    "$(calc "$sn / 1048576") MB" "$(ratio "$so" "$sn")" "—"
	row "nft set $sel: nft -f load time (namespace)" "$lo s" "$ln s$note" \
	    "$(ratio "$lo" "$ln")" "—"
done
