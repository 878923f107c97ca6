#!/bin/sh
# redis_share.sh - the shared state on a real redis-server, daemon side:
# two gates, each in its own server namespace on its own queue (A on 0,
# B on 1), share one Redis in a third namespace; A reaches it over TCP
# as an ACL user, B through its unix socket in our temp directory.
# Proved, in order:
#
#   1. bad data planted in Redis by hand (a key outside the grammar, a
#      value in no known version) is read by both gates' first resync,
#      logged and ignored; a bad message PUBLISHed by hand too;
#   2. PASS NEW at A is PASS OLD at B (the Redis value names mx-a, B's
#      nfq-gate-ctl lists the entry with origin=mx-a);
#   3. PREGREET at A is PENALTY at B's next SYN; the propagation time
#      (A's penalty to B's table) is printed;
#   4. a greylist first try at A makes B's immediate try an early retry
#      of the same entry: one Redis key, origin mx-a, B's entry A's
#      first-seen time with a second try counted;
#   5. redis-server killed: each gate says "unavailable" exactly once,
#      mail still flows through A, a bot is still reset at A (local
#      state); redis-server restarted empty: both gates say "back" and
#      resync, and what A made meanwhile is in Redis and at B;
#   6. the trap MX at B (trap_mx): a hit with no contact B knows is
#      asked of Redis: a contact planted there excuses it, none gets
#      the client penalised, and A refuses its next SYN;
#   7. a "Redis" that takes the connection and never answers (a plain
#      unix listener), switched to by a SIGHUP: B fails open within
#      redis_timeout, and a SYN is not delayed meanwhile;
#   8. both gates stop cleanly (no sanitizer report in an ASan build),
#      and B's saved pass cache keeps the origin (state file version 2).
# Every wait is bounded in tries and seconds.  Skips without root,
# Postfix, swaks or redis-server.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live python3
command -v redis-server >/dev/null ||
    skip "redis-server not installed (Debian redis-server)"
need_cmd redis-cli
"$GATE" --list-keys | grep -qx redis_url ||
    skip "this nfq-gate has no redis_url key"

# LeakSanitizer (an asan build) stops the world with clone(), which the
# gate's seccomp filter kills; leaks are checked with sandbox = no.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

GREYCLI=1.0.1.5		# in the sample database's CN: greylisted
NEWCLI=198.51.100.13 BOT=198.51.100.11 DOWNCLI=198.51.100.14
DOWNBOT=198.51.100.16 PROBE=198.51.100.17 TRAPOK=198.51.100.18
TRAPBOT=198.51.100.19
SILENT_PID=

# The EXIT trap: the silent listener too, then the site (mx.sh).
cleanup() {
	rc=$?
	[ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null
	(exit $rc)
	ngt_mx_cleanup
}

# redis-server in the red namespace (mx.sh): TCP for A, a unix socket
# for B.
redis_start() {
	ngt_redis_start --unixsocket "$RSOCK" --unixsocketperm 700
}

# Host h's gate config: greet pause 2 s, CN greylisted (30 s delay, so
# every try in this test is early), its Redis URL, counters every
# second, more lines after.
gate_conf() {	# a|b url [lines...]
	ngt_mx_use "$1"
	mkdir -p "$NGT_STATE"
	cat >"$NGT_CONF" <<EOF
# written by tests/sh/redis_share.sh for $NGT_MX_NAME
greet_pause = 2s
database = $NGT_DB
state_dir = $NGT_STATE
control_socket = $NGT_DIR/ctl-$1.sock
user = root
stats_interval = 1s
country CN = greylist
greylist_delay = 30s
greylist_window = 1h
redis_url = $2
redis_timeout = 500ms
mx_name = $NGT_MX_NAME
EOF
	shift 2
	for l; do echo "$l"; done >>"$NGT_CONF"
	chmod 600 "$NGT_CONF"
}

# Start host h's gate on queue q (rules first), with debug lines.
gate_start() {	# a|b queue
	ngt_mx_use "$1"
	ngt_rules_install --queue "$2"
	ngt_gate_start "$NGT_CONF" -q "$2" -d
	ngt_mx_use "$1"
}

glog() { echo "$NGT_DIR/gate-$1.log"; }
mxaddr() { [ "$1" = a ] && echo "$NGT_MX_A" || echo "$NGT_MX_B"; }
expect_in() {	# a|b regex what [seconds]
	ngt_expect_log "$(glog "$1")" "$2" "gate $1: $3" "$4"
}
count_in() {	# a|b regex
	grep -cE "$2" "$(glog "$1")"
}
rget() { ngt_redis_cli get "nfq-gate:$1"; }
ctl_entry() {	# a|b table addr
	ngt_mx_ctl "$1" list "$2" "$3" 2>/dev/null | grep -F "$3/"
}
# Wait up to S seconds for a counter of gate h to reach v.
prom_is() {	# h name value seconds what
	n=0
	until [ "$(ngt_mx_prom "$1" "$2")" = "$3" ]; do
		n=$((n + 1))
		[ $n -lt $(($4 * 10)) ] ||
		    fail "$5: gate $1: $2 is $(ngt_mx_prom "$1" "$2"), not $3"
		sleep 0.1
	done
}

ngt_mx_init
trap 'cleanup' EXIT
ngt_mx_topology
# The greylisted client: a CN address in the client namespace.
ngt_addr "$NGT_CLI" eth0 "$GREYCLI/24"
for ns in "$NGT_MXA" "$NGT_MXB"; do
	ngt_route "$ns" 1.0.1.0/24 eth0
done
RSOCK=$NGT_DIR/redis/redis.sock
redis_start

# ---- 1. bad data, planted before the gates come ----
ngt_redis_cli set "nfq-gate:pass:198.51.100.99/32" "v9 first=1 count=1 origin=x" \
    px 600000 >/dev/null || fail "planting a bad value"
ngt_redis_cli set "nfq-gate:penalty:not-an-address" \
    "v1 first=1 count=1 origin=x" px 600000 >/dev/null ||
    fail "planting a bad key"
ngt_redis_cli set "nfq-gate:grey:198.51.100.98/32" \
    "v1 first=1700000000000000 count=1 origin=planted" >/dev/null ||
    fail "planting a key without TTL"

ngt_db_build
ngt_mx_postfix a
ngt_mx_postfix b
gate_conf a "redis://$NGT_REDIS_USER:$NGT_REDIS_PASS@$NGT_REDIS_A4:$NGT_REDIS_PORT/0"
gate_conf b "unix:$RSOCK?user=$NGT_REDIS_USER&password=$NGT_REDIS_PASS" \
    "trap_mx = $NGT_MX_TRAP"
gate_start a 0
gate_start b 1
for h in a b; do
	expect_in $h "shared state: redis .* connected as mx-$h; resynced" \
	    "first connect and resync" 10
	prom_is $h redis_up 1 5 "after the first resync"
	expect_in $h "shared state: pass 198\.51\.100\.99/32: value: version \"v9\", expected v1: ignored" \
	    "a planted bad value"
	expect_in $h "shared state: key \"nfq-gate:penalty:not-an-address\": bad address/len: ignored" \
	    "a planted bad key"
	expect_in $h "shared state: grey 198\.51\.100\.98/32: PTTL: the key has no expiry: ignored" \
	    "a planted key without expiry"
done
grep -E "shared state: redis" "$(glog a)" "$(glog b)"
# A bad message on the channel: logged by both, nothing else happens.
ngt_redis_cli publish nfq-gate:updates "pass 198.51.100.97/32 v1 first=x" \
    >/dev/null || fail "publishing a bad message"
for h in a b; do
	expect_in $h "shared state: message \"pass 198\.51\.100\.97/32 v1 first=x\": expected .*: ignored" \
	    "a bad message"
	kill -0 "$(eval echo \$NGT_MX_PID_$h)" || fail "gate $h died on bad data"
done
echo "1: bad data in Redis and on the channel logged and ignored by both gates"

# ---- 2. PASS NEW at A is PASS OLD at B ----
ngt_mx_use a
ngt_mail_ok "$NEWCLI" "$NGT_MX_A" pass-new-a
expect_in a "PASS NEW \[$(ngt_re "$NEWCLI")\]:[0-9]+" "PASS NEW"
val=$(rget "pass:$NEWCLI/32")
echo "Redis pass:$NEWCLI/32 = $val (ttl $(ngt_redis_cli pttl "nfq-gate:pass:$NEWCLI/32") ms)"
case $val in "v1 first="*" count=1 origin=mx-a") ;;
*) fail "pass key for $NEWCLI: \"$val\"" ;; esac
[ "$(ngt_mx_probe "$NEWCLI" "$NGT_MX_B")" = open ] ||
    fail "$NEWCLI not let on at B"
expect_in b "PASS OLD \[$(ngt_re "$NEWCLI")\]:[0-9]+" "PASS OLD at B"
ent=$(ctl_entry b pass "$NEWCLI")
echo "gate b: $ent"
case $ent in *origin=mx-a*) ;; *) fail "B's pass entry not from mx-a: $ent" ;; esac
echo "2: PASS NEW at A is PASS OLD at B (origin=mx-a)"

# ---- 3. PREGREET at A is PENALTY at B's next SYN ----
ngt_bot_reset "$BOT" "$NGT_MX_A" bot-a 3
expect_in a "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$BOT")\]:[0-9]+" "PREGREET"
t0=$(ngt_ms)
[ "$(ngt_mx_probe "$BOT" "$NGT_MX_B")" = refused ] ||
    fail "the bot reset at A was let on at B"
expect_in b "PENALTY \[$(ngt_re "$BOT")\]:[0-9]+" "PENALTY at B"
prop=$(sed -n "s/.*shared state: penalty $(ngt_re "$BOT")\/32 from mx-a: count 1, first seen \([0-9.]*\) ms ago.*/\1/p" \
    "$(glog b)" | head -n 1)
[ -n "$prop" ] || fail "gate b logged no penalty from mx-a for $BOT"
echo "3: PREGREET at A is PENALTY at B; A's penalty was in B's table" \
    "$prop ms after A made it (B's next SYN refused $(( $(ngt_ms) - t0 )) ms" \
    "after the bot's reset, a probe's start-up included)"

# ---- 4. a greylist first try at A, the immediate try at B ----
[ "$(ngt_mx_probe "$GREYCLI" "$NGT_MX_A")" = refused ] ||
    fail "greylisted client not refused at A"
[ "$(ngt_mx_probe "$GREYCLI" "$NGT_MX_B")" = refused ] ||
    fail "greylisted client not refused at B"
expect_in a "GREYLIST \[$(ngt_re "$GREYCLI")\]:[0-9]+" "first try at A"
expect_in b "GREYLIST \[$(ngt_re "$GREYCLI")\]:[0-9]+" "try at B"
keys=$(ngt_redis_cli --scan --pattern "nfq-gate:grey:1.0.1.*")
echo "Redis grey keys: $keys = $(rget "grey:$GREYCLI/32")"
[ "$keys" = "nfq-gate:grey:$GREYCLI/32" ] || fail "grey keys: $keys"
case $(rget "grey:$GREYCLI/32") in *" count=1 origin=mx-a") ;;
*) fail "grey value not A's first try: $(rget "grey:$GREYCLI/32")" ;; esac
ea=$(ctl_entry a greylist "$GREYCLI") eb=$(ctl_entry b greylist "$GREYCLI")
echo "gate a: $ea"
echo "gate b: $eb"
case $eb in *"count 2 "*origin=mx-a*) ;;
*) fail "B's try is not an early retry of A's entry: $eb" ;; esac
fa=$(ngt_mx_ctl a --json list greylist "$GREYCLI" | grep -o '"first":[0-9]*')
fb=$(ngt_mx_ctl b --json list greylist "$GREYCLI" | grep -o '"first":[0-9]*')
[ -n "$fa" ] && [ "$fa" = "$fb" ] || fail "first-seen: A $fa, B $fb"
echo "4: the try at B is the same first try as at A (one key, $fa)"

# ---- 5. redis-server killed, and back ----
ngt_redis_kill KILL
for h in a b; do
	expect_in $h "shared state: redis .* unavailable: .*; local only" \
	    "Redis killed" 5
	prom_is $h redis_up 0 5 "Redis killed"
done
ngt_mx_use a
ngt_mail_ok "$DOWNCLI" "$NGT_MX_A" down-a
expect_in a "PASS NEW \[$(ngt_re "$DOWNCLI")\]:[0-9]+" "PASS NEW, Redis down"
[ "$MS" -lt 6000 ] || fail "mail took $MS ms with Redis down"
ngt_bot_reset "$DOWNBOT" "$NGT_MX_A" bot-down 3
expect_in a "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$DOWNBOT")\]" "PREGREET, Redis down"
[ "$(ngt_mx_probe "$DOWNBOT" "$NGT_MX_A")" = refused ] ||
    fail "local penalty box not enforced with Redis down"
status=$(ngt_mx_ctl a status)
echo "$status" | grep -E "^(health|reason|shared state)"
echo "$status" | grep -q "^shared state: *DOWN" || fail "status does not say DOWN"
sleep 3		# tries fail meanwhile (1 s, then 2 s): no more lines
for h in a b; do
	n=$(count_in $h "shared state: redis .* unavailable")
	[ "$n" = 1 ] || fail "gate $h: $n \"unavailable\" lines, want 1"
done
echo "5a: Redis down: one line each, mail delivered in $MS ms, local penalty box works"
t0=$(ngt_ms)
redis_start
for h in a b; do
	expect_in $h "shared state: redis .* back after [0-9a-z]+; resynced [0-9]+ entries" \
	    "back after the restart" 40
	prom_is $h redis_up 1 5 "Redis back"
	[ "$(ngt_mx_prom $h redis_reconnects_total)" -ge 1 ] ||
	    fail "gate $h: redis_reconnects_total not counted"
done
echo "5b: both gates back $(( $(ngt_ms) - t0 )) ms after the restart:"
grep -hE "shared state: redis .* back after" "$(glog a)" "$(glog b)"
for k in "pass:$DOWNCLI/32" "penalty:$DOWNBOT/32" "pass:$NEWCLI/32"; do
	v=$(rget "$k")
	echo "Redis $k = $v"
	case $v in "v1 first="*) ;; *) fail "$k not resynced into Redis" ;; esac
done
[ "$(ngt_mx_probe "$DOWNBOT" "$NGT_MX_B")" = refused ] ||
    fail "the penalty A made while Redis was down did not reach B"
expect_in b "PENALTY \[$(ngt_re "$DOWNBOT")\]:[0-9]+" "resynced PENALTY at B"
echo "5c: what A made while Redis was down is in Redis and refused at B"

# ---- 6. the trap MX at B asks Redis what B does not know ----
# A contact planted in Redis only (no message): B's own contacts lack
# it, so the hit is pending, and Redis' answer excuses it.
now_us=$(( $(date +%s%N) / 1000 ))
ngt_redis_cli set "nfq-gate:contact:$TRAPOK/32" \
    "v1 first=$now_us count=1 origin=mx-x" px 600000 >/dev/null ||
    fail "planting a contact"
trap_re() { echo "TRAP \[$(ngt_re "$1")\]:[0-9]+ to \[$(ngt_re "$NGT_MX_TRAP")\]:25"; }
ngt_mx_probe "$TRAPOK" "$NGT_MX_TRAP" >/dev/null
expect_in b "$(trap_re "$TRAPOK"): pending, asking the shared state" \
    "trap hit without a local contact"
expect_in b "$(trap_re "$TRAPOK"): excused, contact [0-9a-z]+ ago at mx-x" \
    "trap hit excused by Redis"
ngt_mx_probe "$TRAPBOT" "$NGT_MX_TRAP" >/dev/null
expect_in b "$(trap_re "$TRAPBOT"): pending, asking the shared state" \
    "a bot at the trap"
expect_in b "$(trap_re "$TRAPBOT"): penalised" "the bot penalised"
[ "$(ngt_mx_probe "$TRAPBOT" "$NGT_MX_A")" = refused ] ||
    fail "the bot penalised at B's trap was let on at A"
expect_in a "PENALTY \[$(ngt_re "$TRAPBOT")\]:[0-9]+" "trap penalty at A"
grep -hE "TRAP \[($(ngt_re "$TRAPOK")|$(ngt_re "$TRAPBOT"))\]" "$(glog b)"
echo "6: B's trap asked Redis: excused by a contact only Redis knew," \
    "penalised without one (refused at A)"

# ---- 7. a Redis that never answers: fail open within redis_timeout ----
SILENT=$NGT_DIR/silent.sock
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16)
held = []
for _ in range(200):
    c, _a = s.accept()
    held.append(c)        # never read, never answered
time.sleep(60)' "$SILENT" >/dev/null 2>&1 &
SILENT_PID=$!
n=0
until [ -S "$SILENT" ]; do
	n=$((n + 1))
	[ $n -lt 50 ] || fail "the silent listener did not start"
	sleep 0.1
done
ngt_mx_use b
sed -i "s|^redis_url = .*|redis_url = unix:$SILENT|" "$NGT_CONF"
before=$(count_in b "unavailable: no answer within 500ms")
t0=$(ngt_ms)
kill -HUP "$NGT_GATE_PID" || fail "SIGHUP"
expect_in b "shared state: now redis unix:$SILENT" "the new redis_url" 5
n=0
until [ "$(count_in b "unavailable: no answer within 500ms")" -gt "$before" ]; do
	n=$((n + 1))
	[ $n -lt 300 ] || fail "gate b: no fail open on a silent Redis"
	sleep 0.01
done
ms=$(( $(ngt_ms) - t0 ))
grep -E "shared state: redis unix:$SILENT" "$(glog b)"
[ "$ms" -lt 1500 ] || fail "failed open after $ms ms (redis_timeout 500ms)"
t1=$(ngt_ms)
[ "$(ngt_mx_probe "$PROBE" "$NGT_MX_B")" = open ] ||
    fail "a SYN at B was not let on with a silent Redis"
echo "7: a silent Redis: B failed open $ms ms after the SIGHUP" \
    "(redis_timeout 500ms); a new client's connect took $(( $(ngt_ms) - t1 )) ms"
for h in a b; do
	kill -0 "$(eval echo \$NGT_MX_PID_$h)" || fail "gate $h died"
done

# ---- 8. clean stops, and B's saved pass cache names mx-a ----
for h in a b; do
	ngt_mx_use $h
	ngt_gate_stop
	[ "$NGT_RC" = 0 ] || fail "gate $h exited $NGT_RC"
	! grep -q "Sanitizer" "$(glog $h)" || fail "gate $h: sanitizer report"
done
ngt_mx_use b
head -n 1 "$NGT_STATE/pass.state" | grep -qx "nfq-gate-state 2 pass" ||
    fail "B's pass.state is not version 2: $(head -n 1 "$NGT_STATE/pass.state")"
grep -E "^$(ngt_re "$NEWCLI")/32 [0-9]+ [0-9]+ [0-9]+ mx-a$" \
    "$NGT_STATE/pass.state" || fail "B's pass.state lost the origin mx-a"
echo "all shared-state checks passed"
exit 0
