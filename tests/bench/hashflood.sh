#!/bin/sh
# tests/bench/hashflood.sh - the flow table under a hash flood: SYNs whose
# (address, port) pairs share one bucket of the old hash, against SYNs from
# random sources, through the engine with its SipHash key, and the same
# keys replayed through the old scheme's table work (hash_bench).

. "$(dirname "$0")/bench.sh"

W="hash flood: ns per SYN through ng_engine_packet, keys colliding under the old hash vs random keys"
N=${NG_BENCH_HASH_KEYS:-65535} NOLD=${NG_BENCH_HASH_OLD:-16384}
have "$BENCH/hash_bench" || { na "$W" "hash_bench not built" "≤ 1.5"; exit 0; }
timeout 250 "$BENCH/hash_bench" "$N" "$NOLD" >"$TMP/hb" || {
	na "$W" "hash_bench failed" "≤ 1.5"
	exit 0
}
cat "$TMP/hb" >&2
v() { kv "$1" <"$TMP/hb"; }
nc=$(v new_collide_ns) nr=$(v new_random_ns)
sc=$(v table_collide_ns) sr=$(v table_random_ns)
oc=$(v old_collide_ns) orr=$(v old_random_ns)
[ -n "$nc" ] && [ -n "$oc" ] || { na "$W" "cannot read hash_bench output" "≤ 1.5"; exit 0; }
r=$(ratio "$nc" "$nr")
row "$W ($(human "$N") SYNs each, SipHash-2-4 keyed from getrandom)" \
    "$nc ns" "$nr ns" "$r" "$(goal_le "$r" 1.5 "≤ 1.5")"
r=$(ratio "$sc" "$sr")
row "flow table alone (find + insert), SipHash: colliding vs random ($(human "$NOLD") keys; longest chain $(v table_collide_chain) vs $(v table_random_chain))" \
    "$sc ns" "$sr ns" "$r" "$(goal_le "$r" 1.5 "≤ 1.5")"
r=$(ratio "$oc" "$orr")
row "the same table work under the old hash, as it was: colliding vs random ($(human "$NOLD") keys; longest chain $(v old_collide_chain) vs $(v old_random_chain))" \
    "$oc ns" "$orr ns" "$r" "— (the flaw)"
r=$(ratio "$sr" "$orr")
row "cost of the keyed hash: flow table alone, random keys, SipHash vs the old hash" \
    "$sr ns" "$orr ns" "$r" "—"
