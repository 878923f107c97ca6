# replay_errors.sh - what goes wrong says so: a missing or garbage file,
# an unsupported link type, a capture cut off mid-record (exit 1, the
# message names the file), usage errors (64) and a bad config (78).
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"

expect() {	# exit status, stderr pattern, args...
	want=$1 pat=$2; shift 2
	ng_run "$GATE" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = "$want" ] ||
	    fail "nfq-gate $* exited $rc, not $want: $(cat "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" ||
	    fail "nfq-gate $*: no \"$pat\" in: $(cat "$TMP/err")"
}

expect 1 "$TMP/none.pcap" -r "$TMP/none.pcap"
printf 'this is not a capture file at all\n' >"$TMP/junk.pcap"
expect 1 "$TMP/junk.pcap: " -r "$TMP/junk.pcap"
: >"$TMP/empty.pcap"
expect 1 "$TMP/empty.pcap" -r "$TMP/empty.pcap"
expect 1 "stdin" -r - <"$TMP/junk.pcap"

# 802.11 (105) is a link type we do not decode.
$MK gen "$TMP/wifi.pcap" --linktype 105 polite@198.51.100.10:1 || fail mk
expect 1 "$TMP/wifi.pcap: unsupported link type 105 (IEEE802_11)" \
    -r "$TMP/wifi.pcap"
$MK gen "$TMP/wifi.pcapng" --format pcapng --linktype 105 \
    polite@198.51.100.10:1 || fail mk
expect 1 "$TMP/wifi.pcapng: unsupported link type 105" -r "$TMP/wifi.pcapng"

# A capture cut off in the middle of a record: the flows before the cut
# are still judged, then the error, then exit 1.
$MK gen "$TMP/ok.pcap" polite@198.51.100.10:40001 \
    polite@198.51.100.20:40002 || fail mk
size=$(wc -c <"$TMP/ok.pcap")
head -c $((size - 30)) "$TMP/ok.pcap" >"$TMP/cut.pcap"
expect 1 "$TMP/cut.pcap: .*truncated" -r "$TMP/cut.pcap"
grep -q '^PASS NEW \[198.51.100.10\]:40001$' "$TMP/out" ||
    fail "flows before the cut were not judged"
grep -q '^summary: ' "$TMP/err" || fail "no summary after a read error"

# Usage errors.  Argument parsing touches no file: under valgrind one
# representative run is enough, the rest run natively to keep this fast.
expect 64 "usage:" -r
NG_VALGRIND=
expect 64 "usage:" -r "$TMP/ok.pcap" --bogus
expect 64 "usage:" -r "$TMP/ok.pcap" extra-argument
expect 64 "bad --greet-pause" -r "$TMP/ok.pcap" --greet-pause soon
expect 64 "bad --greet-pause" -r "$TMP/ok.pcap" --greet-pause 9999
expect 64 "usage:" --json -r

# A config that does not parse, or is not there.
printf 'greet_pause = \nthis is = = not a config\n' >"$TMP/bad.conf"
expect 78 "bad.conf" -r "$TMP/ok.pcap" -c "$TMP/bad.conf"
expect 78 "$TMP/none.conf" -r "$TMP/ok.pcap" -c "$TMP/none.conf"

# A country database that is not there, asked for by name.
expect 1 "$TMP/none.db" -r "$TMP/ok.pcap" --db "$TMP/none.db"
exit 0
