# replay_score.sh - the one score in a replay: no DNS there, but the
# fingerprint, country, ASN and owner parts score, and the decision and
# its SCORE line come out as live.  Two shared captures with known
# stacks (replay_fp.sh): a Windows client (weight 5: rejected at
# dnsbl_threshold 5) and a Linux one (weight 3: greylisted at
# score_greylist 3); weights 0: the normal test, "score":0 in the JSON;
# no weight at all: nothing scored, no "score" key.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
need_shared pcap
D=$NFQG_SHARED_DATA/pcap
WIN=$D/snort3_appids_smtp.pcap
LNX=$D/suricata-verify_smtp-no-helo-quit.pcap
[ -f "$WIN" ] && [ -f "$LNX" ] || skip "shared captures absent"

conf() {	# windows-weight linux-weight
	cat >"$TMP/s.conf" <<CONF
fingerprints = $NG_ROOT/rules/nfq-gate.fp
score fingerprint windows = $1
score fingerprint linux = $2
score_greylist = 3
dnsbl_threshold = 5
dnsbl_sites = zen.example*3
CONF
}
json() {	# pcap -> the one decision's JSON in $TMP/json
	ng_run "$GATE" -r "$1" -c "$TMP/s.conf" --json >"$TMP/json" \
	    2>"$TMP/err" || fail "replay of $1 exited $?: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/json")" -eq 1 ] || fail "want one decision: $(cat "$TMP/json")"
}
field() {	# key
	python3 -c 'import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(r.get(sys.argv[2], "absent"))' "$TMP/json" "$1"
}

conf 5 3
json "$WIN"
[ "$(field verdict) $(field score) $(field score_action) $(field rule)" = \
    "reject 5 reject score" ] || fail "windows: $(cat "$TMP/json")"
json "$LNX"
[ "$(field verdict) $(field score) $(field reason)" = "greylist 3 score" ] ||
    fail "linux: $(cat "$TMP/json")"
ng_run "$GATE" -r "$WIN" -c "$TMP/s.conf" >"$TMP/lines" 2>/dev/null
grep -qx 'SCORE 5 reject for \[10.4.11.89\]:3306: fp=windows(5) country=--(0)' \
    "$TMP/lines" || fail "SCORE line: $(cat "$TMP/lines")"
grep -qx 'REJECT \[10.4.11.89\]:3306 country=-- rule="score" fp=windows' \
    "$TMP/lines" || fail "REJECT line: $(cat "$TMP/lines")"
grep -q 'dnsbl=' "$TMP/lines" && fail "a DNS part in a replay"

conf 0 0
json "$LNX"
[ "$(field verdict) $(field score) $(field score_action)" = "pass 0 test" ] ||
    fail "weights 0: $(cat "$TMP/json")"

printf 'fingerprints = %s\n' "$NG_ROOT/rules/nfq-gate.fp" >"$TMP/s.conf"
json "$WIN"
[ "$(field verdict) $(field score)" = "pass absent" ] ||
    fail "nothing to score: $(cat "$TMP/json")"
echo "ok: replay scores fingerprints, no DNS"
