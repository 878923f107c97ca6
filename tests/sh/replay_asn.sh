# replay_asn.sh - asn and owner rules in a replay, and their precedence.
#
# A database built by nfq-gate-db from a country CSV and an ip-location-db
# style asn CSV (start,end,asn,organisation; a quoted organisation with a
# comma) written here; a config whose asn and owner lines overlap, so the
# order written, the "in CC" qualifier, allow, and the fall-through to the
# country rule each decide one client:
#   1.0.1.5     CN AS4134          asn 4134 in CN = drop      (line 1)
#   240e::5     CN AS4134          the same, IPv6
#   2.0.0.1     BR "Claro Dynamic" owner /dynamic.../ in BR   (line 2)
#   2.0.200.1   BR "CLARO static"  no owner match: country BR = drop
#   3.0.0.1     US AS4134          not CN: asn 4134 = reject  (line 3)
#   6.0.0.1     DE "...DSL pool"   pool, but not BR/AR: owner /telekom/
#                                  = pass                      (line 4)
#   4.0.0.1     BR, no ASN/owner   no asn/owner line: country BR = drop
#   2.0.0.7     BR "Claro Dynamic" allow beats the owner line
#   198.51.100.10  nothing known   the default: tested, PASS NEW
# The log lines show the ASN, the rule and the owner where they show the
# country; the JSON has "asn", "owner" and "rule".
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
[ -x "$GATEDB" ] || skip "$GATEDB not built yet"
MK="python3 $NG_ROOT/tools/mkpcap.py"

cat >"$TMP/cc.csv" <<'CSV'
1.0.0.0,1.0.255.255,CN
2.0.0.0,2.0.255.255,BR
3.0.0.0,3.0.255.255,US
4.0.0.0,4.0.255.255,BR
6.0.0.0,6.0.255.255,DE
240e::,240e:ffff:ffff:ffff:ffff:ffff:ffff:ffff,CN
CSV
cat >"$TMP/asn.csv" <<'CSV'
1.0.0.0,1.0.255.255,4134,"CHINANET-BACKBONE No.31,Jin-rong Street"
2.0.0.0,2.0.127.255,28573,Claro Dynamic Customers
2.0.128.0,2.0.255.255,28573,CLARO static
3.0.0.0,3.0.255.255,4134,CHINANET America
6.0.0.0,6.0.255.255,3320,Deutsche Telekom DSL pool
240e::,240e:ffff:ffff:ffff:ffff:ffff:ffff:ffff,4134,CHINANET
CSV
ng_run "$GATEDB" build -o "$TMP/nb.db" "$TMP/cc.csv" "$TMP/asn.csv" \
    >"$TMP/dberr" 2>&1 || {
	grep -qi "format\|unknown\|detect" "$TMP/dberr" &&
	    skip "nfq-gate-db cannot build an asn CSV yet: $(cat "$TMP/dberr")"
	fail "nfq-gate-db build failed: $(cat "$TMP/dberr")"
}
ng_run "$GATEDB" lookup "$TMP/nb.db" 2.0.0.1 >"$TMP/lk" 2>&1
grep -q "28573" "$TMP/lk" ||
    skip "the database gives no ASN yet: $(cat "$TMP/lk")"

$MK gen "$TMP/c.pcap" polite@198.51.100.10:40001 bot@1.0.1.5:40011 \
    'polite@[240e::5]:40012' syn@2.0.0.1:40013 polite@2.0.200.1:40014 \
    polite@3.0.0.1:40015 polite@6.0.0.1:40016 polite@4.0.0.1:40017 \
    bot@2.0.0.7:40018 || fail "mkpcap"
cat >"$TMP/gate.conf" <<'CONF'
asn 4134 in CN = drop
owner /dynamic|dial|pool|dsl/ in BR, AR = greylist
asn AS4134 = reject
owner /telekom/ = pass
country BR = drop
allow = 2.0.0.7
CONF
cat >"$TMP/want" <<'OUT'
PASS NEW [198.51.100.10]:40001
DROP [1.0.1.5]:40011 country=CN asn=4134 rule="asn AS4134" owner=CHINANET-BACKBONE No.31,Jin-rong Street
DROP [240e::5]:40012 country=CN asn=4134 rule="asn AS4134" owner=CHINANET
GREYLIST [2.0.0.1]:40013 country=BR asn=28573 rule="owner /dynamic|dial|pool|dsl/" owner=Claro Dynamic Customers
DROP [2.0.200.1]:40014 country=BR asn=28573 owner=CLARO static
REJECT [3.0.0.1]:40015 country=US asn=4134 rule="asn AS4134" owner=CHINANET America
PASS COUNTRY [6.0.0.1]:40016 country=DE asn=3320 rule="owner /telekom/" owner=Deutsche Telekom DSL pool
DROP [4.0.0.1]:40017 country=BR
ALLOWLISTED [2.0.0.7]:40018
OUT

ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/gate.conf" --db "$TMP/nb.db" \
    >"$TMP/out" 2>"$TMP/err" || fail "replay exited $?: $(cat "$TMP/err")"
diff -u "$TMP/want" "$TMP/out" || fail "asn and owner verdicts"

ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/gate.conf" --db "$TMP/nb.db" \
    --json >"$TMP/json" 2>"$TMP/err" ||
    fail "replay --json exited $?: $(cat "$TMP/err")"
python3 - "$TMP/json" <<'PY' || fail "JSON: $(cat "$TMP/json")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["client"], r["verdict"], r["country"], r["asn"], r["owner"],
        r["rule"], r["reason"]) for r in rows]
want = [
    ("198.51.100.10:40001", "pass", None, None, None, None,
     "waited for greeting"),
    ("1.0.1.5:40011", "drop", "CN", 4134,
     "CHINANET-BACKBONE No.31,Jin-rong Street", "asn AS4134", "asn AS4134"),
    ("[240e::5]:40012", "drop", "CN", 4134, "CHINANET", "asn AS4134",
     "asn AS4134"),
    ("2.0.0.1:40013", "greylist", "BR", 28573, "Claro Dynamic Customers",
     "owner /dynamic|dial|pool|dsl/", "new"),
    ("2.0.200.1:40014", "drop", "BR", 28573, "CLARO static", None, "country"),
    ("3.0.0.1:40015", "reject", "US", 4134, "CHINANET America", "asn AS4134",
     "asn AS4134"),
    ("6.0.0.1:40016", "pass", "DE", 3320, "Deutsche Telekom DSL pool",
     "owner /telekom/", "owner /telekom/"),
    ("4.0.0.1:40017", "drop", "BR", None, None, None, "country"),
    ("2.0.0.7:40018", "pass", "BR", 28573, "Claro Dynamic Customers", None,
     "allow"),
]
for g, w in zip(got, want):
    assert g == w, (g, w)
assert len(got) == len(want), got
PY

# The same capture with the lines in another order: the first match wins.
cat >"$TMP/order.conf" <<'CONF'
asn AS4134 = reject
asn 4134 in CN = drop
CONF
ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/order.conf" --db "$TMP/nb.db" \
    >"$TMP/out" 2>"$TMP/err" || fail "replay exited $?: $(cat "$TMP/err")"
grep -q '^REJECT \[1.0.1.5\]:40011 country=CN asn=4134 rule="asn AS4134"' \
    "$TMP/out" || fail "order written: $(cat "$TMP/out")"
grep -q '^DROP' "$TMP/out" && fail "a later line decided: $(cat "$TMP/out")"

# A bad pattern is the config's error, named with its line.
printf 'country BR = drop\nowner /(dsl/ = greylist\n' >"$TMP/bad.conf"
ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/bad.conf" --db "$TMP/nb.db" \
    >"$TMP/out" 2>"$TMP/err" && fail "bad pattern accepted"
grep -q "bad.conf:2: owner: bad pattern: " "$TMP/err" ||
    fail "bad pattern message: $(cat "$TMP/err")"
exit 0
