# The lifecycle into a real PostgreSQL server, row for row as into SQLite:
# the sample (hierarchy, a junction, orphans, rejects, windows-1252 text)
# migrated, re-run, reconciled, synced from exports and from a change
# stream, and rolled back, each step compared with the same step on SQLite.
. "$(dirname "$0")/../scenario-lib.sh"
pg_require

GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"

# what differs between two backends by design: timings, the project's folder, the target's name
counts() { sed "s#$lite#PROJECT#g; s#$pg#PROJECT#g" "$1" | jq -S 'del(.. | .seconds?, .elapsed_s?, .duration_s?, .target?, .started_at?, .finished_at?, .taken_at?)'; }
both() { # label, then the command's arguments
	local label=$1
	shift
	local lite_rc=0 pg_rc=0
	"$CRMSHIFT" -C "$lite" "$@" --json >"$SCRATCH/lite-$label.json" || lite_rc=$?
	"$CRMSHIFT" -C "$pg" "$@" --json >"$SCRATCH/pg-$label.json" || pg_rc=$?
	expect_eq "$label: exit code on postgres" "$pg_rc" "$lite_rc"
	[ "$pg_rc" -le 3 ] || fail "$label: $* exited $pg_rc"
	diff <(counts "$SCRATCH/lite-$label.json") <(counts "$SCRATCH/pg-$label.json") >"$SCRATCH/$label.diff" ||
		fail "$label: postgres reports differently from sqlite: $(head -n 20 "$SCRATCH/$label.diff")"
}
# Rows are compared by source ids (references as the parent's source id):
# SQLite reuses the ids of rows a rollback deleted, a PostgreSQL sequence
# does not. The load time fills unmapped created_at and updated_at: two
# runs may straddle a second.
today=$(date -u +%Y-%m-%d)
load_times() { sed -E "s/$today"'T[0-9:]{8}Z/LOAD-TIME/g'; }
same_rows() { # label
	dump_by_source_ids sqlite3 "$lite/target.db" | load_times >"$SCRATCH/lite-$1.dump"
	dump_by_source_ids pg_sql "$url" | load_times >"$SCRATCH/pg-$1.dump"
	diff "$SCRATCH/lite-$1.dump" "$SCRATCH/pg-$1.dump" >"$SCRATCH/$1.rows.diff" ||
		fail "$1: the postgres target differs from the sqlite one: $(head -n 20 "$SCRATCH/$1.rows.diff")"
}

# 1. the sample
lite=$(copy_sample lite)
pg=$(copy_sample pg)
url=$(pg_new_db lifecycle)
use_target "$pg" "$url"

both migrate migrate
same_rows migrate
expect_eq "contacts in postgres" "$(pg_sql "$url" "select count(*) from contact")" 17
# the windows-1252 lead export arrives as UTF-8
pg_sql "$url" "select last_name from lead" | grep -q 'Müller' || fail "a lead's non-ASCII name is not in postgres"
# the hierarchy: a child account's parent_id is its parent's row
expect_eq "account hierarchy" \
	"$(pg_sql "$url" "select count(*) from account c join account p on p.id = c.parent_account_id")" \
	"$(sqlite3 "$lite/target.db" "select count(*) from account c join account p on p.id = c.parent_account_id")"
# the state lives in the target database, in its own schema
expect_eq "state schema" "$(pg_sql "$url" "select count(*) from crmshift.runs")" 1
[ ! -e "$pg/.crmshift/state.db" ] || fail "a postgres project wrote a state.db file"

both rerun migrate
same_rows rerun
expect_eq "re-run inserts nothing" "$(jq '[.objects[].inserted] | add' "$SCRATCH/pg-rerun.json")" 0
both reconcile reconcile
both status status
both rollback-rerun rollback
both rollback-migrate rollback
expect_eq "rows after both rollbacks" "$(pg_sql "$url" "select count(*) from contact")" 0
"$CRMSHIFT" -C "$pg" audit verify >/dev/null || fail "postgres project: audit verify exited $?"

# the options of migrate: a dry run writes nothing to the target; a sample
# keeps its relationships; --objects loads one object
both dry-run migrate --dry-run
expect_eq "a dry run writes nothing" "$(pg_sql "$url" "select count(*) from account")" 0
both sample migrate --sample 30
same_rows sample
both rollback-sample rollback
both objects migrate --objects Account
expect_eq "--objects Account" "$(pg_sql "$url" "select (select count(*) from account) || ' ' || (select count(*) from contact)")" "11 0"
# the signed evidence pack reads the runs from the state in PostgreSQL
"$CRMSHIFT" keys generate signing "$SCRATCH/sign.key" >/dev/null
printf '\n[security]\nsigning_key = %s\n' "$SCRATCH/sign.key" >>"$pg/crmshift.ini"
"$CRMSHIFT" -C "$pg" audit evidence "$SCRATCH/pack" >/dev/null || fail "audit evidence on postgres: exit $?"
expect_eq "runs in the evidence pack" "$(jq '.runs | length' "$SCRATCH/pack/manifest.json")" \
	"$(pg_sql "$url" "select count(*) from crmshift.runs")"

# 2. deltas: an incremental export with updates, inserts and deletes, a
# target edit left as a conflict, a full export; then rollback of each
"$GEN" "$SCRATCH/gen" 3000 1 >/dev/null
# One title with each of COPY's specials (a tab, a backslash, \N, a line
# break) and a quote, set by the incremental export: the full export's
# update of it keeps it in the ledger's pre-image, which goes to the server
# as COPY text, and its rollback must give it back byte for byte.
special=$'Tab\there, "quoted", back\\slash, \\N,\nand a second line'
inc="$SCRATCH/gen/delta/incremental/Contact.csv"
T="\"${special//\"/\"\"}\"" awk '{ i = index($0, ",Updated 101,"); if (i) $0 = substr($0, 1, i) ENVIRON["T"] substr($0, i + 12) } 1' \
	"$inc" >"$inc.new" && mv "$inc.new" "$inc"
grep -q 'back\\slash' "$inc" || fail "the special title is not in the incremental export"
cp -r "$SCRATCH/gen" "$SCRATCH/glite"
cp -r "$SCRATCH/gen" "$SCRATCH/gpg"
lite="$SCRATCH/glite"
pg="$SCRATCH/gpg"
url=$(pg_new_db delta)
use_target "$pg" "$url"
both gen-migrate migrate
same_rows gen-migrate
# a dry sync previews against the real target, in one transaction rolled back
both dry-incremental sync --dry-run --from "$SCRATCH/gen/delta/incremental"
same_rows dry-incremental
expect_eq "dry sync: inserted, updated, deleted" \
	"$(jq -c '[([.objects[].inserted] | add), ([.objects[].updated] | add), ([.objects[].deleted] | add)]' "$SCRATCH/pg-dry-incremental.json")" "[3,30,3]"
expect_eq "dry sync: no run kept" "$(pg_sql "$url" "select count(*) from crmshift.runs")" 1
both incremental sync --from "$SCRATCH/gen/delta/incremental"
same_rows incremental
special_title="select title from contact where source_id = '003B00000000000101'"
expect_eq "the title with COPY's specials" "$(pg_sql "$url" "$special_title")" "$special"
expect_eq "incremental: updated, inserted, deleted" \
	"$(jq -c '[([.objects[].updated] | add), ([.objects[].inserted] | add), ([.objects[].deleted] | add)]' "$SCRATCH/pg-incremental.json")" \
	"$(jq -c '[([.objects[].updated] | add), ([.objects[].inserted] | add), ([.objects[].deleted] | add)]' "$SCRATCH/lite-incremental.json")"
edit="update contact set title = 'Edited in the CRM' where id = (select min(id) from contact)"
sqlite3 "$lite/target.db" "$edit"
pg_sql "$url" "$edit"
both full sync --full --from "$SCRATCH/gen/delta/full"
same_rows full
both gen-reconcile reconcile
# a Debezium change stream: a create, an update, a delete, applied in order
row() { # id title
	printf '{"Id":"%s","AccountId":"001B00000000000001","FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com","Phone":"(415) 555-0100","Birthdate":"12/10/1985","MailingCity":"London","HasOptedOutOfEmail":false,"CreatedDate":"2025-01-01T10:00:00.000+0000","LastModifiedDate":"2025-01-01T10:00:00.000+0000","Title":"%s","MobilePhone":null,"MailingStreet":"1 St James","MailingState":"ny","MailingPostalCode":"10001","DoNotCall":false,"LeadSource":"Web","OwnerId":"005B1","Consent_Source__c":"web-form","Consent_Timestamp__c":"2024-01-01T09:00:00.000+0000","IsDeleted":false}' "$1" "$2"
}
{
	echo "{\"op\":\"c\",\"before\":null,\"after\":$(row 003E1 First),\"source\":{\"table\":\"Contact\",\"ts_ms\":1000}}"
	echo "{\"op\":\"u\",\"before\":null,\"after\":$(row 003E1 Second),\"source\":{\"table\":\"Contact\",\"ts_ms\":1001}}"
	echo "{\"op\":\"d\",\"before\":{\"Id\":\"003B00000000000007\"},\"after\":null,\"source\":{\"table\":\"Contact\",\"ts_ms\":1002}}"
} >"$SCRATCH/events.jsonl"
both events sync --events "$SCRATCH/events.jsonl"
same_rows events
expect_eq "the stream's last word" "$(pg_sql "$url" "select title from contact where source_id = '003E1'")" Second
both events-reconcile reconcile
both rollback-events rollback
same_rows rollback-events
both rollback-full rollback
same_rows rollback-full
expect_eq "the title with COPY's specials, from the pre-image" "$(pg_sql "$url" "$special_title")" "$special"
both rollback-incremental rollback
same_rows rollback-incremental
