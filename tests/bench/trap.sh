#!/bin/sh
# tests/bench/trap.sh - what the trap MX costs a SYN: new clients through
# ng_engine_packet with trap_mx set (every SYN to the real MX puts its
# client in the contacts table) against trap_mx empty (trap_bench,
# rounds alternating, best of 7 each).

. "$(dirname "$0")/bench.sh"

W="trap MX: ns per SYN of a new client through ng_engine_packet, trap_mx set (contact recorded) vs trap_mx empty"
N=${NG_BENCH_TRAP_SYNS:-200000}
have "$BENCH/trap_bench" || { na "$W" "trap_bench not built" "—"; exit 0; }
timeout 250 "$BENCH/trap_bench" "$N" >"$TMP/tb" || {
	na "$W" "trap_bench failed" "—"
	exit 0
}
cat "$TMP/tb" >&2
on=$(kv syn_ns_trap_on <"$TMP/tb") off=$(kv syn_ns_trap_off <"$TMP/tb")
[ -n "$on" ] && [ -n "$off" ] ||
    { na "$W" "cannot read trap_bench output" "—"; exit 0; }
row "$W ($(human "$N") SYNs, one address each)" "$on ns" "$off ns" \
    "$(ratio "$on" "$off")" "—"
