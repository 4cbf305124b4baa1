# Personal data stays where it belongs. The whole lifecycle runs on the
# sample with e-mails pseudonymized and phones masked; then every value of
# every field flagged PII or SPI, as exported and as loaded, is searched for
# in every output of every command and in every file crmshift wrote.
#
# (a) PII values appear in no output and no file, except:
#     exports/, the delta export   the source itself
#     crmshift.ini, mapping.csv    written by the user (mapping's sample_value column holds examples)
#     target.db                    the target: where the data is meant to go
#     .crmshift/state.db           the rows' pre-images that rollback restores (target values)
#     (on PostgreSQL both live in the server's database)
#     reports/changed-since-cutover-*.csv  the rows users edited, exported for replay (an export)
#     Values that are also the value of a field not flagged PII (an account's billing address
#     is a contact's mailing address; "Müller" is a company) are not personal there and are
#     left out of the search.
# (b) the values of pseudonymized and masked fields appear nowhere at all but the source and
#     the user's mapping: not in the target, not in the state database, not in the exported rows.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)
PLAIN=$(copy_sample plain)
K=$SCRATCH/keys
O=$SCRATCH/out
mkdir "$K" "$O"
export CRMSHIFT_ACTOR=tester
cd "$P"
"$CRMSHIFT" keys generate data "$K/pseudonym.key" >"$O/keys-data" 2>&1
"$CRMSHIFT" keys generate signing "$K/sign.key" >"$O/keys-signing" 2>&1
printf '\n[security]\npseudonymize_key = %s\nsigning_key = %s\n' "$K/pseudonym.key" "$K/sign.key" >>crmshift.ini
sed -i 's/^Contact,Email,email,email,trim -> email,PII/Contact,Email,email,email,trim -> email -> pseudonymize,PII/;
	s/^Lead,Email,email,email,trim -> email,PII/Lead,Email,email,email,trim -> email -> pseudonymize,PII/;
	s/^Contact,Phone,phone,phone,"phone(E164, US)",PII/Contact,Phone,phone,phone,"phone(E164, US) -> mask(4)",PII/' mapping.csv
expect_eq "three protected fields" "$(grep -c 'pseudonymize\|mask(4)' mapping.csv)" 3

# a delta for sync: a changed last name, a changed e-mail, and a bad e-mail (a reject)
mkdir "$SCRATCH/delta"
sed 's/,Coyote,wile.coyote@acme.example.com,/,Coyote-Smith,wile.e.coyote@acme.example.com,/;
	s/,Runner,Road.Runner@ACME.example.com,/,Runner,road.runner(at)acme.example.com,/;
	/^003A00000000000[12]AAA,/s/,2024-01-1[01]T10:00:00.000+0000$/,2025-06-01T10:00:00.000+0000/' \
	exports/Contact.csv >"$SCRATCH/delta/Contact.csv"

# the lifecycle, every output kept
run() { # name args...
	local name=$1
	shift
	"$CRMSHIFT" "$@" >"$O/$name" 2>&1 || true
}
run plan plan
run plan-json --json plan
run dry migrate --dry-run
run migrate migrate
run migrate-json --json migrate
run status status
run status-json --json status
run reconcile reconcile --html reports/reconcile.html
run reconcile-json --json reconcile
target_sql . "update contact set title = 'CTO' where source_id = '003A000000000003AAA'"
run sync sync --from "$SCRATCH/delta"
run sync-json --json sync --from "$SCRATCH/delta"
run status2 status
target_sql . "update contact set first_name = 'Wile' where source_id = '003A000000000001AAA'"
run rollback rollback
run rollback2 rollback
run verify-only rollback --run 3 --verify-only
run reconcile2 reconcile
run evidence audit evidence "$SCRATCH/pack"
run verify-evidence audit verify-evidence "$SCRATCH/pack"
run audit-show audit show
run audit-show-json --json audit show
run audit-verify audit verify
grep -q "rejected:" "$O/sync" || fail "the delta's bad e-mail is not rejected: $(cat "$O/sync")"
[ "$(cat reports/changed-since-cutover-*.csv | wc -l)" -gt 2 ] || fail "no edited rows exported by the rollbacks: $(cat "$O/rollback" "$O/rollback2")"

# the values: as exported (every PII/SPI column of every export and of the delta) ...
SRC=$SCRATCH/src.db
import_source "$P" "$SRC"
sqlite3 "$SRC" ".import --csv '$SCRATCH/delta/Contact.csv' delta_Contact"
sqlite3 "$SRC" ".import --csv mapping.csv mapping"
mapped() { sqlite3 -separator ' ' "$SRC" "select source_object, $1 from mapping where $2"; }
mapped source_field "pii_flag in ('PII', 'SPI') and source_field != ''" | while read -r obj col; do
	sqlite3 "$SRC" "select \"$col\" from src_$obj where length(\"$col\") >= 3"
	[ "$obj" != Contact ] || sqlite3 "$SRC" "select \"$col\" from delta_Contact where length(\"$col\") >= 3"
done | sort -u >"$SCRATCH/pii-raw"
# ... and as loaded (normalized: E.164 phones, ISO dates, lower-case domains), from a plain run
(cd "$PLAIN" && "$CRMSHIFT" migrate >/dev/null)
table_of() { awk -v o="[object \"$1\"]" '$0 == o {s = 1; next} /^\[/ {s = 0} s && $1 == "target" {print $3}' "$P/crmshift.ini"; }
mapped target_field "pii_flag in ('PII', 'SPI')" | while read -r obj col; do
	target_sql "$PLAIN" "select $col from $(table_of "$obj") where length(cast($col as text)) >= 3"
done | sort -u >"$SCRATCH/pii-loaded"
# values of fields not flagged PII, to leave out what is not personal where it is
mapped source_field "pii_flag not in ('PII', 'SPI') and source_field != ''" | while read -r obj col; do
	sqlite3 "$SRC" "select \"$col\" from src_$obj"
done >"$SCRATCH/not-pii"
sort -u "$SCRATCH/pii-raw" "$SCRATCH/pii-loaded" | while IFS= read -r v; do
	grep -qF -- "$v" "$SCRATCH/not-pii" || printf '%s\n' "$v"
done >"$SCRATCH/pii"
[ "$(wc -l <"$SCRATCH/pii")" -gt 100 ] || fail "too few PII values to search for: $(wc -l <"$SCRATCH/pii")"
grep -qxF 'wile.coyote@acme.example.com' "$SCRATCH/pii" && grep -qxF '+14155550132' "$SCRATCH/pii" &&
	grep -qxF '1986-07-15' "$SCRATCH/pii" && grep -qxF 'Coyote-Smith' "$SCRATCH/pii" || fail "the PII list misses values"

# Values made only of hex digits (postal codes, bare phone numbers) are searched for as whole
# words: inside the audit log's nanosecond times and hashes a 5-digit postal code turns up by
# chance, and a value leaked into a file stands apart from its neighbours there
grep -E '^[0-9A-Fa-f]+$' "$SCRATCH/pii" >"$SCRATCH/pii-words" || true
grep -vE '^[0-9A-Fa-f]+$' "$SCRATCH/pii" >"$SCRATCH/pii-strings"
grep -qxF 80202 "$SCRATCH/pii-words" || fail "the sample's postal codes are not among the whole-word values"
pii_files() { # grep's options and places: the files that hold a PII value
	{
		grep -rlaF -f "$SCRATCH/pii-strings" "$@" || true
		grep -rlawF -f "$SCRATCH/pii-words" "$@" || true
	} | sort -u
}

# the search itself works: it finds them where they are meant to be
target_dump . >"$SCRATCH/target-dump"
[ -n "$(pii_files "$SCRATCH/target-dump")" ] || fail "the search finds no PII value even in the target"
grep -qawF -f "$SCRATCH/pii-words" "$SCRATCH/target-dump" || fail "the whole-word search finds no postal code even in the target"

# (a) nowhere but where it belongs. The pack's signature is 64 random-looking bytes made from the
# manifest's hashes: a 3-letter name turns up in them by chance now and then, and it holds nothing else
found=$(pii_files "$O" "$SCRATCH/pack" . \
	--exclude-dir=exports --exclude=crmshift.ini --exclude=mapping.csv --exclude=target.db --exclude=state.db \
	--exclude='changed-since-cutover-*.csv' --exclude=manifest.sig)
[ -z "$found" ] || fail "PII values in: $found: $({ grep -raoF -f "$SCRATCH/pii-strings" $found; grep -raowF -f "$SCRATCH/pii-words" $found; } | sort -u | head -5)"

# (b) protected fields: not even in the target, the state or the exported rows (their
# files on SQLite, their dumps on either backend)
target_dump . >"$O/target-dump"
state_dump . >"$O/state-dump"
pii_protected() {
	for q in "select Email from src_Contact" "select Email from src_Lead" "select Phone from src_Contact" \
		"select Email from delta_Contact"; do
		sqlite3 "$SRC" "$q"
	done
	target_sql "$PLAIN" "select email from contact union select email from lead union select phone from contact"
}
pii_protected | awk 'length($0) >= 3' | sort -u >"$SCRATCH/protected"
found=$({ grep -rlaF -f "$SCRATCH/protected" "$O" "$SCRATCH/pack" . --exclude-dir=exports --exclude=mapping.csv || true; } | sort)
[ -z "$found" ] || fail "values of protected fields in: $found: $(grep -raoF -f "$SCRATCH/protected" $found | sort -u | head -5)"

# the tokens: recognizable, keyed HMAC-SHA-256 (checked with openssl), the same value the same token
expect_eq "every e-mail a token" "$(target_sql . "select coalesce(email, '') from contact" | grep -cvE '^pseu_[0-9a-f]{32}$' || true)" 0
HEXKEY=$(awk '/^crmshift-key/ {print $4}' "$K/pseudonym.key" | base64 -d | od -An -v -tx1 | tr -d ' \n')
mac=$(printf '%s' 'wile.coyote@acme.example.com' | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$HEXKEY" | awk '{print $NF}')
expect_eq "the token is HMAC-SHA-256 under the key" \
	"$(target_sql . "select email from contact where source_id = '003A000000000001AAA'")" "pseu_${mac:0:32}"
expect_eq "masked phones" "$(target_sql . "select phone from contact where source_id = '003A000000000001AAA'")" "********0132"
(cd "$PLAIN" && cp "$K/pseudonym.key" k && chmod 600 k && printf '\n[security]\npseudonymize_key = k\n' >>crmshift.ini &&
	sed -i 's/^Contact,Email,email,email,trim -> email,PII/Contact,Email,email,email,trim -> email -> pseudonymize,PII/' mapping.csv &&
	"$CRMSHIFT" migrate >/dev/null)
expect_eq "the same key gives the same tokens in another project (joins still work)" \
	"$(target_sql "$PLAIN" "select email from contact order by source_id")" \
	"$(target_sql . "select email from contact order by source_id")"

# reconcile's privacy check: clean, then one raw value put back into the target fires it
grep -q "contact.email                pseudonymize     17 values, 0 not in that form" "$O/reconcile" || fail "privacy: $(cat "$O/reconcile")"
target_sql . "update contact set email = 'someone@example.com' where source_id = '003A000000000004AAA'"
rc=0; "$CRMSHIFT" --json reconcile >"$SCRATCH/rec.json" || rc=$?
expect_eq "a raw value in a pseudonymized field is NO-GO" "$rc" 3
expect_eq "the privacy trigger names it" "$(jq -c '.triggers[] | select(.trigger == "privacy" and .fired) | .subject' "$SCRATCH/rec.json")" '"contact.email"'
expect_eq "and the record" "$(jq -r '.privacy[] | select(.field == "email" and .table == "contact") | "\(.exposed) \(.first_exposed)"' "$SCRATCH/rec.json")" "1 003A000000000004AAA"
grep -q "someone@example.com" "$SCRATCH/rec.json" && fail "reconcile showed the exposed value"
exit 0
