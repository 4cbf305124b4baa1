# profile on the sample finds the mess the sample holds, each finding read
# from --json and checked against the export itself: the phone formats, the
# ambiguous birth dates, the Windows-1252 lead file (and what happens when
# crmshift.ini says utf-8), the duplicates, the orphans; then the draft, the
# required fields nothing maps, byte-level dirt in an extra export, the HTML
# page, and that personal values stay masked.
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)
"$CRMSHIFT" -C "$P" profile --json >"$SCRATCH/p.json"
field() { jq -c --arg o "$1" --arg f "$2" '.objects[] | select(.object == $o) | .fields[] | select(.name == $f)' "$SCRATCH/p.json"; }
obj() { jq -c --arg o "$1" '.objects[] | select(.object == $o)' "$SCRATCH/p.json"; }

# volumes, parents first, and nothing written but the draft (and the audit log)
expect_eq "objects in reading order" "$(jq -r '[.objects[].object] | join(" ")' "$SCRATCH/p.json")" \
	"Account Contact Lead Opportunity OpportunityContactRole Task"
expect_eq "contact records" "$(obj Contact | jq .records)" "$(($(wc -l <"$P/exports/Contact.csv") - 2))" # one record spans 2 lines
[ -e "$P/target.db" ] && fail "profile created the target"
[ -e "$P/.crmshift/state.db" ] && fail "profile created the state database"

# the phone formats of Contact.Phone: shares that add up, the top one counted by hand
phone=$(field Contact Phone)
expect_eq "phone type" "$(echo "$phone" | jq -r .type)" phone
n=$(cut -d, -f6 "$P/exports/Contact.csv" | grep -cE '^\([0-9]{3}\) [0-9]{3}-[0-9]{4}$')
expect_eq "(ddd) ddd-dddd count" "$(echo "$phone" | jq '.patterns[] | select(.value == "(ddd) ddd-dddd") | .count')" "$n"
[ "$(echo "$phone" | jq '.patterns | length')" -ge 4 ] || fail "fewer than 4 phone formats: $phone"
echo "$phone" | jq -e '.patterns[] | select(.value == "ddd.ddd.dddd")' >/dev/null || fail "ddd.ddd.dddd not seen"
expect_eq "phone is personal, masked in top values" "$(echo "$phone" | jq -r '.pii.kind + " " + (.top[0].value | test("^<PII, [0-9]+ characters>$") | tostring)')" "phone true"

# the birth dates: 07/15 reads only MM/DD, 12/01 either way, 13/45 neither
bd=$(field Contact Birthdate)
expect_eq "date order" "$(echo "$bd" | jq -r .dates.order)" "MM/DD"
amb=$(cut -d, -f9 "$P/exports/Contact.csv" | tail -n +2 | awk -F/ 'NF == 3 && $1 <= 12 && $2 <= 12 && $1 != $2' | wc -l)
expect_eq "ambiguous dates, counted by awk" "$(echo "$bd" | jq .dates.ambiguous)" "$amb"
expect_eq "dates in neither order" "$(echo "$bd" | jq .dates.invalid)" 1
expect_eq "first ambiguous line" "$(echo "$bd" | jq .dates.first_ambiguous_line)" \
	"$(awk -F, 'NR > 1 { split($9, d, "/"); if (d[1] <= 12 && d[2] <= 12 && d[1] != d[2]) { print NR; exit } }' "$P/exports/Contact.csv")"
"$CRMSHIFT" -C "$P" profile >"$SCRATCH/p.txt"
grep -q "dates: Birthdate: $amb values read both as DD/MM and MM/DD" "$SCRATCH/p.txt" || fail "ambiguity not in the text report"

# the Windows-1252 lead file: found and declared
lead=$(obj Lead)
expect_eq "lead bytes" "$(echo "$lead" | jq -r '.file_checks | .encoding + " " + .declared_encoding + " " + .read_as')" \
	"windows-1252 windows-1252 windows-1252"
expect_eq "lead names read right" "$(echo "$lead" | jq '[.fields[] | .mojibake] | add')" 0
# declared utf-8 by mistake: the first bad byte with its line and column, profiled as windows-1252 anyway
W=$(copy_sample w)
sed -i '/^\[object "Lead"\]/,/^$/ { /^encoding/d }' "$W/crmshift.ini"
"$CRMSHIFT" -C "$W" profile --objects Lead >"$SCRATCH/w.txt"
at=$(LC_ALL=C awk '{ i = index($0, "\347"); if (i) { print NR ":" i; exit } }' "$W/exports/Lead.csv")
grep -q "exports/Lead.csv:$at: byte 0xE7 is not UTF-8: the file is windows-1252, not the utf-8 declared" "$SCRATCH/w.txt" ||
	fail "the mis-declared encoding is not reported at $at: $(grep -i byte "$SCRATCH/w.txt")"
grep -q "read as windows-1252; declared utf-8" "$SCRATCH/w.txt" || fail "not profiled as windows-1252"

# duplicates: Frank Grimes twice (e-mail in other case, phone in another format), a shared office phone
dups=$(obj Contact | jq -c '.duplicates')
expect_eq "by email" "$(echo "$dups" | jq -c '.[] | select(.by == "email") | [.groups, .records, .examples[0].first_line, .examples[0].line, .examples[0].id]')" \
	'[1,2,7,22,"003A000000000020AAA"]'
expect_eq "by phone" "$(echo "$dups" | jq -c '.[] | select(.by == "phone") | [.groups, .records]')" '[2,4]'
expect_eq "by name+company" "$(echo "$dups" | jq -c '.[] | select(.by == "name+company") | [.groups, .fields]')" \
	'[1,"FirstName + LastName + AccountId"]'
echo "$dups" | jq -r '.. | .key? // empty' | grep -qv '^<PII' && fail "a duplicate key is shown unmasked"

# orphans: a contact of account ...404, an account whose parent ...099 is not exported
expect_eq "contact orphans" "$(obj Contact | jq -c '.references[] | select(.field == "AccountId") | [.orphans, .examples[0].line, .examples[0].value]')" \
	'[1,12,"001A000000000404AAA"]'
expect_eq "account parent orphans" "$(obj Account | jq -c '.references[] | select(.field == "ParentId") | [.references, .orphans, .examples[0].value]')" \
	'[4,1,"001A000000000099AAA"]'
expect_eq "role references resolve" "$(obj OpportunityContactRole | jq '[.references[].orphans] | add')" 0

# the draft and required fields: take LastName and Phone out of the mapping
D=$(copy_sample d)
grep -v '^Contact,LastName,\|^Contact,Phone,' "$D/mapping.csv" >"$D/m" && mv "$D/m" "$D/mapping.csv"
"$CRMSHIFT" -C "$D" profile --json >"$SCRATCH/d.json"
expect_eq "draft rows" "$(tail -n +2 "$D/reports/mapping-draft.csv")" \
	'Contact,LastName,text,last_name,trim,PII,required,******
Contact,Phone,phone,phone,"phone(E164, US)",PII,on_invalid(blank),(***) ***-****'
expect_eq "draft header" "$(head -1 "$D/reports/mapping-draft.csv")" "$(head -1 "$D/mapping.csv")"
expect_eq "required, unmapped" "$(jq -r '.objects[] | select(.object == "Contact") | .unmapped_required[]' "$SCRATCH/d.json")" \
	"last_name (the draft maps LastName)"
expect_eq "draft mode" "$(stat -c %a "$D/reports/mapping-draft.csv")" 600

# byte-level dirt in an export no [object] names: BOM, CRLF with one LF, a ragged row, no final break
printf '\xef\xbb\xbfId,Email,Phone\r\n1,a@x.example,(415) 555-0100\r\n2,b@x.example,(415) 555-0101\n3,c@x.example\r\n4,d@x.example,(415) 555-0100' >"$P/exports/extra.csv"
"$CRMSHIFT" -C "$P" profile --objects extra --json >"$SCRATCH/x.json"
x=$(jq -c '.objects[0]' "$SCRATCH/x.json")
expect_eq "extra: configured" "$(echo "$x" | jq -c '[.configured, .records, .bad_records, .file_checks.bom, .file_checks.crlf, .file_checks.lf, .file_checks.mixed_line_endings, .file_checks.final_line_break]')" \
	'[false,4,1,"utf-8",3,1,true,false]'
expect_eq "extra: problems" "$(echo "$x" | jq -r '.problems[]')" \
	"exports/extra.csv:1:1: starts with a UTF-8 byte-order mark (skipped)
exports/extra.csv:3:29: mixed line endings: 3 CRLF, 1 LF, 0 CR (the first of the fewer kind is here)
exports/extra.csv:4:14: ragged row: 2 fields where the header has 3 (the row ends here; when the export leaves trailing empty fields out, [object] short_rows = pad reads them as empty)"
expect_eq "extra: short rows" "$(echo "$x" | jq -c '[.short_rows, .short_rows_padded]')" '[1,false]'
expect_eq "extra: phone duplicates" "$(echo "$x" | jq -c '.duplicates[] | select(.by == "phone") | [.groups, .examples[0].first_line, .examples[0].line]')" '[1,2,5]'

# the HTML page: one file, nothing fetched, charts, masked values
"$CRMSHIFT" -C "$P" profile --html "$SCRATCH/p.html" >/dev/null
grep -q "<svg" "$SCRATCH/p.html" || fail "no chart in the HTML report"
grep -qE '(src|href)="(https?:)?//' "$SCRATCH/p.html" && fail "the HTML report fetches something"
for v in wile.coyote Coyote 07/15/1986 "555-0132"; do
	grep -rqF "$v" "$SCRATCH/p.html" "$SCRATCH/p.json" "$SCRATCH/p.txt" "$P/reports" && fail "personal value '$v' in a profile output"
done
# usage
rc=0
"$CRMSHIFT" -C "$P" profile --objects Nope >/dev/null 2>"$SCRATCH/e" || rc=$?
expect_eq "unknown object exit" "$rc" 2
grep -q "profile: unknown object 'Nope'" "$SCRATCH/e" || fail "unknown object not named: $(cat "$SCRATCH/e")"
true
