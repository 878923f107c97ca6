# export_asn.sh - "export --asn / --owner", alone and with --countries or
# --except, in every format: loaded into nft and ipset in a fresh
# network namespace, the sets hold exactly the cidr export, the cidr
# export is the minimal cover of the ranges export, and membership of
# every range edge and its neighbours agrees with what "lookup --json"
# says of the address under the same filters (decided here in Python).
# Bad filter values are usage errors naming the option.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd nft python3
[ -x "$GATEDB" ] || fail "$GATEDB not built"
NS=ngtest-easn-$$
ip netns add "$NS" || skip "cannot create a network namespace"
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT
nsx() { ip netns exec "$NS" "$@"; }

cat >"$TMP/cc.csv" <<'CSV'
10.0.0.0,10.255.255.255,BR
11.0.0.0,11.0.255.255,AR
12.0.0.0,12.0.0.255,US
2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,BR
2001:db9::,2001:db9:ffff:ffff:ffff:ffff:ffff:ffff,US
CSV
cat >"$TMP/asn.csv" <<'CSV'
10.0.0.0,10.0.255.255,64500,"Telecom, Dynamic Pool"
10.1.0.0,10.1.0.255,64501,Static Hosting
10.2.0.0,10.3.255.255,64500,"Telecom, Dynamic Pool"
11.0.0.0,11.0.127.255,64502,ARNet DSL customers
12.0.0.0,12.0.1.255,64501,Static Hosting
13.0.0.0,13.0.0.255,64503,"PPP dialup, no country"
2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,64500,"Telecom, Dynamic Pool"
2001:db9:1::,2001:db9:1:ffff:ffff:ffff:ffff:ffff,64501,Static Hosting
CSV
ng_run "$GATEDB" build -o "$TMP/db" "$TMP/cc.csv" "$TMP/asn.csv" \
    >"$TMP/log" 2>&1 || fail "build: $(cat "$TMP/log")"
DB=$TMP/db

# Every range edge and its neighbours, with what lookup says of each.
"$GATEDB" export "$DB" --format ranges --asn 64500,64501,64502,64503 \
    >"$TMP/r1" || fail "ranges export"
"$GATEDB" export "$DB" --format ranges >"$TMP/r2" || fail "ranges export"
python3 - "$TMP/r1" "$TMP/r2" >"$TMP/addrs" <<'PY'
import ipaddress, sys
out = set()
for f in sys.argv[1:]:
    for l in open(f):
        a, b = [ipaddress.ip_address(x) for x in l.split(",")[:2]]
        out.update([a, b, a + (int(b) - int(a)) // 2])
        if int(a) > 0:
            out.add(a - 1)
        if int(b) < (1 << a.max_prefixlen) - 1:
            out.add(b + 1)
for a in sorted(out, key=lambda x: (x.version, x)):
    print(a)
PY
"$GATEDB" lookup --json "$DB" <"$TMP/addrs" >"$TMP/json" || fail "lookup --json"
[ "$(wc -l <"$TMP/json")" -gt 40 ] || fail "too few probes"

# The selections: options, then the same as a Python predicate.
n=0
check() {	# label, python predicate over o (a lookup object), options...
	label=$1 pred=$2
	shift 2
	n=$((n + 1))
	"$GATEDB" export "$DB" --format cidr "$@" >"$TMP/cidr" ||
	    fail "$label: cidr export"
	"$GATEDB" export "$DB" --format ranges "$@" >"$TMP/ranges" ||
	    fail "$label: ranges export"
	# The cidr export is the minimal cover of the selected ranges.
	python3 - "$TMP/ranges" "$TMP/cidr" <<'PY' || fail "$label: not the minimal cover"
import ipaddress, sys
nets = {4: [], 6: []}
for l in open(sys.argv[1]):
    a, b = [ipaddress.ip_address(x) for x in l.split(",")[:2]]
    nets[a.version] += ipaddress.summarize_address_range(a, b)
want = [str(n) for v in (4, 6) for n in ipaddress.collapse_addresses(nets[v])]
got = [l.strip() for l in open(sys.argv[2])]
sys.exit(0 if want == got else 1)
PY
	# nft: load, compare the elements, probe every address.
	"$GATEDB" export "$DB" --format nft "$@" -o "$TMP/s.nft" ||
	    fail "$label: nft export"
	nsx nft -f "$TMP/s.nft" || fail "$label: nft load"
	for f in 4 6; do
		nsx nft -j list set inet nfq_geo geo$f
	done >"$TMP/sets.json"
	python3 - "$TMP/sets.json" "$TMP/cidr" "$TMP/json" "$pred" <<'PY' ||
import ipaddress, json, re, sys
elems = []
for doc in open(sys.argv[1]).read().replace("}{", "}\n{").splitlines():
    for x in json.loads(doc)["nftables"]:
        if "set" not in x:
            continue
        full = 128 if x["set"]["type"] == "ipv6_addr" else 32
        for e in x["set"].get("elem", []):
            if isinstance(e, str):
                elems.append(ipaddress.ip_network("%s/%d" % (e, full)))
            else:
                elems.append(ipaddress.ip_network("%s/%d" % (
                    e["prefix"]["addr"], e["prefix"]["len"])))
cidr = [ipaddress.ip_network(l.strip()) for l in open(sys.argv[2])]
if sorted(elems, key=lambda n: (n.version, n)) != cidr:
    print("set elements differ from the cidr export")
    sys.exit(1)
bad = 0
for l in open(sys.argv[3]):
    o = json.loads(l)
    a = ipaddress.ip_address(o["addr"])
    want = bool(eval(sys.argv[4], {"re": re}, {"o": o}))
    got = any(a in n for n in cidr)
    if want != got:
        bad += 1
        print("%s: %r, in the export: %s, want %s" % (a, o, got, want))
sys.exit(1 if bad else 0)
PY
	    fail "$label: nft sets or membership"
	# ipset: restore and test the same probes.
	if [ -n "$IPSET" ]; then
		"$GATEDB" export "$DB" --format ipset "$@" -o "$TMP/s.ipset" ||
		    fail "$label: ipset export"
		nsx ipset restore -f "$TMP/s.ipset" || fail "$label: ipset restore"
		python3 - "$TMP/json" "$pred" >"$TMP/want" <<'PY'
import json, re, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(o["addr"], "in" if eval(sys.argv[2], {"re": re}, {"o": o}) else "out")
PY
		while read -r a want; do
			case $a in *:*) set=geo6 ;; *) set=geo4 ;; esac
			if nsx ipset test $set "$a" >/dev/null 2>&1; then
				got=in; else got=out; fi
			[ "$got" = "$want" ] ||
			    fail "$label: $a is $got of ipset $set, want $want"
		done <"$TMP/want"
	fi
	echo "$label: $(wc -l <"$TMP/cidr") prefixes, $(wc -l <"$TMP/json") probes agree (nft${IPSET:+ and ipset})"
}

# ipset sets must be per namespace, or loading would touch the host's.
IPSET=
if command -v ipset >/dev/null &&
    nsx ipset create ngeasn$$ hash:ip >/dev/null 2>&1; then
	if ipset list -n 2>/dev/null | grep -qx ngeasn$$; then
		echo "note: ipset sets are not per namespace here: nft only"
	else
		IPSET=1
	fi
	nsx ipset destroy ngeasn$$
else
	echo "note: no ipset in a namespace here: nft only"
fi

check "asn 64500" 'o["asn"] == 64500' --asn 64500
check "asn AS64501,64503" 'o["asn"] in (64501, 64503)' --asn AS64501,64503
check "owner dynamic|dsl|ppp" \
    'o["owner"] is not None and re.search("dynamic|dsl|ppp", o["owner"], re.I)' \
    --owner 'DYNAMIC|dsl|ppp'
check "owner in BR,AR" \
    'o["owner"] is not None and re.search("dynamic|dsl", o["owner"], re.I) and o["country"] in ("BR", "AR")' \
    --owner 'dynamic|dsl' --countries BR,AR
check "asn and owner except US" \
    'o["asn"] == 64501 and re.search("^static", o["owner"] or "", re.I) and o["country"] != "US" and o["country"] is not None' \
    --asn 64501 --owner '^static' --except US
check "nothing" 'False' --asn 64999
[ $n -eq 6 ] || fail "only $n selections checked"

# --owner matches the owner string, not the country or AS number.
"$GATEDB" export "$DB" --format cidr --owner 'BR|64500' >"$TMP/o" ||
    fail "export --owner BR"
[ -s "$TMP/o" ] && fail "--owner matched something else than owners"

# Bad values: usage errors (64) naming the option.
bad() {	# want-in-message, options...
	w=$1
	shift
	"$GATEDB" export "$DB" --format cidr "$@" >"$TMP/out" 2>&1
	rc=$?
	[ $rc -eq 64 ] || fail "$*: exit $rc, want 64"
	grep -q -- "$w" "$TMP/out" || fail "$*: $(head -1 "$TMP/out")"
}
bad "--asn 0: want AS numbers" --asn 0
bad "--asn 4294967296: want AS numbers" --asn 4294967296
bad "--asn 1,,2: want AS numbers" --asn 1,,2
bad "--asn x: want AS numbers" --asn x
bad "--owner (: bad pattern" --owner '('
bad "give --asn once" --asn 1 --asn 2
exit 0
