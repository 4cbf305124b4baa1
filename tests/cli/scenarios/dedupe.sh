# [dedupe "Contact"]: people entered twice in several ways (the same e-mail
# in another case, the same phone written otherwise, the same name at the
# same account with nothing else) load as one row each: the most recent
# record's, its blanks filled from the others. Every merged id names that
# row, so contact roles point at it whichever id they give; the merges are
# reported, profile shows the same groups before anything moves, reconcile
# counts merged records as merged, a re-run changes nothing, a run killed
# and resumed ends as an uninterrupted one, and rollback undoes the merges
# with the rest of the run. A sync of the object is refused, with why.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
a=$(copy_sample a)
# the sample has two people twice already (an e-mail, a phone); three more records of Wile E. and Road,
# and a record that repeats a merged record's id (rejected as any repeated id)
cat >>"$a/exports/Contact.csv" <<'CSV'
003A000000000091AAA,001A000000000001AAA,Wile,Coyote,WILE.COYOTE@acme.example.com,,,,,,,,,,false,false,web-form,2023-03-01T10:15:00.000+0000,2019-04-01T10:00:00.000+0000,2024-02-10T10:00:00.000+0000
003A000000000092AAA,001A000000000001AAA,Roadie,Runner,road2@acme.example.com,415-555-0143,,Sales,,,,,,,false,false,web-form,2023-03-01T10:15:00.000+0000,2019-04-01T10:00:00.000+0000,2023-02-10T10:00:00.000+0000
003A000000000093AAA,001A000000000001AAA,Wile E.,Coyote,,,,,,,,,,,false,false,web-form,2023-03-01T10:15:00.000+0000,2019-04-01T10:00:00.000+0000,2020-02-10T10:00:00.000+0000
003A000000000093AAA,001A000000000001AAA,Repeated,Id,repeated@acme.example.com,,,,,,,,,,false,false,web-form,2023-03-01T10:15:00.000+0000,2019-04-01T10:00:00.000+0000,2020-02-10T10:00:00.000+0000
CSV
printf '\n[dedupe "Contact"]\nmatch = email; phone; first_name+last_name+account_id\nsurvivor = most_recent\nfill = yes\n' >>"$a/crmshift.ini"
sed -i 's/^batch_size = .*/batch_size = 3/' "$a/crmshift.ini"
b="$SCRATCH/b"
copy_project "$a" "$b"

merges='object,survivor_id,source_id,rule,outcome
Contact,003A000000000091AAA,003A000000000091AAA,email,survivor
Contact,003A000000000091AAA,003A000000000001AAA,email,merged
Contact,003A000000000091AAA,003A000000000093AAA,first_name+last_name+account_id,merged
Contact,003A000000000002AAA,003A000000000002AAA,phone,survivor
Contact,003A000000000002AAA,003A000000000092AAA,phone,merged
Contact,003A000000000020AAA,003A000000000020AAA,email,survivor
Contact,003A000000000020AAA,003A000000000006AAA,email,merged
Contact,003A000000000016AAA,003A000000000016AAA,phone,survivor
Contact,003A000000000016AAA,003A000000000015AAA,phone,merged'

# before anything moves: profile finds the groups migrate will merge
"$CRMSHIFT" -C "$a" profile >"$SCRATCH/profile.txt" 2>&1 || fail "profile: $(tail -3 "$SCRATCH/profile.txt")"
expect_eq "profile's groups" "$(cat "$a/reports/merges-profile.csv")" "$merges"
grep -q '^people (\[dedupe "Contact"\], before anything moves): 9 of 20 records are 4 people entered more than once; migrate loads each once, merging 5 records$' "$SCRATCH/profile.txt" ||
	fail "profile's summary: $(grep -A4 '^people' "$SCRATCH/profile.txt")"
expect_eq "profile rows" "$(target_sql "$a" "select count(*) from contact" 2>/dev/null || echo none)" none

"$CRMSHIFT" -C "$a" migrate --json >"$SCRATCH/m1.json" 2>"$SCRATCH/m1.err" || fail "migrate: $(cat "$SCRATCH/m1.err")"
expect_eq "contacts read, inserted, rejected, merged" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.read, .inserted, .rejected, .merged]' "$SCRATCH/m1.json")" "[24,15,4,5]"
expect_eq "merges in the summary" "$(jq -c '.merges | [.people, .merged]' "$SCRATCH/m1.json")" "[4,5]"
expect_eq "merges report" "$(cat "$a/reports/merges-1.csv")" "$merges"
expect_eq "the repeated id, rejected" \
	"$(grep -c '^Contact,003A000000000093AAA,26,Id,id,the same id appears earlier in the file; only the first record is loaded$' "$a/reports/rejects-1.csv")" 1
expect_eq "one row per person" "$(target_sql "$a" "select count(*) from contact where source_id in ('003A000000000001AAA', '003A000000000091AAA', '003A000000000093AAA')")" 1
# the survivor's values, its blanks filled from the others (title and phone from 001, birth date too)
expect_eq "the survivor's row" \
	"$(target_sql "$a" "select first_name, email, phone, title, birth_date from contact where source_id = '003A000000000091AAA'")" \
	"Wile|WILE.COYOTE@acme.example.com|+14155550132|VP Engineering|1986-07-15"
# a contact role that names a merged record points at the survivor's row
expect_eq "role of a merged contact" \
	"$(target_sql "$a" "select c.source_id from opportunity_contact r join contact c on c.id = r.contact_id where r.source_id = '00KA000000000001AAA'")" \
	003A000000000091AAA
expect_eq "merged ids in the cross-reference" \
	"$(state_sql "$a" "select count(distinct x.target_id) from xref x join objects o on o.id = x.object_id where o.name = 'Contact' and x.source_id in ('003A000000000001AAA', '003A000000000091AAA', '003A000000000093AAA')")" 1

# reconcile: merged records are merged, not missing
"$CRMSHIFT" -C "$a" reconcile --json >"$SCRATCH/r1.json" || true
expect_eq "reconcile contacts (source, rejected, expected, in target, missing, mismatched, merged)" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.source_rows, .rejected, .expected, .in_target, .missing, .mismatched, .merged]' "$SCRATCH/r1.json")" \
	"[24,4,15,15,0,0,5]"
"$CRMSHIFT" -C "$a" reconcile --html "$SCRATCH/r1.html" >/dev/null 2>&1 || true
chrome --dump-dom "file://$SCRATCH/r1.html" >"$SCRATCH/r1.dom" 2>"$SCRATCH/r1.log" || fail "chromium: $(tail -3 "$SCRATCH/r1.log")"
grep -qF '<th>merged</th>' "$SCRATCH/r1.dom" || fail "no merged column in the report"
grep -qF '<tr><td>Contact</td><td>24</td><td>4</td><td>15</td><td>15</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5</td></tr>' "$SCRATCH/r1.dom" ||
	fail "the report's contacts: $(grep -o '<tr><td>Contact</td>[^\n]*</tr>' "$SCRATCH/r1.dom" | head -1)"

# a re-run changes nothing and reports the same merges
"$CRMSHIFT" -C "$a" migrate --json >"$SCRATCH/m2.json" 2>/dev/null
expect_eq "re-run" "$(jq -c '.objects[] | select(.object == "Contact") | [.inserted, .updated, .unchanged, .merged]' "$SCRATCH/m2.json")" "[0,0,15,5]"
expect_eq "merges report of the re-run" "$(cat "$a/reports/merges-2.csv")" "$merges"
after_first=$(target_rows "$a")

# killed after its second batch of contacts, then resumed: the target and report of an uninterrupted run
set +e
(CRMSHIFT_FAULT=batch-committed:5 "$CRMSHIFT" -C "$b" migrate) >/dev/null 2>&1
status=$?
set -e
expect_eq "exit of the killed run" "$status" 137
"$CRMSHIFT" -C "$b" migrate --resume --json >"$SCRATCH/b1.json" 2>"$SCRATCH/resume.err" || fail "resume: $(cat "$SCRATCH/resume.err")"
expect_eq "merged after resume" "$(jq -c '.objects[] | select(.object == "Contact") | .merged' "$SCRATCH/b1.json")" 5
expect_eq "merges report after resume" "$(cat "$b/reports/merges-1.csv")" "$merges"
expect_eq "target after resume" "$(target_rows "$b")" "$after_first"

# the survivor changes (001 is edited later than 091): the person keeps its row, now with 001's values
sed -i 's/^\(003A000000000001AAA,.*\),2024-01-10T10:00:00.000+0000$/\1,2024-06-01T10:00:00.000+0000/' "$a/exports/Contact.csv"
row=$(target_sql "$a" "select id || ':' || customer_id from contact where source_id = '003A000000000091AAA'")
"$CRMSHIFT" -C "$a" migrate --json >"$SCRATCH/m3.json" 2>/dev/null
expect_eq "new survivor" "$(grep -c '^Contact,003A000000000001AAA,003A000000000001AAA,email,survivor$' "$a/reports/merges-3.csv")" 1
expect_eq "the person's row and customer id stay" \
	"$(target_sql "$a" "select id || ':' || customer_id from contact where first_name = 'Wile E.' and last_name = 'Coyote'")" "$row"
expect_eq "contacts after the survivor changed" "$(jq -c '.objects[] | select(.object == "Contact") | [.inserted, .updated, .merged]' "$SCRATCH/m3.json")" "[0,1,5]"
"$CRMSHIFT" -C "$a" rollback --json >"$SCRATCH/rb3.json" || fail "rollback of run 3: exit $?"
expect_eq "rollback of run 3" "$(jq -c '[.identical, .unmerged]' "$SCRATCH/rb3.json")" "[true,0]"

# rollback of everything: the merges go with the rows
for run in 2 1; do
	"$CRMSHIFT" -C "$a" rollback --json >"$SCRATCH/rb$run.json" || fail "rollback of run $run: exit $?"
done
expect_eq "rollback of run 1" "$(jq -c '[.identical, .unmerged]' "$SCRATCH/rb1.json")" "[true,5]"
expect_eq "contacts after rollback" "$(target_sql "$a" "select count(*) from contact")" 0
expect_eq "cross-reference after rollback" "$(state_sql "$a" "select count(*) from xref")" 0
expect_eq "merges after rollback" "$(state_sql "$a" "select count(*) from merges")" 0

# a sync does not merge yet: it says so, and loads nothing
set +e
"$CRMSHIFT" -C "$b" sync --objects Contact >"$SCRATCH/sync.out" 2>&1
status=$?
set -e
expect_eq "sync exit (an input error)" "$status" 1
grep -q 'a sync does not merge duplicates yet' "$SCRATCH/sync.out" || fail "sync: $(cat "$SCRATCH/sync.out")"
expect_eq "no run was started by the refused sync" "$(state_sql "$b" "select count(*) from runs")" 1

# the survivor is not loaded (its required account is an orphan): the record merged into it is
# rejected with it, and reconcile counts both rejected, as migrate does, none missing
c=$(copy_sample c)
echo '003A000000000091AAA,001A000000000404AAA,Wile,Coyote,WILE.COYOTE@acme.example.com,,,,,,,,,,false,false,web-form,2023-03-01T10:15:00.000+0000,2019-04-01T10:00:00.000+0000,2024-02-10T10:00:00.000+0000' >>"$c/exports/Contact.csv"
sed -i 's/^Contact,AccountId,id,account_id,trim -> ref(Account),,,/Contact,AccountId,id,account_id,trim -> ref(Account),,required,/' "$c/mapping.csv"
printf '\n[dedupe "Contact"]\nmatch = email\nsurvivor = most_recent\n' >>"$c/crmshift.ini"
"$CRMSHIFT" -C "$c" migrate --json >"$SCRATCH/c1.json" 2>/dev/null || fail "migrate of c"
expect_eq "survivor not loaded: read, inserted, rejected, merged" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.read, .inserted, .rejected, .merged]' "$SCRATCH/c1.json")" "[21,13,7,1]"
expect_eq "the merged record's reason" \
	"$(grep -c "^Contact,003A000000000001AAA,2,,dedupe,\"is the same person as '003A000000000091AAA', whose record was not loaded (see its reasons)\"$" "$c/reports/rejects-1.csv")" 1
"$CRMSHIFT" -C "$c" reconcile --json >"$SCRATCH/c2.json" || true
expect_eq "reconcile: source, rejected, expected, in target, missing, merged" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.source_rows, .rejected, .expected, .in_target, .missing, .merged]' "$SCRATCH/c2.json")" \
	"[21,7,13,13,0,1]"
"$CRMSHIFT" -C "$c" migrate >"$SCRATCH/c3.txt" 2>&1 || fail "re-run of c: $(tail -3 "$SCRATCH/c3.txt")"
grep -q "^people entered more than once (\[dedupe\]): 2; 1 record merged into their survivor's row; in reports/merges-2.csv$" "$SCRATCH/c3.txt" ||
	fail "the summary line: $(grep -i 'more than once' "$SCRATCH/c3.txt")"

# loaded as two people before [dedupe] was written: the group names two rows and is left as it is
d=$(copy_sample d)
"$CRMSHIFT" -C "$d" migrate >/dev/null 2>&1 || fail "first migrate of d"
printf '\n[dedupe "Contact"]\nmatch = email\n' >>"$d/crmshift.ini"
"$CRMSHIFT" -C "$d" migrate --json >"$SCRATCH/d2.json" 2>/dev/null || fail "migrate of d with [dedupe]"
expect_eq "two rows already: nothing merged or written" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.inserted, .updated, .unchanged, .merged // 0]' "$SCRATCH/d2.json")" "[0,0,17,0]"
expect_eq "the group, not merged" "$(cat "$d/reports/merges-2.csv")" 'object,survivor_id,source_id,rule,outcome
Contact,003A000000000006AAA,003A000000000006AAA,email,not merged: several rows in the target already
Contact,003A000000000006AAA,003A000000000020AAA,email,not merged: several rows in the target already'
"$CRMSHIFT" -C "$d" reconcile --json >"$SCRATCH/d3.json" || true
expect_eq "reconcile of the unmerged group: expected, in target, missing, merged" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.expected, .in_target, .missing, .merged]' "$SCRATCH/d3.json")" "[17,17,0,0]"
