# replay_fp.sh - the shared captures' SYNs classed by the shipped
# rules/nfq-gate.fp, with their raw signatures: stable classes for known
# stacks (Windows XP and 7, Linux 2.6 to 6.x, macOS on lo0; README "SYN
# fingerprints"), so a change to the fingerprint or the file that moves
# one shows here.  Without "fingerprints" no fp appears at all.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
need_shared pcap
D=$NFQG_SHARED_DATA/pcap
printf 'fingerprints = %s\n' "$NG_ROOT/rules/nfq-gate.fp" >"$TMP/fp.conf"

while read -r f cls sig; do
	[ -f "$D/$f" ] || fail "$D/$f absent"
	ng_run "$GATE" -r "$D/$f" -c "$TMP/fp.conf" --json >"$TMP/json" \
	    2>"$TMP/err" || fail "$f: replay exited $?: $(cat "$TMP/err")"
	got=$(python3 -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
print(len(r), r[0]["fp"], r[0]["fp_sig"])' "$TMP/json") ||
	    fail "$f: JSON: $(cat "$TMP/json")"
	[ "$got" = "1 $cls $sig" ] || fail "$f: got '$got', want '1 $cls $sig'"
done <<'EOF2'
snort3_alert_before_server_response.pcap windows 4:128+0:0:1460:16384,0:mss,nop,nop,sok:df,id+:0
snort3_appids_smtp.pcap windows 4:128+0:0:1460:65535,0:mss,nop,nop,sok:df,id+:0
snort3_smtp-lorem.pcap linux 4:64+0:0:2260:mss*3,6:mss,sok,ts,nop,ws:df,id+:0
suricata-verify_bug-3616-smtp.pcap windows 4:128+0:0:1460:65535,0:mss,nop,nop,sok:df,id+:0
suricata-verify_firewall__ruletype-firewall-122-smtp__smtp-simple-session.pcap linux 4:64+0:0:1460:mss*44,10:mss,sok,ts,nop,ws:df,id+:0
suricata-verify_smtp-data-rejected__10.7.29.101_49898-178.63.41.150_25.pcap windows 4:128+0:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0
suricata-verify_smtp-file-data-01.pcap linux 4:32+0:0:400:5792,0:mss,nop,nop,ts:df,id+:0
suricata-verify_smtp-no-helo-quit.pcap linux 4:64+0:0:1460:mss*44,10:mss,sok,ts,nop,ws:df,id+:0
suricata-verify_smtp-pipelining.pcap macos 4:64+0:0:16344:65535,5:mss,nop,ws,nop,nop,ts,sok,eol+1:df:0
suricata-verify_smtp-startssl.pcap linux 4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0
EOF2

# No signature file: no fp in the lines or the JSON.
f=$D/snort3_appids_smtp.pcap
ng_run "$GATE" -r "$f" --json >"$TMP/json" 2>/dev/null || fail "plain replay"
grep -q '"fp' "$TMP/json" && fail "fp without a signature file: $(cat "$TMP/json")"
ng_run "$GATE" -r "$f" -v >"$TMP/lines" 2>/dev/null || fail "plain replay -v"
grep -q 'fp=' "$TMP/lines" && fail "fp= without a signature file"
ng_run "$GATE" -r "$f" -v -c "$TMP/fp.conf" >"$TMP/lines" 2>/dev/null
grep -qx 'PASS NEW \[10.4.11.89\]:3306 fp=windows' "$TMP/lines" ||
    fail "log line: $(cat "$TMP/lines")"
echo "ok: 10 captures classed"
