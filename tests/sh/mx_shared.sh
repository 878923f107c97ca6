#!/bin/sh
# mx_shared.sh - two MX hosts, one memory: a real sending Postfix walking
# the MX records of a site whose two receiving Postfix hosts each stand
# behind their own gate, the gates sharing their tables through a real
# redis-server, and a trap MX.
#
# The site (tests/netns/mx.sh): dnsmasq publishes nolisting MX 10
# (203.0.113.10, on host A), MX 20 mxa (203.0.113.25, Postfix A), MX 20
# mxb (203.0.113.26, Postfix B) and a trap MX 30 (203.0.113.30, a
# deferring smtpd of host B); both gates greylist everyone (3 s), list
# the nolisting and trap addresses, and share their state through Redis
# in its own namespace (TCP over the bridge, AUTH as an ACL user that
# may touch only the nfq-gate: keys and channel).  Proved, each by an
# assertion that fails without the shared state:
#
#   1. greylisting on both MX: the sending Postfix's first try is refused
#      at the first MX 20 it picks and at once at the other as the same
#      first try (one Redis key, origin the first gate, the second gate's
#      entry listed with that origin and first-seen time); its retry after
#      the delay is delivered by whichever MX it picks; on the way it hits
#      the trap MX (all real MX refused it) and is excused, never
#      penalised;
#   2. the same behaviourally: a client refused at A, then at B 1.5 s
#      later, is let on at B 3.4 s after its first try (B alone would
#      still call it an early retry);
#   3. a client that passed at one MX gets PASS OLD at the other;
#   4. a bot reset at A (PREGREET) is refused at B's next SYN (PENALTY);
#      the propagation time is measured and printed;
#   5. a bot that connects to the trap MX first is penalised on both
#      gates (refused at A's and B's next SYN);
#   6. Redis killed: both gates say so once, mail still flows through
#      both hosts, local greylisting and pre-greeting tests still work;
#      Redis restarted empty: both gates reconnect and resync, and what A
#      learnt meanwhile (a pass, a penalty) reaches B.
# Every wait is bounded in tries and seconds; the whole test takes about
# a minute.  Skips without root, Postfix, swaks, dnsmasq or redis-server.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live dnsmasq python3
need_cmd redis-server redis-cli
# The shared state and the trap MX came together (issue 16).
for k in redis_url trap_mx mx_name; do
	"$GATE" --list-keys | grep -qx "$k" ||
	    skip "this nfq-gate has no $k key (built without shared state)"
done

GREY_MS=$((NGT_MX_GREY * 1000))
SENDER=$NGT_MX_SENDER
BOT=198.51.100.11 TRAPBOT=198.51.100.12 PROBE=198.51.100.14
DOWNCLI=198.51.100.15 DOWNBOT=198.51.100.16

ngt_mx_init
ngt_mx_site
for h in a b; do
	n=0
	until [ "$(ngt_mx_prom $h redis_up)" = 1 ]; do
		n=$((n + 1))
		[ $n -lt 50 ] || fail "gate $h: redis_up never 1"
		sleep 0.1
	done
done
echo "both gates up, linked to Redis at $NGT_REDIS_A4 (redis_up = 1)"
ngt_mx_dns
ngt_cpf_start "smtp_bind_address = $SENDER" "inet_protocols = ipv4" \
    "queue_run_delay = 4s" "minimal_backoff_time = 4s" \
    "maximal_backoff_time = 8s"
CLOG=$NGT_CPF/maillog
GA=$NGT_DIR/gate-a.log GB=$NGT_DIR/gate-b.log

# Helpers.
glog() { echo "$NGT_DIR/gate-$1.log"; }
other() { [ "$1" = a ] && echo b || echo a; }
mxaddr() { [ "$1" = a ] && echo "$NGT_MX_A" || echo "$NGT_MX_B"; }
expect_in() {	# a|b regex what [seconds]
	ngt_expect_log "$(glog "$1")" "$2" "gate $1: $3" "$4"
}
# The entry of TABLE for ADDR in a gate's listing, or nothing.
ctl_entry() {	# a|b table addr
	ngt_mx_ctl "$1" list "$2" "$3" 2>/dev/null | grep -F "$3/"
}
# Wait up to S seconds until gate H lists ADDR in TABLE; prints the
# milliseconds it took, or fails (in $(...): add "|| exit 1").
wait_entry() {	# h table addr seconds what
	t=$(ngt_ms) n=0
	until [ -n "$(ctl_entry "$1" "$2" "$3")" ]; do
		n=$((n + 1))
		[ $(( $(ngt_ms) - t )) -lt $(($4 * 1000)) ] && [ $n -lt 2000 ] ||
		    fail "$5: gate $1 has no $2 entry for $3 after $4 s"
		sleep 0.01
	done
	echo $(( $(ngt_ms) - t ))
}
# A client must be refused at its SYN and the gate log the reason.
expect_refused() {	# src h reason what
	out=$(ngt_mx_probe "$1" "$(mxaddr "$2")")
	[ "$out" = refused ] || fail "$4: $1 -> mx$2: $out, not refused"
	expect_in "$2" "$3 \[$(ngt_re "$1")\]:[0-9]+" "$4"
}
# The Redis value of one key: "v1 first=... count=... origin=...".
rget() { ngt_redis_cli get "nfq-gate:$1"; }
origin_of() { rget "$1" | sed -n 's/.* origin=\([^ ]*\).*/\1/p'; }
ser=$(ngt_re "$SENDER")

# The bot's first try, to be greylisted like anyone: by the time of
# check 4 its retry is past greylist_delay and reaches the greeting test.
[ "$(ngt_mx_probe "$BOT" "$NGT_MX_A")" = refused ] ||
    fail "bot: first SYN to mxa not refused (greylisting)"

echo "== 1. greylisting on both MX, a real sending Postfix"
t0=$(ngt_ms)
qid=$(ngt_cpf_send grey)
[ -n "$qid" ] || fail "no queue id in the sending Postfix's log"
# Deferred after the trap MX, the last one: its reset comes while
# Postfix connects ("relay=none ... Connection reset by peer") or while
# it waits for the greeting ("relay=mx30... lost connection").
ngt_expect_log "$CLOG" "$qid: to=<u@$NGT_DOMAIN>, relay=[^,]*, .*status=deferred" \
    "first try deferred" 15
td=$(ngt_ms)
for mx in mx10 mxa mxb; do
	ngt_expect_log "$CLOG" "connect to $mx\.$NGT_DOMAIN\[[0-9.]+\]:25: Connection refused" \
	    "$mx refused the first try" 1
done
grep -q "mx30\.$NGT_DOMAIN\[" "$CLOG" ||
    fail "the sending Postfix did not go on to the trap MX 30"
grep -E "connect to|lost connection|$qid: .*deferred" "$CLOG" | sed 's/^.*\]: /   sender | /'
# Which MX 20 it tried first (Postfix shuffles equal preferences).
FIRST=$(grep -oE "connect to mx[ab]\.$NGT_DOMAIN" "$CLOG" | head -n 1 |
    sed 's/connect to mx\(.\).*/\1/')
SECOND=$(other "$FIRST")
echo "first try: mx10 refused (NOLISTING), then mx$FIRST, then mx$SECOND, then the trap"
expect_in a "NOLISTING \[$ser\]:[0-9]+ to \[$(ngt_re "$NGT_MX_NOLIST")\]:25" "nolisting"
expect_in "$FIRST" "GREYLIST \[$ser\]:[0-9]+" "first try greylisted"
expect_in "$SECOND" "GREYLIST \[$ser\]:[0-9]+" "try of the other MX refused"
grep -E "connect from [^ ]*\[$ser\]" "$NGT_DIR"/postfix-?/maillog &&
    fail "a receiving Postfix saw the greylisted tries"
# One first try, not two: one Redis key, written by the first gate; the
# second gate's own entry carries that origin and its first-seen time.
keys=$(ngt_redis_cli --scan --pattern "nfq-gate:grey:$SENDER/*")
[ "$(echo "$keys" | grep -c .)" -eq 1 ] ||
    fail "expected one grey key for $SENDER in Redis, got: $keys"
val=$(rget "grey:$SENDER/32")
echo "Redis: $keys = $val"
[ "$(origin_of "grey:$SENDER/32")" = "mx-$FIRST" ] ||
    fail "the grey key's origin is not mx-$FIRST (the first MX tried): $val"
ent=$(ctl_entry "$SECOND" greylist "$SENDER")
echo "gate $SECOND's greylist entry: $ent"
case $ent in *origin=mx-$FIRST*) ;;
*) fail "gate $SECOND's grey entry for $SENDER is its own, not mx-$FIRST's: $ent" ;;
esac
f1=$(ngt_mx_ctl "$FIRST" --json list greylist "$SENDER" |
    grep -o '"first":[0-9]*' | head -n 1)
f2=$(ngt_mx_ctl "$SECOND" --json list greylist "$SENDER" |
    grep -o '"first":[0-9]*' | head -n 1)
[ -n "$f1" ] && [ "$f1" = "$f2" ] ||
    fail "first-seen differs: gate $FIRST $f1, gate $SECOND $f2"
# The trap: the sender reached it only after every real MX refused it,
# so it was excused (it had just connected to them), never penalised.
TRAPRE="TRAP \[$ser\]:[0-9]+ to \[$(ngt_re "$NGT_MX_TRAP")\]:25"
expect_in b "$TRAPRE: excused" "the sending Postfix excused at the trap"
# The retry, once greylist_delay has passed since the first try (which
# was before the deferral was logged and seen, td).
now=$(( $(ngt_ms) - td ))
[ "$now" -ge $((GREY_MS + 200)) ] ||
    sleep "$(echo "$GREY_MS $now" | awk '{ printf "%.3f", ($1 + 200 - $2) / 1000 }')"
ngt_in "$NGT_CLI" postqueue -c "$NGT_CPF/etc" -f || fail "postqueue -f"
ngt_expect_log "$CLOG" \
    "$qid: to=<u@$NGT_DOMAIN>, relay=mx[ab]\.$NGT_DOMAIN\[[0-9.]+\]:25, .*status=sent \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)" \
    "retry delivered" 20
GREYMS=$(( $(ngt_ms) - t0 ))
VIA=$(sed -n "s/.*$qid: to=<u@$NGT_DOMAIN>, relay=mx\([ab]\)\..*status=sent.*/\1/p" "$CLOG")
sqid=$(sed -n "s/.*$qid: to=.*status=sent.*queued as \([0-9A-F]*\)).*/\1/p" "$CLOG")
ngt_expect_log "$NGT_DIR/postfix-$VIA/maillog" \
    "$sqid: to=<u@$NGT_DOMAIN>.*status=sent \(delivered" "Postfix $VIA delivered $sqid"
expect_in "$VIA" "GREYLIST PASS \[$ser\]:[0-9]+" "retry let on"
expect_in "$VIA" "PASS NEW \[$ser\]:[0-9]+" "retry passed the greeting test"
defers=$(grep -c "$qid: .*status=deferred" "$CLOG")
echo "1: delivered by mx$VIA after $GREYMS ms ($defers deferral(s); greylist_delay ${NGT_MX_GREY} s, greet pause 2 s)"

echo "== 2. the shared first try, behaviourally"
# Times are taken when a probe has returned, so after its SYN: the try
# at B comes well within greylist_delay of A's, the mail well after it,
# however slowly the probes start on a loaded machine.
[ "$(ngt_mx_probe "$PROBE" "$NGT_MX_A")" = refused ] || fail "probe: mxa let a first try in"
t0=$(ngt_ms)
sleep 1.5
[ "$(ngt_mx_probe "$PROBE" "$NGT_MX_B")" = refused ] || fail "probe: mxb let an early retry in"
tb=$(( $(ngt_ms) - t0 ))
[ "$tb" -lt $((GREY_MS - 500)) ] || fail "probe: the try at B came $tb ms after A's (too slow a machine)"
now=$(( $(ngt_ms) - t0 ))
sleep "$(echo "$GREY_MS $now" | awk '{ printf "%.3f", ($1 + 300 - $2) / 1000 }')"
ngt_mx_use b
ngt_mail_ok "$PROBE" "$NGT_MX_B" probe-b
expect_in b "GREYLIST PASS \[$(ngt_re "$PROBE")\]:[0-9]+" "probe let on at B"
echo "2: first try at A, early retry at B up to $tb ms later, let on at B $((GREY_MS + 300)) ms or more after A (B's own entry would be younger than greylist_delay)"

echo "== 3. passed at mx$VIA, PASS OLD at mx$(other "$VIA")"
O=$(other "$VIA")
PASSMS=$(wait_entry "$O" pass "$SENDER" 5 "pass entry") || exit 1
ngt_mx_use "$O"
ngt_mail_ok "$SENDER" "$(mxaddr "$O")" passold
expect_in "$O" "PASS OLD \[$ser\]:[0-9]+" "PASS OLD for the sender"
[ "$MS" -lt 1500 ] || fail "PASS OLD session took $MS ms (the pause is 2 s)"
echo "3: pass entry at mx$O $PASSMS ms after polling began; session $MS ms at mx$O"

echo "== 4. a bot reset at A is refused at B's next SYN"
# The bot talks first at A and is reset; from that moment B's control
# socket is asked until B lists the bot in its penalty box.
out=$(ngt_mx_bot_prop "$BOT" "$NGT_MX_A" b penalty)
echo "bot at mxa, then gate B polled: $out"
case $out in *result=reset*) ;; *) fail "bot not reset at A: $out" ;; esac
PROPMS=${out#*ms=} PROPMS=${PROPMS%% *}
PROPLO=${out#*after=} PROPLO=${PROPLO%% *}
[ "$PROPMS" != none ] || fail "B never listed the bot A penalised (5 s)"
expect_in a "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$BOT")\]:[0-9]+" "bot PREGREET"
expect_refused "$BOT" b PENALTY "bot at B"
echo "4: the penalty at A reached B's table between $PROPLO and $PROPMS ms after the bot's reset; B: $(ctl_entry b penalty "$BOT")"
[ "$(origin_of "penalty:$BOT/32")" = mx-a ] || fail "penalty key origin: $(rget "penalty:$BOT/32")"

echo "== 5. a bot that goes to the trap MX first"
out=$(ngt_mx_bot_prop "$TRAPBOT" "$NGT_MX_TRAP" a penalty)
echo "trap bot at mx30, then gate A polled: $out"
case $out in *result=reset*) ;; *) fail "trap bot not reset: $out" ;; esac
TRAPMS=${out#*ms=} TRAPMS=${TRAPMS%% *}
TRAPLO=${out#*after=} TRAPLO=${TRAPLO%% *}
[ "$TRAPMS" != none ] || fail "A never listed the bot B's trap penalised (5 s)"
# With shared state gate B asks Redis first (has another gate seen it?),
# then penalises: "TRAP [a]:p to [s]:25: pending, asking the shared
# state", then "TRAP [a]:p to [s]:25: penalised".
expect_in b "TRAP \[$(ngt_re "$TRAPBOT")\]:[0-9]+ to \[$(ngt_re "$NGT_MX_TRAP")\]:25: penalised" \
    "trap bot penalised"
expect_refused "$TRAPBOT" a PENALTY "trap bot at A"
expect_refused "$TRAPBOT" b PENALTY "trap bot at B"
grep -E "connect from [^ ]*\[$(ngt_re "$TRAPBOT")\]" "$NGT_DIR"/postfix-?/maillog &&
    fail "a Postfix heard of the trap bot"
echo "5: trap bot penalised at B (after asking Redis), in A's table between $TRAPLO and $TRAPMS ms after its reset, refused at both"

echo "== 6. Redis killed"
ngt_redis_kill KILL
tk=$(ngt_ms)
for h in a b; do
	expect_in $h "shared state: redis .*unavailable: .*; local only" "link down" 10
done
DOWNMS=$(( $(ngt_ms) - tk ))
sleep 1.5
for h in a b; do
	[ "$(ngt_mx_prom $h redis_up)" = 0 ] || fail "gate $h: redis_up not 0"
done
# Mail still flows on both hosts: direct sessions, and the sending Postfix.
for h in a b; do
	ngt_mx_use $h
	ngt_mail_ok "$SENDER" "$(mxaddr $h)" down-$h
	expect_in $h "PASS OLD \[$ser\]:[0-9]+.*" "PASS OLD with Redis down"
done
q=$(ngt_cpf_send down) && [ -n "$q" ] || fail "no queue id for the mail sent with Redis down"
ngt_expect_log "$CLOG" "$q: to=<u@$NGT_DOMAIN>, relay=mx[ab]\..*status=sent" \
    "sending Postfix delivers with Redis down" 15
# Local state still works: a new client greylisted and let on at A, a
# new bot greylisted, then caught talking first.
for c in "$DOWNCLI" "$DOWNBOT"; do
	[ "$(ngt_mx_probe "$c" "$NGT_MX_A")" = refused ] ||
	    fail "$c: first SYN to mxa not greylisted with Redis down"
done
sleep "$(echo "$NGT_MX_GREY" | awk '{ print $1 + 0.3 }')"
ngt_mx_use a
ngt_mail_ok "$DOWNCLI" "$NGT_MX_A" down-new
expect_in a "PASS NEW \[$(ngt_re "$DOWNCLI")\]:[0-9]+" "new client passed, Redis down"
out=$(ngt_bot "$DOWNBOT" "$NGT_MX_A" 3)
case $out in *result=reset*) ;; *) fail "bot not reset at A, Redis down: $out" ;; esac
[ -z "$(ctl_entry b pass "$DOWNCLI")" ] ||
    fail "B knows of $DOWNCLI with Redis down?"
# Redis back, empty: both reconnect (backoff) and push what they hold.
ngt_redis_start
tr=$(ngt_ms)
for h in a b; do
	expect_in $h "shared state: redis .*back after [0-9]+s; resynced [0-9]+ entries" \
	    "link back, resync" 40
done
BACKMS=$(( $(ngt_ms) - tr ))
RESYNC=$(grep -ho "back after [0-9]*s; resynced [0-9]* entries" "$GA" "$GB" | tr '\n' ';')
ra=$(wait_entry b pass "$DOWNCLI" 10 "resynced pass") || exit 1
rb=$(wait_entry b penalty "$DOWNBOT" 10 "resynced penalty") || exit 1
ngt_mx_use b
ngt_mail_ok "$DOWNCLI" "$NGT_MX_B" after-b
expect_in b "PASS OLD \[$(ngt_re "$DOWNCLI")\]:[0-9]+" "A's pass made during the outage, at B"
expect_refused "$DOWNBOT" b PENALTY "A's penalty made during the outage, at B"
[ -n "$(rget "pass:$SENDER/32")" ] || fail "the sender's pass entry not back in Redis"
# The counters file is rewritten every second (stats_interval).
for h in a b; do
	n=0
	until [ "$(ngt_mx_prom $h redis_reconnects_total)" -ge 1 ] &&
	    [ "$(ngt_mx_prom $h redis_up)" = 1 ]; do
		n=$((n + 1))
		[ $n -lt 30 ] || fail "gate $h: redis_reconnects_total" \
		    "$(ngt_mx_prom $h redis_reconnects_total), redis_up" \
		    "$(ngt_mx_prom $h redis_up) after the resync"
		sleep 0.1
	done
done
echo "6: both gates noticed within $DOWNMS ms; mail flowed on both; back $BACKMS ms after Redis restarted ($RESYNC); A's outage pass and penalty listed at B within ${ra} and ${rb} ms more"

echo "== the sending Postfix was never penalised"
for h in a b; do
	grep -E "TRAP \[$ser\](:[0-9]+ to [^ ]*)?: penalised" "$(glog $h)" &&
	    fail "gate $h penalised the sending Postfix at the trap"
	grep -E "(PENALTY|PREGREET .* from) \[$ser\]" "$(glog $h)" &&
	    fail "gate $h refused the sending Postfix"
	[ -z "$(ctl_entry $h penalty "$SENDER")" ] ||
	    fail "gate $h has the sending Postfix in its penalty box"
done
grep -hE "TRAP \[$ser\]" "$GA" "$GB" | sed 's/^/   /'

echo "figures: greylisted delivery over two MX ${GREYMS} ms; penalty A->B ${PROPLO}..${PROPMS} ms;" \
    "trap penalty B->A ${TRAPLO}..${TRAPMS} ms; Redis down noticed in ${DOWNMS} ms," \
    "back ${BACKMS} ms after restart"
echo "all multi-MX shared-state checks passed"
exit 0
