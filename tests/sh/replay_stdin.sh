# replay_stdin.sh - "-r -" reads the capture from standard input, pcap or
# pcapng, with the same verdicts as the file.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"

for fmt in pcap pcapng; do
	$MK gen - --format $fmt polite@198.51.100.10:40001 \
	    bot@198.51.100.11:40002 'polite@[2001:db8:1::10]:40003' \
	    >"$TMP/s.$fmt" || fail "mkpcap to stdout"
	ng_run "$GATE" -r "$TMP/s.$fmt" >"$TMP/file.out" 2>/dev/null ||
	    fail "replay of the file"
	ng_run "$GATE" -r - <"$TMP/s.$fmt" >"$TMP/stdin.out" 2>"$TMP/err" ||
	    fail "replay of stdin exited $?: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/stdin.out")" -eq 3 ] || fail "3 lines expected"
	diff -u "$TMP/file.out" "$TMP/stdin.out" || fail "stdin differs"
	grep -q '^summary: file=stdin ' "$TMP/err" || fail "summary name"
	# and through a pipe, which cannot seek
	cat "$TMP/s.$fmt" | ng_run "$GATE" --json -r - >"$TMP/pipe.out" \
	    2>/dev/null || fail "replay of a pipe"
	[ "$(grep -c '"verdict":"pass"' "$TMP/pipe.out")" = 2 ] ||
	    fail "pipe: $(cat "$TMP/pipe.out")"
done
exit 0
