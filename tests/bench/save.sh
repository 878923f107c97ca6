#!/bin/sh
# tests/bench/save.sh - verdict latency while the full tables are saved,
# against the same engine with no save, side by side in one run
# (save_bench drives the engine, state_saver.c and the writer thread the
# way live.c does).  A third row shows the old way: the whole save on
# the loop.  Then the same live, on NFQUEUE (saveclient.py).

. "$(dirname "$0")/bench.sh"

N=${NG_BENCH_SAVE_ENTRIES:-100000}
W="worst verdict latency while the full tables (3 x $(human "$N") entries) are saved"
have "$BENCH/save_bench" || { na "$W" "save_bench not built" "≤ 2x"; exit 0; }
timeout 120 "$BENCH/save_bench" "$N" 3 20000 >"$TMP/sb" || {
	na "$W" "save_bench failed" "≤ 2x"
	exit 0
}
cat "$TMP/sb" >&2
get() {	# run key
	awk -v r="$1" -v k="$2" '$1 == r { for (i = 2; i <= NF; i++) {
		split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$TMP/sb"
}
nw=$(get none worst_us) np=$(get none p99_us)
ow=$(get off-loop worst_us) op=$(get off-loop p99_us)
sw=$(get on-loop worst_us) sp=$(get on-loop p99_us)
[ -n "$nw" ] && [ -n "$ow" ] && [ -n "$sw" ] ||
    { na "$W" "cannot read save_bench output" "≤ 2x"; exit 0; }
ms() { calc "$1 / 1000" "%.2f ms"; }
r=$(ratio "$ow" "$nw")
row "$W, saves back to back, 20 k SYNs/s (save $(get off-loop save_ms_avg) ms avg, $(get off-loop steps) copy steps, worst step $(get off-loop step_cpu_us_max) µs CPU) vs no save" \
    "$(ms "$ow")" "$(ms "$nw")" "$r" "$(goal_le "$r" 2 "≤ 2x")"
r=$(ratio "$op" "$np")
row "p99 verdict latency, the same runs" "$(ms "$op")" "$(ms "$np")" "$r" "—"
r=$(ratio "$sw" "$nw")
row "worst verdict latency with the whole save on the loop (the old way; save $(get on-loop save_ms_avg) ms) vs no save" \
    "$(ms "$sw")" "$(ms "$nw")" "$r" "—"

# The same question live: the gate on NFQUEUE in namespaces, greetd on
# port 25, one client connecting 200 times a second (the SYN and the
# SYN-ACK each wait for a verdict), and a bot every half second so that
# a save is due every second.  Full tables (3 x N entries loaded from
# state files) against empty ones, same gate, same load, in this run.
WL="live: worst connect latency through the gate while it saves 3 x $(human "$N") entries each second"
[ "$(id -u)" = 0 ] || { na "$WL" "needs root for namespaces" "≤ 2x"; exit 0; }
have_live && have "$BENCH/greetd" || { na "$WL" "live gate or greetd not built" "≤ 2x"; exit 0; }
. "$NG_ROOT/tests/netns.sh"
ngt_init
fail() { na "$WL" "$*" "≤ 2x"; exit 0; }
ngt_topology local
BOTS=
for i in $(seq 100 139); do
	ngt_addr "$NGT_CLI" eth0 "198.51.100.$i/24"
	BOTS="$BOTS${BOTS:+,}198.51.100.$i"
done
ngt_rules_install --family 4
ngt_in "$NGT_SRV" "$BENCH/greetd" "$NGT_SRV_A4" 25 120 >/dev/null 2>&1 &
db=$(bench_db) || fail "database build failed"

# state_dir holding 3 x N live entries (full) or nothing (empty).
fill_state() {	# full|empty
	rm -f "$TMP/state/"*.state
	[ "$1" = full ] || return 0
	python3 - "$TMP/state" "$N" <<'PY'
import sys, time
d, n, now = sys.argv[1], int(sys.argv[2]), int(time.time())
for kind in ("pass", "penalty", "greylist"):
    with open("%s/%s.state" % (d, kind), "w") as f:
        f.write("nfq-gate-state 1 %s\n" % kind)
        for i in range(n):
            f.write("10.%d.%d.%d/32 %d %d 1\n" % (i >> 16 & 255, i >> 8 & 255,
                    i & 255, now - 100, now + 86400))
        f.write("end %d\n" % n)
PY
}

live_run() {	# full|empty -> "n=.. worst_ms=.. p99_ms=.. bots=.."
	gate_conf "$db" "greet_pause = 1s" "stats_interval = 1h" \
	    "cache_max = $N" "log_rate = 100"
	mkdir -p "$TMP/state"
	fill_state "$1"
	: >"$NGT_GATELOG"
	ngt_gate_start "$NGT_CONF" -f --no-syslog
	gpid=$(gate_pid) || fail "the gate is not running"
	ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/bench/saveclient.py" \
	    "$NGT_SRV_A4" "$NGT_CLI_A4" "$BOTS" 8 200 || fail "client failed"
	saves=$(grep -c "PREGREET" "$NGT_GATELOG")
	gate_stop "$gpid"
	say "live $1: $saves PREGREET lines; $(grep -c 'state:' "$NGT_GATELOG") state lines"
}
full=$(live_run full) empty=$(live_run empty)
say "live full: $full"
say "live empty: $empty"
fw=$(echo "$full" | tr ' ' '\n' | kv worst_ms) ew=$(echo "$empty" | tr ' ' '\n' | kv worst_ms)
fp=$(echo "$full" | tr ' ' '\n' | kv p99_ms) ep=$(echo "$empty" | tr ' ' '\n' | kv p99_ms)
[ -n "$fw" ] && [ -n "$ew" ] || fail "no result from the client"
r=$(ratio "$fw" "$ew")
row "$WL (200 connects/s for 8 s; p99 $fp ms vs $ep ms) vs the same gate with empty tables" \
    "$fw ms" "$ew ms" "$r" "$(goal_le "$r" 2 "≤ 2x")"
