#!/bin/sh
# tests/bench/score.sh - what one score costs (score_bench): CPU ns per
# SYN through ng_engine_packet with the fingerprint and the score on
# (rules/nfq-gate.fp, a DNS list, rDNS, score lines) vs a gate with
# neither; ns per tested client for its whole test (SYN, SYN-ACK, held
# ACK, the pause's end, where the score is judged) on vs off; and the
# daemon's DNS work per tested client with its answers cached.

. "$(dirname "$0")/bench.sh"

W="one score: CPU ns per SYN through ng_engine_packet, fingerprint + score on vs off"
N=${NG_BENCH_SCORE_SYNS:-200000}
have "$BENCH/score_bench" || { na "$W" "score_bench not built" "≤ 1.3"; exit 0; }
timeout 250 "$BENCH/score_bench" "$NG_ROOT/rules/nfq-gate.fp" "$N" \
    >"$TMP/scb" || { na "$W" "score_bench failed" "≤ 1.3"; exit 0; }
cat "$TMP/scb" >&2
v() { kv "$1" <"$TMP/scb"; }
on=$(v syn_ns_on) off=$(v syn_ns_off)
[ -n "$on" ] && [ -n "$off" ] || { na "$W" "cannot read score_bench output" "≤ 1.3"; exit 0; }
r=$(ratio "$on" "$off")
row "$W ($(human "$N") new clients)" "$on ns" "$off ns" "$r" \
    "$(goal_le "$r" 1.3 "≤ 1.3")"
r=$(ratio "$(v test_ns_on)" "$(v test_ns_off)")
row "a tested client's whole test (SYN, SYN-ACK, held ACK, pause's end: $(v scored_on) scored) on vs off" \
    "$(v test_ns_on) ns" "$(v test_ns_off) ns" "$r" "—"
row "daemon DNS work per tested client, answers cached ($(v dns_clients) clients x 4 lookups: start, poll, result)" \
    "$(v dns_cached_ns) ns" "—" "—" "—"
