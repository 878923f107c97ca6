#!/bin/sh
# docs_drift.sh - the manuals, the sample config and the programs agree.
#
# Data-driven, so keys and options added later are held to it too:
#   - the keys come from the parser's own table (nfq-gate --list-keys),
#     nfq-gate.conf(5)'s KEYS section (each ".TP" entry's bold names) and
#     rules/nfq-gate.conf (active lines and "#key = example" lines);
#     every documented or sample key must be one the parser takes, every
#     key it takes must be documented, and the entry of every key a
#     SIGHUP cannot change ("start-only") must say "Read at start only",
#     and only those;
#   - the options are those of nfq-gate(8)'s OPTIONS section and
#     nfq-gate-db(8)'s SYNOPSIS against what --help prints, both ways;
#     nfq-gate-ctl(8)'s OPTIONS section (and its SYNOPSIS one way), and
#     its VERBS section against the verbs its --help lists, both ways.
# Then the checks are run on doctored copies (a key dropped from the
# manual, an unknown key in the sample, an option missing from --help)
# to show that they fail.

. "$(dirname "$0")/../lib.sh"
CTL="$NG_BUILD/nfq-gate-ctl"
[ -x "$GATE" ] && [ -x "$GATEDB" ] && [ -x "$CTL" ] ||
    fail "build first ($GATE, $GATEDB, $CTL)"

CONF5=$NG_ROOT/man/nfq-gate.conf.5
GATE8=$NG_ROOT/man/nfq-gate.8
DB8=$NG_ROOT/man/nfq-gate-db.8
CTL8=$NG_ROOT/man/nfq-gate-ctl.8
SAMPLE=$NG_ROOT/rules/nfq-gate.conf

# The bold key names on the line after each .TP of the KEYS section.
man_keys() {	# conf.5
	awk '
	    /^\.SH / { keys = ($2 == "KEYS") }
	    !keys { next }
	    tp { tp = 0; if ($0 ~ /^\.B/) print }
	    /^\.TP/ { tp = 1 }' "$1" |
	sed -e 's/\\f[BIRP]//g' -e 's/"//g' -e 's/^\.[A-Z]* *//' |
	awk -F '[ ,]+' '{
	    for (i = 1; i <= NF && $i ~ /^[a-z][a-z0-9_]*$/; i++) print $i }' |
	sort -u
}

# Keys whose entry (.TP to the next .TP, .SS or .SH) says it.
man_start_only() {	# conf.5
	awk '
	    function done() { if (key != "" && so) print key; key = ""; so = 0 }
	    /^\.SH / { done(); keys = ($2 == "KEYS"); next }
	    !keys { next }
	    /^\.(TP|SS)/ { done(); tp = 1; next }
	    tp { tp = 0; line = $0; gsub(/\\f[BIRP]|"/, "", line)
	         sub(/^\.[A-Z]* */, "", line); split(line, w, /[ ,]+/)
	         key = w[1]; next }
	    /Read at start only/ { so = 1 }
	    END { done() }' "$1" | sort -u
}

sample_keys() {	# nfq-gate.conf
	sed -n -e 's/^#\{0,1\}\(country\|asn\|owner\) .*=.*/\1/p' \
	    -e 's/^#\{0,1\}\([a-z][a-z0-9_]*\) *=.*/\1/p' "$1" | sort -u
}

# Words of --help or a SYNOPSIS that are options: -x, --long-name.
options_in() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' | grep -oE '(^|[][ ,|])--?[a-zA-Z][a-zA-Z-]*' |
	    sed 's/^[][ ,|]//' | sort -u
}

man_section() {	# file section: the section's lines
	awk -v s="$2" '/^\.SH / { on = ($2 == s); next } on' "$1"
}

# The words on the line after each .TP of a section: the entries' names.
man_tp_heads() {	# file section
	man_section "$1" "$2" | grep -A1 '^\.TP' | grep -v -e '^\.TP' -e '^--$'
}

# nfq-gate-ctl's verbs: those its --help lists, and the VERBS entries.
help_verbs() {	# help text on stdin
	awk '/^verbs:/ { on = 1; sub(/^verbs:/, "") } /^ *-/ { on = 0 }
	    on && NF { print $1 }' | sort -u
}
man_verbs() {	# nfq-gate-ctl.8
	man_tp_heads "$1" VERBS | sed -e 's/\\f[BIRP]//g' -e 's/"//g' \
	    -e 's/^\.[A-Z]* *//' | awk '{ print $1 }' | sort -u
}

# Lines only in the first list, as "what: item".
only_in() {	# what list1 list2
	printf '%s\n' "$2" >"$TMP/a"
	printf '%s\n' "$3" >"$TMP/b"
	comm -23 "$TMP/a" "$TMP/b" | sed "/^\$/d; s/^/$1: /"
}

# Every key check; prints each problem, returns 1 if there was one.
check_keys() {	# parser-list conf.5 sample
	parser=$(awk '{ print $1 }' "$1" | sort -u)
	pstart=$(awk '$2 == "start-only" { print $1 }' "$1" | sort -u)
	doc=$(man_keys "$2")
	dstart=$(man_start_only "$2")
	smp=$(sample_keys "$3")
	out=$( {
	    only_in "in nfq-gate.conf(5), unknown to the parser" "$doc" "$parser"
	    only_in "in the sample, unknown to the parser" "$smp" "$parser"
	    only_in "known to the parser, not in nfq-gate.conf(5)" "$parser" "$doc"
	    only_in "start-only, but nfq-gate.conf(5) does not say \"Read at start only\"" "$pstart" "$dstart"
	    only_in "\"Read at start only\" in nfq-gate.conf(5), but SIGHUP changes it" "$dstart" "$pstart"
	} )
	[ -z "$out" ] && return 0
	printf '%s\n' "$out"
	return 1
}

check_options() {	# what help-text man-text
	h=$(printf '%s\n' "$2" | options_in)
	m=$(printf '%s\n' "$3" | options_in)
	out=$( {
	    only_in "$1: in the manual, not in --help" "$m" "$h"
	    only_in "$1: in --help, not in the manual" "$h" "$m"
	} )
	[ -z "$out" ] && return 0
	printf '%s\n' "$out"
	return 1
}

"$GATE" --list-keys >"$TMP/keys" || fail "nfq-gate --list-keys"
[ "$(wc -l <"$TMP/keys")" -gt 30 ] || fail "--list-keys: $(cat "$TMP/keys")"
"$GATE" --help >"$TMP/gate.help" || fail "nfq-gate --help: exit $?"
"$GATEDB" --help >"$TMP/db.help" || fail "nfq-gate-db --help: exit $?"
"$CTL" --help >"$TMP/ctl.help" || fail "nfq-gate-ctl --help: exit $?"

bad=0
check_keys "$TMP/keys" "$CONF5" "$SAMPLE" || bad=1
check_options nfq-gate "$(cat "$TMP/gate.help")" \
    "$(man_section "$GATE8" OPTIONS | grep -A1 '^\.TP' | grep -v '^\.TP')" ||
    bad=1
check_options nfq-gate-db "$(cat "$TMP/db.help")" \
    "$(man_section "$DB8" SYNOPSIS)" || bad=1
check_options nfq-gate-ctl "$(cat "$TMP/ctl.help")" \
    "$(man_tp_heads "$CTL8" OPTIONS)" || bad=1
# Its SYNOPSIS has the short forms only: each must be a real option.
only_in "nfq-gate-ctl(8)'s SYNOPSIS, not in --help" \
    "$(man_section "$CTL8" SYNOPSIS | options_in)" \
    "$(options_in <"$TMP/ctl.help")" | grep . && bad=1
only_in "nfq-gate-ctl verbs: in --help, not in nfq-gate-ctl(8)'s VERBS" \
    "$(help_verbs <"$TMP/ctl.help")" "$(man_verbs "$CTL8")" | grep . && bad=1
only_in "nfq-gate-ctl verbs: in nfq-gate-ctl(8)'s VERBS, not in --help" \
    "$(man_verbs "$CTL8")" "$(help_verbs <"$TMP/ctl.help")" | grep . && bad=1
[ "$(help_verbs <"$TMP/ctl.help" | wc -l)" -ge 9 ] ||
    fail "nfq-gate-ctl --help lists no verbs: $(cat "$TMP/ctl.help")"
# export has a usage of its own; it must say what the main one says.
"$GATEDB" export --help 2>"$TMP/export.help" >/dev/null ||
    fail "nfq-gate-db export --help: exit $?"
only_in "nfq-gate-db export --help, not in nfq-gate-db --help" \
    "$(options_in <"$TMP/export.help")" "$(options_in <"$TMP/db.help")" |
    grep . && bad=1
[ $bad = 0 ] || fail "the documentation and the programs disagree (above)"
echo "keys: $(wc -l <"$TMP/keys") in the parser, $(man_keys "$CONF5" |
    wc -l) in nfq-gate.conf(5), $(sample_keys "$SAMPLE" | wc -l) in the sample;" \
    "$(man_start_only "$CONF5" | wc -l) start-only"
echo "options: nfq-gate $(options_in <"$TMP/gate.help" | wc -l)," \
    "nfq-gate-db $(options_in <"$TMP/db.help" | wc -l)," \
    "nfq-gate-ctl $(options_in <"$TMP/ctl.help" | wc -l)" \
    "and $(help_verbs <"$TMP/ctl.help" | wc -l) verbs"

# ---- the checks catch drift ----
must_fail() {	# label output-regex command...
	label=$1 want=$2; shift 2
	if out=$("$@"); then
		fail "drift not caught: $label"
	fi
	printf '%s\n' "$out" | grep -q -- "$want" ||
	    fail "$label: no \"$want\" in: $out"
	echo "caught: $label: $(printf '%s\n' "$out" | head -1)"
}
# A key the parser knows, its entry dropped from the manual.
awk '/^\.B greet_pause_stress$/ { skip = 1 } skip && /^\.TP/ { skip = 0 }
    !skip' "$CONF5" | sed '$!N;/^\.TP\n\.TP$/!P;D' >"$TMP/conf5"
must_fail "undocumented key" "not in nfq-gate.conf(5): greet_pause_stress" \
    check_keys "$TMP/keys" "$TMP/conf5" "$SAMPLE"
# A key the parser does not know, in the sample and the manual.
{ cat "$SAMPLE"; echo "#greet_wait = 6s"; } >"$TMP/sample"
must_fail "unknown sample key" "in the sample, unknown to the parser: greet_wait" \
    check_keys "$TMP/keys" "$CONF5" "$TMP/sample"
printf '.SH KEYS\n.TP\n.B greet_wait\n[6s]\n' >"$TMP/conf5b"
must_fail "unknown manual key" "unknown to the parser: greet_wait" \
    check_keys "$TMP/keys" "$TMP/conf5b" "$SAMPLE"
# A key a reload now changes, still marked start-only by the parser.
sed 's/^flow_idle_timeout$/flow_idle_timeout start-only/' "$TMP/keys" \
    >"$TMP/keys2"
must_fail "start-only not documented" "does not say .*: flow_idle_timeout" \
    check_keys "$TMP/keys2" "$CONF5" "$SAMPLE"
# An option the manual has and --help lost, and the other way round.
must_fail "option not in --help" "not in --help: --json" \
    check_options nfq-gate "$(grep -v -- --json "$TMP/gate.help")" \
    "$(man_section "$GATE8" OPTIONS | grep -A1 '^\.TP' | grep -v '^\.TP')"
must_fail "option not in the manual" "not in the manual: --lenient" \
    check_options nfq-gate-db "$(cat "$TMP/db.help")" \
    "$(man_section "$DB8" SYNOPSIS | grep -v lenient)"
must_fail "nfq-gate-ctl option not in the manual" "not in the manual: --state-dir" \
    check_options nfq-gate-ctl "$(cat "$TMP/ctl.help")" \
    "$(man_tp_heads "$CTL8" OPTIONS | grep -v state)"
# A verb the program has and the manual lost.
awk '/^\.B flush$|^\.BI flush / { skip = 1 } skip && /^\.TP/ { skip = 0 }
    !skip' "$CTL8" >"$TMP/ctl8"
[ "$(man_verbs "$TMP/ctl8" | grep -c flush)" = 0 ] ||
    fail "doctored nfq-gate-ctl(8) still has flush"
out=$(only_in "nfq-gate-ctl verbs: in --help, not in nfq-gate-ctl(8)'s VERBS" \
    "$(help_verbs <"$TMP/ctl.help")" "$(man_verbs "$TMP/ctl8")")
[ "$out" = "nfq-gate-ctl verbs: in --help, not in nfq-gate-ctl(8)'s VERBS: flush" ] ||
    fail "undocumented verb not caught: $out"
echo "caught: undocumented verb: $out"
echo "docs_drift: every check passed"
exit 0
