# export_ipset.sh - "export --format ipset" restored into a fresh network
# namespace: hash:net sets with maxelem a power of two >= the count (at
# least 65536), exactly the cidr export's prefixes, membership agreeing
# with "nfq-gate-db lookup", and reloads that swap the contents of a set
# an iptables rule is using (a set in use cannot be destroyed, so the
# swap is the only way that works), leaving no NAME-new behind, even
# when an interrupted earlier load left one.
. "$(dirname "$0")/../lib.sh"
need_root
command -v ipset >/dev/null || skip "ipset not installed"
[ -x "$GATEDB" ] || fail "$GATEDB not built"
SAMPLE=${NG_EXPORT_SAMPLE:-$NG_ROOT/rules/netblocks-sample.csv}
NS=ngtest-exp-$$
ip netns add "$NS" || skip "cannot create a network namespace"
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT
nsx() { ip netns exec "$NS" "$@"; }

# ipset sets must be per namespace, or loading would touch the host's.
# Probe with one empty uniquely named set, removed at once.
probe=ngexp$$
nsx ipset create "$probe" hash:ip >/dev/null 2>&1 ||
    skip "ipset create fails inside a namespace"
if ipset list -n 2>/dev/null | grep -qx "$probe"; then
	nsx ipset destroy "$probe"
	skip "ipset sets are not per network namespace on this kernel"
fi
nsx ipset destroy "$probe" || fail "destroy probe set"

"$GATEDB" build -o "$TMP/s.db" "$SAMPLE" >"$TMP/log" 2>&1 ||
    fail "build sample: $(cat "$TMP/log")"
DB="$TMP/s.db"

cc_of() {	# db addr -> country code or "-"
	"$GATEDB" lookup "$1" "$2" 2>/dev/null | awk '
	    { for (i = 1; i <= NF; i++) if ($i ~ /^[A-Z][A-Z0-9]$/) { print $i; exit } }' |
	    grep . || echo -
}

probe_addrs() {	# db: range edges and their neighbours, and the test hosts
	"$GATEDB" export "$1" --format ranges | python3 -c '
import ipaddress, sys
rows = [l.strip().split(",") for l in sys.stdin if l.strip()]
step = max(1, len(rows) // 40)
out = set(["1.0.1.5", "240e::5", "198.51.100.10", "2001:db8:1::10"])
for r in rows[::step]:
    a, b = ipaddress.ip_address(r[0]), ipaddress.ip_address(r[1])
    out.update([a, b])
    if int(a) > 0:
        out.add(a - 1)
    if int(b) < (1 << a.max_prefixlen) - 1:
        out.add(b + 1)
for a in sorted(map(str, out)):
    print(a)'
}

check_members() {	# label db countries
	probe_addrs "$2" >"$TMP/addrs"
	n=0
	while read -r a; do
		cc=$(cc_of "$2" "$a")
		case ",$3," in *",$cc,"*) want=in ;; *) want=out ;; esac
		case $a in *:*) set=geo6 ;; *) set=geo4 ;; esac
		if nsx ipset -q test $set "$a"; then got=in; else got=out; fi
		[ "$want" = "$got" ] ||
		    fail "$1: $a (lookup: $cc) is $got of $set, want $want"
		n=$((n + 1))
	done <"$TMP/addrs"
	[ "$n" -gt 20 ] || fail "$1: only $n addresses probed"
	echo "$1: $n addresses agree with lookup"
}

members() {	# set -> its prefixes, sorted like the export
	nsx ipset list "$1" | sed '1,/^Members:/d' | python3 -c '
import ipaddress, sys
n = [ipaddress.ip_network(l.strip()) for l in sys.stdin if l.strip()]
for x in sorted(n):
    print(x)'
}

check_sets() {	# label db countries
	"$GATEDB" export "$2" --format cidr --countries "$3" >"$TMP/cidr"
	{ members geo4; members geo6; } >"$TMP/inset"
	cmp -s "$TMP/cidr" "$TMP/inset" ||
	    fail "$1: set members differ from the cidr export:
$(diff "$TMP/cidr" "$TMP/inset" | head)"
	for f in 4 6; do
		hdr=$(nsx ipset list geo$f -t | sed -n 's/^Header: //p')
		m=$(echo "$hdr" | sed -n 's/.*maxelem \([0-9]*\).*/\1/p')
		c=$(nsx ipset list geo$f -t |
		    sed -n 's/^Number of entries: //p')
		[ "$m" -ge 65536 ] && [ "$m" -ge "$c" ] &&
		    [ $((m & (m - 1))) = 0 ] || fail "$1: geo$f maxelem $m for $c"
		case $hdr in "family inet$( [ $f = 6 ] && echo 6) "*) ;;
		    *) fail "$1: geo$f header $hdr" ;; esac
	done
	nsx ipset list -n | grep -q -- -new && fail "$1: a -new set remains"
	echo "$1: $(wc -l <"$TMP/inset") members, as exported"
}

"$GATEDB" export "$DB" --format ipset --countries CN,RU -o "$TMP/a.ipset" ||
    fail "export CN,RU"
nsx ipset restore -f "$TMP/a.ipset" || fail "first restore"
check_sets "CN,RU" "$DB" CN,RU
check_members "CN,RU" "$DB" CN,RU

# iptables rules that use the sets.
if command -v iptables >/dev/null && command -v ip6tables >/dev/null; then
	nsx iptables -I INPUT -p tcp --dport 25 \
	    -m set --match-set geo4 src -j DROP || fail "iptables rule"
	nsx ip6tables -I INPUT -p tcp --dport 25 \
	    -m set --match-set geo6 src -j DROP || fail "ip6tables rule"
	RULES=1
fi
rules_there() {
	[ -z "${RULES:-}" ] && return 0
	nsx iptables -S INPUT | grep -q -- '--match-set geo4 src' &&
	    nsx ip6tables -S INPUT | grep -q -- '--match-set geo6 src' ||
	    fail "$1: rules lost"
	nsx ipset destroy geo4 2>/dev/null && fail "$1: geo4 not in use?"
	return 0
}
rules_there "first load"

# Same file again, another selection (a different size), and a stale
# geo4-new from an interrupted load.
nsx ipset restore -f "$TMP/a.ipset" || fail "same reload"
check_sets "CN,RU again" "$DB" CN,RU
"$GATEDB" export "$DB" --format ipset --countries CN -o "$TMP/b.ipset"
nsx ipset restore -f "$TMP/b.ipset" || fail "CN reload"
rules_there "CN reload"
check_sets "CN" "$DB" CN
check_members "CN" "$DB" CN
nsx ipset create geo4-new hash:net family inet maxelem 65536 || fail "stale"
nsx ipset add geo4-new 192.0.2.0/24 || fail "stale add"
nsx ipset restore -f "$TMP/a.ipset" || fail "reload over a stale geo4-new"
check_sets "CN,RU after stale" "$DB" CN,RU
nsx ipset -q test geo4 192.0.2.1 && fail "the stale set's member leaked in"

# Nothing selected: empty sets, still swapped in.
"$GATEDB" export "$DB" --format ipset --countries ZZ -o "$TMP/e.ipset"
nsx ipset restore -f "$TMP/e.ipset" || fail "empty restore"
[ -z "$(members geo4; members geo6)" ] || fail "empty selection left members"
rules_there "empty reload"

# The full data: restore and swap a world-sized set.
G="$NFQG_SHARED_DATA/geo-whois-asn-country"
if [ -f "$G/geo-whois-asn-country-ipv4.csv" ]; then
	"$GATEDB" build -o "$TMP/w.db" "$G/geo-whois-asn-country-ipv4.csv" \
	    "$G/geo-whois-asn-country-ipv6.csv" >"$TMP/log" 2>&1 ||
	    fail "build shared: $(cat "$TMP/log")"
	"$GATEDB" export "$TMP/w.db" --format ipset -o "$TMP/w.ipset"
	nsx ipset restore -f "$TMP/w.ipset" || fail "world restore"
	"$GATEDB" export "$TMP/w.db" --format ipset --countries CN,RU \
	    -o "$TMP/wc.ipset"
	nsx ipset restore -f "$TMP/wc.ipset" || fail "CN,RU after world"
	check_sets "shared CN,RU" "$TMP/w.db" CN,RU
	check_members "shared CN,RU" "$TMP/w.db" CN,RU
	rules_there "world reloads"
fi
exit 0
