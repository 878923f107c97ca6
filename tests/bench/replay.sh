#!/bin/sh
# tests/bench/replay.sh - nfq-gate -r against a bare libpcap read loop over
# the same capture; replay_bench (the replay engineer's) does the timing.

. "$(dirname "$0")/bench.sh"

W="replay packets/s vs a bare libpcap loop"
have "$BENCH/replay_bench" || { na "$W" "replay_bench not built" "within 2x"; exit 0; }
NG_ROOT=$NG_ROOT timeout 300 "$BENCH/replay_bench" >"$TMP/rb" || {
	na "$W" "replay_bench failed" "within 2x"
	exit 0
}
cat "$TMP/rb" >&2
# "  bare libpcap loop   1234 packets/s  (0.1 s)" and "  replay (...) 567 packets/s"
bare=$(awk '/bare libpcap loop/ { for (i = 1; i <= NF; i++) if ($i == "packets/s") print $(i - 1) }' "$TMP/rb")
ours=$(awk '/^  replay/ { for (i = 1; i <= NF; i++) if ($i == "packets/s") print $(i - 1) }' "$TMP/rb")
n=$(awk '/packets in/ { print $2 }' "$TMP/rb")
[ -n "$bare" ] && [ -n "$ours" ] || { na "$W" "cannot read replay_bench output" "within 2x"; exit 0; }
r=$(ratio "$ours" "$bare")
row "$W ($(human "$n") packets)" "$(human "$ours")/s" "$(human "$bare")/s" "$r" \
    "$(goal_ge "$r" 0.5 "≥ 0.5 (within 2x)")"
