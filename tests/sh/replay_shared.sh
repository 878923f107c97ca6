# replay_shared.sh - real SMTP captures from other projects: every flow's
# right verdict is in $NFQG_SHARED_DATA/pcap/README.md (all "pass"), and
# no flow may be called a pre-greeting talker.  Traps: Ethernet padding
# on bare ACKs (smtp-file-data-01), a long session (smtp-lorem), a BSD
# loopback capture (smtp-pipelining).
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
need_shared pcap
DIR="$NFQG_SHARED_DATA/pcap"
[ -f "$DIR/README.md" ] || skip "$DIR/README.md absent"

# "| file.pcap [notes] | client:port | verdict |" rows of the table
grep '^| [^ ]*\.pcap' "$DIR/README.md" |
    awk -F'|' '{ split($2, f, " "); gsub(/ /, "", $3); gsub(/ /, "", $4);
	print f[1], $3, $4 }' >"$TMP/table"
[ -s "$TMP/table" ] || fail "no table rows in $DIR/README.md"
for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
	[ -f "$f" ] || continue
	grep -q "^$(basename "$f") " "$TMP/table" ||
	    fail "$(basename "$f") has no verdict in the README"
done

n=0
while read -r file client verdict; do
	[ -f "$DIR/$file" ] || fail "$file listed but absent"
	ng_run "$GATE" -r "$DIR/$file" --json >"$TMP/out" 2>"$TMP/err" </dev/null ||
	    fail "$file: exit $?: $(cat "$TMP/err")"
	grep -q "\"client\":\"$client\",[^}]*\"verdict\":\"$verdict\"" \
	    "$TMP/out" || fail "$file: $client is not $verdict: $(cat "$TMP/out")"
	grep -q '"verdict":"pregreet"' "$TMP/out" &&
	    fail "$file: a flow called a pregreet: $(cat "$TMP/out")"
	n=$((n + 1))
done <"$TMP/table"
echo "$n shared captures judged right"
[ "$n" -ge 1 ] || fail "no captures checked"
exit 0
