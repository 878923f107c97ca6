# replay_json.sh - nfq-gate -r --json: one JSON object per flow decision,
# with every key, correct types, escaped early bytes, and nothing for
# informational events (hangups).
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"

$MK gen "$TMP/a.pcapng" --format pcapng \
    polite@198.51.100.10:40001 \
    bot@198.51.100.11:40002 \
    hangup@198.51.100.12:40003 \
    'bot@[2001:db8:b1::11]:40004,mode=crlf' \
    'polite@[2001:db8:1::10]:40005' || fail "mkpcap"
ng_run "$GATE" -r "$TMP/a.pcapng" --json >"$TMP/out" 2>"$TMP/err" ||
    fail "replay exited $? ($(cat "$TMP/err"))"

python3 - "$TMP/out" <<'PY' || fail "JSON output wrong: $(cat "$TMP/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = {"client", "server", "verdict", "country", "reason", "after",
        "bytes", "first", "asn", "owner", "rule"}
want = [
    ("198.51.100.10:40001", "203.0.113.25:25", "pass", None),
    ("198.51.100.11:40002", "203.0.113.25:25", "pregreet", "EHLO bot\\r\\n"),
    ("[2001:db8:b1::11]:40004", "[2001:db8:25::25]:25", "pregreet", "\\r\\n"),
    ("[2001:db8:1::10]:40005", "[2001:db8:25::25]:25", "pass", None),
]
assert len(rows) == len(want), rows
for r, (c, s, v, first) in zip(rows, want):
    assert set(r) == keys, r
    assert (r["client"], r["server"], r["verdict"], r["first"]) == \
        (c, s, v, first), r
    assert r["country"] is None, r
    assert r["asn"] is None and r["owner"] is None and r["rule"] is None, r
    assert isinstance(r["after"], float) and 0 <= r["after"] < 1, r
    assert isinstance(r["bytes"], int), r
    assert isinstance(r["reason"], str) and r["reason"], r
assert rows[1]["bytes"] == 10 and rows[2]["bytes"] == 2, rows
assert abs(rows[1]["after"] - 0.01) < 1e-9, rows[1]
# Passed at its ACK of the greeting (0.07), before its command (0.10).
assert abs(rows[0]["after"] - 0.07) < 1e-9, rows[0]
PY
grep -q "HANGUP" "$TMP/out" && fail "informational event in JSON output"
exit 0
