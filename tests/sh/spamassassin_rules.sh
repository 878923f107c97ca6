#!/bin/sh
# spamassassin_rules.sh - rules/spamassassin/nfq-gate.cf in Debian's real
# spamassassin, on hand-made X-NFQ-Gate headers (live_spamassassin.sh
# does it on mail the gate and Postfix delivered).
#
#   - spamassassin --lint passes with only our file, and with our file
#     beside the stock rules and Debian's .pre files (no clash of
#     names); a broken copy fails it, so the lint can fail;
#   - every rule fires on the field value it describes and not on its
#     neighbours (pass=old vs new, pregreet 0/1/12, rule=test(default),
#     "Liverpool" is no pool, asn 644960 is not 64496), and the score
#     is the sum of the .cf's score lines;
#   - only the FIRST X-NFQ-Gate header counts: a forged pass=old below
#     the gate's own header earns nothing;
#   - a message without the header hits nothing;
#   - an admin's "score" override works in nfq-gate.local.cf and not in
#     local.cf (read before nfq-gate.cf), as the README says.
. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/spamassassin.sh"
sa_init

# ---- lint ----
sa_spam --lint >"$SA/lint" 2>&1 || { cat "$SA/lint" >&2; fail "lint"; }
echo "lint (nfq-gate.cf alone): clean"
# As Debian would load it: /etc/spamassassin's .pre files and local.cf,
# our file beside them, the stock (or sa-update) rules.
mkdir "$SA/etc" && cp /etc/spamassassin/*.pre /etc/spamassassin/*.cf \
    "$SA/etc/" 2>/dev/null
cp "$SA_CF" "$SA/etc/" || fail "cp"
HOME=$SA/home spamassassin -L --lint --siteconfigpath="$SA/etc" \
    -p "$SA/prefs" >"$SA/lint" 2>&1 ||
    { cat "$SA/lint" >&2; fail "lint beside the stock rules"; }
echo "lint (beside the stock rules): clean"
sed 's|^\(header *NFQ_PASS_OLD .*\)/$|\1(/|' "$SA_CF" >"$SA/rules/nfq-gate.cf"
cmp -s "$SA_CF" "$SA/rules/nfq-gate.cf" && fail "could not break the copy"
sa_spam --lint >/dev/null 2>&1 && fail "lint passed a broken regex"
cp "$SA_CF" "$SA/rules/nfq-gate.cf"
echo "lint (a broken copy): fails, as it must"

# ---- the rules, one header at a time ----
n=0
msg() {	# X-NFQ-Gate values... (none: no header); sets M
	n=$((n + 1))
	M=$SA/m$n.eml
	{
		for h; do [ "$h" = none ] || echo "X-NFQ-Gate: $h"; done
		echo "Received: from client.good.test ([192.0.2.1]) by mx.test.domain"
		echo "From: a@good.test"
		echo "To: u@test.domain"
		echo "Subject: case $n"
		echo "Message-ID: <$n@good.test>"
		echo
		echo "Hello."
	} >"$M"
}
base="asn=64500; owner=Good Hosting B.V.; rule=test(default)"
D="grey=none; pregreet=0; throttled=0"

msg "country=CN; asn=4134; owner=CHINANET-BACKBONE No.31,Jin-rong Street; rule=greylist(owner); pass=new; grey=pass; pregreet=0; throttled=0"
sa_want "spec example" "$M" NFQ_COUNTRY_LISTED NFQ_PASS_NEW NFQ_GREY_PASSED \
    NFQ_RULE_GREYLIST
msg "country=NL; $base; pass=old; $D"
sa_want "known sender" "$M" NFQ_PASS_OLD
msg "country=NL; $base; pass=none; $D"
sa_want "nothing to say" "$M" none
msg "country=--; asn=--; owner=--; rule=test(default); pass=new; $D"
sa_want "unknown country" "$M" NFQ_COUNTRY_UNKNOWN NFQ_PASS_NEW
msg "country=BR; asn=64496; owner=Example Cable Pool-BR; rule=test(owner); pass=new; grey=wait; pregreet=0; throttled=0"
sa_want "dynamic in a listed country" "$M" NFQ_COUNTRY_LISTED NFQ_ASN_LISTED \
    NFQ_OWNER_DYNAMIC NFQ_RULE_TEST NFQ_PASS_NEW NFQ_GREY_WAIT
msg "country=GB; asn=644960; owner=Liverpool Hosting Ltd; rule=test(default); pass=new; $D"
sa_want "no pool in Liverpool" "$M" NFQ_PASS_NEW
for o in "ADSL customers" "Dial-up users" "dyn pool" "PPPoE? broadband" \
    "Residential DHCP"; do
	msg "country=DE; asn=64500; owner=$o; rule=test(default); pass=none; $D"
	sa_want "owner \"$o\"" "$M" NFQ_OWNER_DYNAMIC
done
msg "country=DE; $base; pass=new; grey=none; pregreet=1; throttled=0"
sa_want "pregreet 1" "$M" NFQ_PASS_NEW NFQ_PREGREET
msg "country=DE; $base; pass=none; grey=none; pregreet=12; throttled=0"
sa_want "pregreet 12" "$M" NFQ_PREGREET NFQ_PREGREET_REPEAT
msg "country=DE; $base; pass=old; grey=none; pregreet=0; throttled=3"
sa_want "throttled" "$M" NFQ_PASS_OLD NFQ_THROTTLED
msg "country=RU; asn=64500; owner=x; rule=drop(asn); pass=old; $D"
sa_want "drop rule" "$M" NFQ_COUNTRY_LISTED NFQ_RULE_BLOCK NFQ_PASS_OLD
msg "country=US; asn=64500; owner=x; rule=reject(country); pass=none; $D"
sa_want "reject rule" "$M" NFQ_RULE_BLOCK
msg "country=US; asn=64500; owner=x; rule=pass(allow); pass=none; $D"
sa_want "allowed" "$M" none
# The header the gate sent before issue 17 (country and pass only).
msg "country=CN; pass=new"
sa_want "old header form" "$M" NFQ_COUNTRY_LISTED NFQ_PASS_NEW
# Forged: the sender's own header sits below the one Postfix prepended.
msg "country=CN; $base; pass=new; $D" \
    "country=NL; $base; pass=old; $D"
sa_want "forged pass=old below" "$M" NFQ_COUNTRY_LISTED NFQ_PASS_NEW
msg none
sa_want "no header" "$M" none

# ---- where an admin's score override works (README "SpamAssassin") ----
# Our file beside local.cf in the site directory, as the package puts
# it: local.cf is read first and loses; nfq-gate.local.cf is read after
# and wins.
msg "country=NL; $base; pass=old; $D"
override() {	# files... -> NFQ_PASS_OLD's score as spamassassin used it
	rm -rf "$SA/ord" && mkdir -p "$SA/ord/rules" "$SA/ord/site" || exit 1
	printf 'required_score 5\nutil_rb_tld test\n' >"$SA/ord/rules/00_min.cf"
	cp "$SA/site/check.pre" "$SA_CF" "$SA/ord/site/"
	echo "add_header all Scores _TESTSSCORES(,)_" >"$SA/ord/site/zz-test.cf"
	for f; do echo "score NFQ_PASS_OLD -0.1" >"$SA/ord/site/$f"; done
	HOME=$SA/home spamassassin -L -t -C "$SA/ord/rules" \
	    --siteconfigpath="$SA/ord/site" -p "$SA/prefs" <"$M" |
	    sed -n 's/^X-Spam-Scores: .*NFQ_PASS_OLD=\([-0-9.]*\).*/\1/p'
}
got=$(override) && [ "$got" = "-0.5" ] || fail "no override: score \"$got\""
got=$(override local.cf) && [ "$got" = "-0.5" ] ||
    fail "local.cf: score \"$got\", want -0.5 (nfq-gate.cf read after it)"
got=$(override nfq-gate.local.cf) && [ "$got" = "-0.1" ] ||
    fail "nfq-gate.local.cf: score \"$got\", want -0.1"
echo "score override: in local.cf lost, in nfq-gate.local.cf kept"
echo "all $n SpamAssassin rule cases passed"
exit 0
