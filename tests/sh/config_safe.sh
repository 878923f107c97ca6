#!/bin/sh
# config_safe.sh - safe defaults and exit codes, through the programs.
#
#   - loopback (127.0.0.0/8, ::1) and mynetworks are never judged: bots
#     talking first from them are ALLOWLISTED, not PREGREET, while the
#     same bot from elsewhere is caught (the replay runs the live engine);
#   - ports = 465 stops the gate with exit 78 and the file and line;
#     587 is taken with a warning naming the file and line;
#   - every usage error is 64 (nfq-gate, its replay, nfq-gate-db and its
#     subcommands), --help is 0.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] && [ -x "$GATEDB" ] || fail "build first"
MK="python3 $NG_ROOT/tools/mkpcap.py"

expect_rc() {	# want label command...
	want=$1 label=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] || { cat "$TMP/out"; fail "$label: exit $rc, want $want"; }
	echo "$label: exit $rc"
}

# ---- never judged ----
$MK gen "$TMP/lo.pcap" \
    bot@127.0.0.1:40001,server=127.0.0.1 \
    bot@127.3.4.5:40002,server=127.0.0.1 \
    'bot@[::1]:40003,server=::1' \
    bot@192.0.2.7:40004 \
    'bot@[2001:db8:9::7]:40005' \
    bot@198.51.100.66:40006 || fail mkpcap
printf 'mynetworks = 192.0.2.0/24 [2001:db8:9::]/48\n' >"$TMP/my.conf"
ng_run "$GATE" -r "$TMP/lo.pcap" -c "$TMP/my.conf" >"$TMP/lo.out" \
    2>"$TMP/lo.err" || { cat "$TMP/lo.err"; fail "replay"; }
cat "$TMP/lo.out"
cat >"$TMP/want" <<'OUT'
ALLOWLISTED [127.0.0.1]:40001
ALLOWLISTED [127.3.4.5]:40002
ALLOWLISTED [::1]:40003
ALLOWLISTED [192.0.2.7]:40004
ALLOWLISTED [2001:db8:9::7]:40005
OUT
grep -v '^ALLOWLISTED' "$TMP/lo.out" | grep -q '^PREGREET .*\[198\.51\.100\.66\]:40006' ||
    fail "the bot outside mynetworks was not caught"
grep '^ALLOWLISTED' "$TMP/lo.out" | diff "$TMP/want" - ||
    fail "loopback and mynetworks were judged"
grep -q 'PREGREET.*\(127\.\|::1\|192\.0\.2\.7\|2001:db8:9::7\)' "$TMP/lo.out" &&
    fail "a never-judged client was called a pre-greeting talker"
# Without the mynetworks line, only loopback is spared.
ng_run "$GATE" -r "$TMP/lo.pcap" >"$TMP/lo2.out" 2>/dev/null || fail replay
[ "$(grep -c '^ALLOWLISTED' "$TMP/lo2.out")" = 3 ] ||
    { cat "$TMP/lo2.out"; fail "default: loopback not spared"; }
[ "$(grep -c '^PREGREET' "$TMP/lo2.out")" = 3 ] ||
    { cat "$TMP/lo2.out"; fail "default: bots outside loopback not caught"; }
echo "never judged: loopback 3, mynetworks 2; bots elsewhere caught"

# ---- 465 refused, 587 warned ----
printf '# x\nports = 25, 465\n' >"$TMP/465.conf"
expect_rc 78 "ports = 465" "$GATE" -r "$TMP/lo.pcap" -c "$TMP/465.conf"
grep -q "465.conf:2: ports: 465 is SMTPS (implicit TLS)" "$TMP/out" ||
    { cat "$TMP/out"; fail "465: no file:line message"; }
printf 'ports = 25 587\n' >"$TMP/587.conf"
expect_rc 0 "ports = 587" "$GATE" -r "$TMP/lo.pcap" -c "$TMP/587.conf"
grep -q "warning: .*587.conf:1: ports: 587 is submission" "$TMP/out" ||
    { cat "$TMP/out"; fail "587: no warning"; }

# ---- usage errors: 64 everywhere ----
expect_rc 64 "nfq-gate (no options)" "$GATE"
expect_rc 64 "nfq-gate --bogus" "$GATE" --bogus
expect_rc 64 "nfq-gate -q x" "$GATE" -q x
expect_rc 64 "nfq-gate -r (no file)" "$GATE" -r
expect_rc 0 "nfq-gate --help" "$GATE" --help
grep -q '^usage: nfq-gate' "$TMP/out" || fail "--help: no usage"
expect_rc 64 "nfq-gate-db (no command)" "$GATEDB"
expect_rc 64 "nfq-gate-db bogus" "$GATEDB" bogus
expect_rc 64 "nfq-gate-db build (no -o)" "$GATEDB" build x
expect_rc 64 "nfq-gate-db build --format x" "$GATEDB" build -o "$TMP/d" \
    --format x y
expect_rc 64 "nfq-gate-db build --overlap x" "$GATEDB" build -o "$TMP/d" \
    --overlap x y
expect_rc 64 "nfq-gate-db lookup (no db)" "$GATEDB" lookup
expect_rc 64 "nfq-gate-db export --bogus" "$GATEDB" export x --bogus
expect_rc 0 "nfq-gate-db --help" "$GATEDB" --help
echo "config_safe: every check passed"
exit 0
