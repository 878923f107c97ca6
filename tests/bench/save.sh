#!/bin/sh
# tests/bench/save.sh - verdict latency while the full tables are saved,
# against the same engine with no save, side by side in one run
# (save_bench drives the engine, state_saver.c and the writer thread the
# way live.c does).  A third row shows the old way: the whole save on
# the loop.

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
