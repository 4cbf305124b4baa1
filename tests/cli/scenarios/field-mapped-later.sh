# field-mapped-later: a field mapped only from the second run on becomes a
# new column of rows the first run wrote. Those rows are not users' edits:
# a sync applies the source's changes to them (no conflicts), migrate fills
# the new column, and rolling both runs back finds nothing edited since
# either cutover and leaves the target as it was.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"

# The sample with a Department column in its contacts' export, not mapped yet.
with_department() { # project
	# a record's last line is where its quotes are even (an address may span lines)
	awk '{ quotes += gsub(/"/, "\""); print $0 (quotes % 2 ? "" : NR == 1 ? ",Department" : ",Sales") }' \
		"$1/exports/Contact.csv" >"$SCRATCH/c.csv"
	mv "$SCRATCH/c.csv" "$1/exports/Contact.csv"
}
map_department() { # project
	echo 'Contact,Department,text,department,trim,,,Eng' >>"$1/mapping.csv"
}
rolled_back() { # project: each run rolled back, newest first, as [run, edited, created, identical]
	local run out=""
	for run in $(state_sql "$1" "select id from runs order by id desc"); do
		out+="$("$CRMSHIFT" -C "$1" rollback --json |
			jq -c '[.run, .changed_since_cutover.edited, .changed_since_cutover.created, .identical]') "
	done
	echo "$out"
}

# 1. sync: the changed contact is applied, not taken for a user's edit
P=$(copy_sample sync)
with_department "$P"
"$CRMSHIFT" -C "$P" migrate >/dev/null
before=$(target_dump "$P")
cp -r "$P/exports" "$SCRATCH/monday"
awk -F, 'BEGIN { OFS = "," } NR == 2 { $8 = "Chief Coyote"; $20 = "2025-01-10T10:00:00.000+0000" } { print }' \
	"$SCRATCH/monday/Contact.csv" >"$SCRATCH/c.csv"
mv "$SCRATCH/c.csv" "$SCRATCH/monday/Contact.csv"
map_department "$P"
"$CRMSHIFT" -C "$P" sync --from "$SCRATCH/monday" --json >"$SCRATCH/sync.json"
# the changed contact and the one at the watermark (read again, and now with the new field)
expect_eq "sync: contacts updated, conflicts" \
	"$(jq -c '.objects[] | select(.object == "Contact") | [.updated, .conflicts]' "$SCRATCH/sync.json")" "[2,0]"
expect_eq "sync: the change and the new field" \
	"$(target_sql "$P" "select title || '|' || department from contact where source_id = '003A000000000001AAA'")" \
	"Chief Coyote|Sales"
expect_eq "sync then first load rolled back" "$(rolled_back "$P")" "[2,0,0,true] [1,0,0,true] "
expect_eq "contacts left" "$(target_sql "$P" "select count(*) from contact")" 0
[ "$before" != "$(target_dump "$P")" ] || fail "the rollbacks changed nothing"

# 2. migrate: every loaded contact gets the new field; both runs roll back clean
P=$(copy_sample migrate)
with_department "$P"
"$CRMSHIFT" -C "$P" migrate >/dev/null
map_department "$P"
"$CRMSHIFT" -C "$P" migrate --json >"$SCRATCH/migrate.json"
loaded=$(target_sql "$P" "select count(*) from contact")
expect_eq "migrate: contacts updated" \
	"$(jq '.objects[] | select(.object == "Contact") | .updated' "$SCRATCH/migrate.json")" "$loaded"
expect_eq "migrate: contacts with the new field" \
	"$(target_sql "$P" "select count(*) from contact where department = 'Sales'")" "$loaded"
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb2.json"
expect_eq "second run rolled back" \
	"$(jq -c '[.changed_since_cutover.edited, .changed_since_cutover.created, .identical]' "$SCRATCH/rb2.json")" \
	"[0,0,true]"
expect_eq "the new field emptied again" \
	"$(target_sql "$P" "select count(*) from contact where department is not null")" 0
"$CRMSHIFT" -C "$P" rollback --json >"$SCRATCH/rb1.json"
expect_eq "first run rolled back" \
	"$(jq -c '[.changed_since_cutover.edited, .changed_since_cutover.created, .identical]' "$SCRATCH/rb1.json")" \
	"[0,0,true]"
echo "ok"
