# replay_many.sh - 1,200 interleaved flows (about 200 open at once,
# every 4th a bot), counted both in the JSON and in the summary.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"
N=1200

$MK gen "$TMP/many.pcap" --many $N --pad garbage || fail "mkpcap"
ng_run "$GATE" -r "$TMP/many.pcap" --json >"$TMP/out" 2>"$TMP/err" ||
    fail "replay exited $?: $(cat "$TMP/err")"
python3 - "$TMP/out" $N <<'PY' || fail "JSON verdicts wrong"
import collections, json, sys
n = int(sys.argv[2])
rows = [json.loads(l) for l in open(sys.argv[1])]
count = collections.Counter(r["verdict"] for r in rows)
want = {"pass": n - n // 4, "pregreet": n // 4}
assert count == want, (count, want)
clients = {r["client"] for r in rows}
assert len(clients) == n, len(clients)
# every 4th client (10.0.0.4, 10.0.0.8, ...) is the bot
for r in rows:
    last = int(r["client"].split(":")[0].split(".")[3]) + \
        256 * int(r["client"].split(".")[2])
    assert (r["verdict"] == "pregreet") == (last % 4 == 0), r
PY
grep -q "^summary: file=.* flows=$N\$" "$TMP/err" ||
    fail "flow count: $(cat "$TMP/err")"
grep -q "^summary: verdicts pass=$((N - N / 4)) pregreet=$((N / 4)) " \
    "$TMP/err" || fail "summary verdicts: $(cat "$TMP/err")"
exit 0
