#!/bin/sh
# tests/bench/synfp.sh - the CPU cost of SYN fingerprinting: ns per SYN
# through the engine with the shipped signature file vs without one, the
# same with thousands of filler signatures (the match must not scan),
# and the fingerprint + match alone vs the packet parse alone.

. "$(dirname "$0")/bench.sh"

W="SYN fingerprint: CPU ns per SYN through ng_engine_packet, rules/nfq-gate.fp vs no signature file"
N=${NG_BENCH_SYNFP_SYNS:-200000}
have "$BENCH/synfp_bench" || { na "$W" "synfp_bench not built" "≤ 1.2"; exit 0; }
timeout 250 "$BENCH/synfp_bench" "$NG_ROOT/rules/nfq-gate.fp" "$N" \
    >"$TMP/sb" || { na "$W" "synfp_bench failed" "≤ 1.2"; exit 0; }
cat "$TMP/sb" >&2
v() { kv "$1" <"$TMP/sb"; }
off=$(v off_ns) on=$(v on_ns) big=$(v big_ns)
[ -n "$off" ] && [ -n "$on" ] || { na "$W" "cannot read synfp_bench output" "≤ 1.2"; exit 0; }
r=$(ratio "$on" "$off")
row "$W ($(human "$N") SYNs, $(v sigs) signatures, Linux/Windows/macOS/no-option layouts)" \
    "$on ns" "$off ns" "$r" "$(goal_le "$r" 1.2 "≤ 1.2")"
r=$(ratio "$big" "$on")
row "the same with $(v big_sigs) signatures (filler layouts) vs $(v sigs): a lookup, not a scan" \
    "$big ns" "$on ns" "$r" "$(goal_le "$r" 1.2 "≤ 1.2")"
r=$(ratio "$(v alone_ns)" "$(v parse_ns)")
row "parse + fingerprint + match alone vs the packet parse alone" \
    "$(v alone_ns) ns" "$(v parse_ns) ns" "$r" "—"
