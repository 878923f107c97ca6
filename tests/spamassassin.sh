# tests/spamassassin.sh - Debian's real spamassassin with ONLY
# rules/spamassassin/nfq-gate.cf, for spamassassin_rules.sh and
# live_spamassassin.sh.  Sourced after tests/lib.sh (it sets $TMP, fail,
# skip).
#
#   sa_init                  skip unless spamassassin is installed; make
#                            the private config under $SA (below)
#   sa_run MSG               score MSG; prints "SCORE TESTS" (TESTS the
#                            sorted hit names, comma separated, or none)
#   sa_sum RULE...           what the scores in nfq-gate.cf add up to
#   sa_want LABEL MSG RULE...  MSG must hit exactly RULE... (none: no
#                            RULE) with the score the .cf says they sum to
#
# The private config: -C (the default rules directory, normally
# /usr/share/spamassassin or sa-update's) holds nfq-gate.cf alone; the
# site directory (normally /etc/spamassassin) holds a .pre loading the
# Check plugin only (without it spamassassin cannot scan at all) and
# the test's own settings: the X-Spam-Status header with the hits, no
# Bayes, no auto-whitelist, no network (-L).  So the only rules that can
# fire are ours; sa_init proves it with spamassassin -D.

SA_CF="$NG_ROOT/rules/spamassassin/nfq-gate.cf"

# sa_init - the private config; proves no other rule file is read.
sa_init() {
	command -v spamassassin >/dev/null ||
	    skip "spamassassin not installed (tools/install-deps spamassassin)"
	[ -f "$SA_CF" ] || fail "no $SA_CF"
	SA=$TMP/sa
	mkdir -p "$SA/rules" "$SA/site" "$SA/home" || fail "mkdir $SA"
	cp "$SA_CF" "$SA/rules/" || fail "cp $SA_CF"
	echo "loadplugin Mail::SpamAssassin::Plugin::Check" >"$SA/site/check.pre"
	cat >"$SA/site/local.cf" <<-'EOF'
	# the test's own settings (tests/spamassassin.sh)
	required_score 5
	clear_headers
	add_header all Status _YESNO_, score=_SCORE_ required=_REQD_ tests=_TESTS_
	use_bayes 0
	util_rb_tld test
	EOF
	: >"$SA/prefs"
	printf 'From: a@good.test\nTo: u@test.domain\nSubject: probe\n\nprobe\n' \
	    >"$SA/probe.eml"
	sa_spam -D config <"$SA/probe.eml" >/dev/null 2>"$SA/debug" ||
	    { cat "$SA/debug" >&2; fail "spamassassin -D failed"; }
	read=$(sed -n 's/.*dbg: config: read file \(.*\)$/\1/p' "$SA/debug" |
	    sort | tr '\n' ' ')
	want="$SA/rules/nfq-gate.cf $SA/site/check.pre $SA/site/local.cf "
	[ "$read" = "$want" ] ||
	    fail "spamassassin read other files: \"$read\", want \"$want\""
	echo "spamassassin $(spamassassin --version | sed -n '1s/.*version //p'):" \
	    "reads only nfq-gate.cf and the test's settings"
}

# sa_spam - spamassassin on the private config, local tests only.
sa_spam() {	# [args...] <msg
	HOME=$SA/home spamassassin -L -C "$SA/rules" \
	    --siteconfigpath="$SA/site" -p "$SA/prefs" "$@"
}

# sa_run - "SCORE TESTS" from the X-Spam-Status header (unfolded).
sa_run() {	# msg
	sa_spam -t <"$1" >"$SA/out" 2>"$SA/err" ||
	    { cat "$SA/err" >&2; fail "spamassassin -t $1 failed"; }
	[ -s "$SA/err" ] && { cat "$SA/err" >&2; fail "spamassassin warned"; }
	st=$(awk '
	    /^$/ { exit }
	    /^X-Spam-Status:/ { s = $0; on = 1; next }
	    on && /^[ \t]/ { s = s $0; next }
	    { on = 0 }
	    END { gsub(/[ \t]+/, " ", s); print s }' "$SA/out")
	score=$(echo "$st" | sed -n 's/.* score=\([-0-9.]*\) .*/\1/p')
	hits=$(echo "$st" | sed -n 's/.* tests=\([A-Za-z0-9_, ]*\).*/\1/p' |
	    tr -d ' ' | tr , '\n' | sort | paste -sd, -)
	[ -n "$score" ] && [ -n "$hits" ] ||
	    { cat "$SA/out" >&2; fail "$1: no X-Spam-Status from spamassassin"; }
	echo "$score $hits"
}

# sa_sum - "SUM N": these rules' scores in nfq-gate.cf summed (a rule's
# last "score" line counts, as in spamassassin), N of them found.
sa_sum() {	# rule...
	awk -v want=" $* " '
	    $1 == "score" && index(want, " " $2 " ") { sc[$2] = $3 }
	    END { for (r in sc) { s += sc[r]; n++ }
	          printf "%.1f %d\n", s, n }' "$SA_CF"
}

# sa_want - MSG hits exactly these rules, and scores their sum.
sa_want() {	# label msg rule... | label msg none
	label=$1 msg=$2; shift 2
	[ "$1" = none ] && shift
	got=$(sa_run "$msg") || exit 1
	want_tests=$(printf '%s\n' "$@" | sort | paste -sd,)
	[ -n "$want_tests" ] || want_tests=none
	set -- $(sa_sum "$@") $#
	want_score=$1
	[ "$2" = "$3" ] || fail "$label: a wanted rule has no score line"
	echo "$label: $got"
	echo "${got#* }" | tr , '\n' | grep -v '^NFQ_' | grep -qv '^none$' &&
	    fail "$label: a rule not ours fired: $got"
	[ "${got#* }" = "$want_tests" ] ||
	    fail "$label: rules \"${got#* }\", want \"$want_tests\""
	[ "$(printf '%.1f' "${got%% *}")" = "$want_score" ] ||
	    fail "$label: score ${got%% *}, the .cf says $want_score"
}
