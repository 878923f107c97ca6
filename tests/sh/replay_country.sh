# replay_country.sh - country actions in a replay: a database built by
# nfq-gate-db from rules/netblocks-sample.csv, "country CN = drop" in the
# config, and Chinese clients (IPv4 and IPv6) dropped at the SYN while a
# client the sample does not cover still takes the greeting test.  The
# database comes from --db, or from the config's "database" key.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
[ -x "$GATEDB" ] || skip "$GATEDB not built yet"
CSV="$NG_ROOT/rules/netblocks-sample.csv"
[ -f "$CSV" ] || skip "$CSV absent"
MK="python3 $NG_ROOT/tools/mkpcap.py"

ng_run "$GATEDB" build -o "$TMP/nb.db" "$CSV" >"$TMP/dberr" 2>&1 ||
    fail "nfq-gate-db build failed: $(cat "$TMP/dberr")"

$MK gen "$TMP/c.pcap" polite@198.51.100.10:40001 bot@1.0.1.5:40011 \
    'polite@[240e::5]:40012' || fail "mkpcap"
printf 'country CN = drop\n' >"$TMP/gate.conf"
cat >"$TMP/want" <<'OUT'
PASS NEW [198.51.100.10]:40001
DROP [1.0.1.5]:40011 country=CN
DROP [240e::5]:40012 country=CN
OUT

ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/gate.conf" --db "$TMP/nb.db" \
    >"$TMP/out" 2>"$TMP/err" || fail "replay exited $?: $(cat "$TMP/err")"
diff -u "$TMP/want" "$TMP/out" || fail "country verdicts with --db"
grep -q '^summary: verdicts pass=1 pregreet=0 drop=2 ' "$TMP/err" ||
    fail "summary: $(cat "$TMP/err")"

printf 'country CN = drop\ndatabase = %s\n' "$TMP/nb.db" >"$TMP/db.conf"
ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/db.conf" --json >"$TMP/json" \
    2>"$TMP/err" || fail "replay with database= exited $?: $(cat "$TMP/err")"
python3 - "$TMP/json" <<'PY' || fail "JSON: $(cat "$TMP/json")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["client"], r["verdict"], r["country"]) for r in rows]
assert got == [("198.51.100.10:40001", "pass", None),
               ("1.0.1.5:40011", "drop", "CN"),
               ("[240e::5]:40012", "drop", "CN")], got
PY

# Without the database nobody has a country, and nobody is dropped.
ng_run "$GATE" -r "$TMP/c.pcap" -c "$TMP/gate.conf" >"$TMP/out" 2>/dev/null ||
    fail "replay without a database"
grep -q '^DROP' "$TMP/out" && fail "dropped without country data"
exit 0
