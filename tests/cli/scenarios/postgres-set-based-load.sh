# A first load into PostgreSQL inserts each batch as one set (COPY into a
# staging table, one INSERT ... SELECT). What the file or the target held
# already is settled as SQLite's row-by-row load settles it: a record twice
# in the file (within a batch and across batches), and rows the target had
# that the state did not know. Batches of 4 records put each case both
# inside a batch and at its edges.
. "$(dirname "$0")/../scenario-lib.sh"
pg_require

lite=$(copy_sample lite)
pg=$(copy_sample pg)
url=$(pg_new_db setload)
use_target "$pg" "$url"
for p in "$lite" "$pg"; do
	sed -i 's/^batch_size = .*/batch_size = 4/' "$p/crmshift.ini"
	# the second contact again right after itself, and the first at the end
	f="$p/exports/Contact.csv"
	{ head -n 3 "$f"; sed -n 3p "$f"; tail -n +4 "$f"; sed -n 2p "$f"; } >"$SCRATCH/contacts.csv"
	mv "$SCRATCH/contacts.csv" "$f"
done

counts() { sed "s#$lite#PROJECT#g; s#$pg#PROJECT#g" "$1" | jq -S 'del(.. | .seconds?, .elapsed_s?, .duration_s?, .target?, .started_at?, .finished_at?, .taken_at?)'; }
both() { # label, then the command's arguments
	local label=$1 lite_rc=0 pg_rc=0
	shift
	"$CRMSHIFT" -C "$lite" "$@" --json >"$SCRATCH/lite-$label.json" || lite_rc=$?
	"$CRMSHIFT" -C "$pg" "$@" --json >"$SCRATCH/pg-$label.json" || pg_rc=$?
	expect_eq "$label: exit code on postgres" "$pg_rc" "$lite_rc"
	[ "$pg_rc" -le 3 ] || fail "$label: $* exited $pg_rc: $(cat "$SCRATCH/pg-$label.json")"
	diff <(counts "$SCRATCH/lite-$label.json") <(counts "$SCRATCH/pg-$label.json") >"$SCRATCH/$label.diff" ||
		fail "$label: postgres reports differently from sqlite: $(head -n 20 "$SCRATCH/$label.diff")"
}
today=$(date -u +%Y-%m-%d)
same_rows() { # label
	dump_by_source_ids sqlite3 "$lite/target.db" | sed -E "s/${today}T[0-9:]{8}Z/LOAD-TIME/g" >"$SCRATCH/lite-$1.dump"
	dump_by_source_ids pg_sql "$url" | sed -E "s/${today}T[0-9:]{8}Z/LOAD-TIME/g" >"$SCRATCH/pg-$1.dump"
	diff "$SCRATCH/lite-$1.dump" "$SCRATCH/pg-$1.dump" >"$SCRATCH/$1.rows.diff" ||
		fail "$1: the postgres target differs from the sqlite one: $(head -n 20 "$SCRATCH/$1.rows.diff")"
}
# A reject's place in the file may differ (a duplicate is found when its
# batch is inserted), its row may not.
same_rejects() { # run
	diff <(sort "$lite/reports/rejects-$1.csv") <(sort "$pg/reports/rejects-$1.csv") >"$SCRATCH/rejects.diff" ||
		fail "run $1: postgres rejects differ: $(head -n 20 "$SCRATCH/rejects.diff")"
}

both migrate migrate
same_rows migrate
same_rejects 1
expect_eq "duplicates rejected" \
	"$(grep -c 'the same id appears earlier in the file' "$pg/reports/rejects-1.csv")" 2
expect_eq "each duplicated contact loaded once" \
	"$(pg_sql "$url" "select count(*) from contact where source_id in ('003A000000000001AAA', '003A000000000002AAA')")" 2
# the ledger holds one insert per row, the xref one entry per row
expect_eq "ledger inserts = rows" \
	"$(pg_sql "$url" "select count(*) from crmshift.ledger where action = 'insert'")" \
	"$(pg_sql "$url" "select (select count(*) from account) + (select count(*) from contact) + (select count(*) from lead) + (select count(*) from opportunity) + (select count(*) from opportunity_contact) + (select count(*) from activity)")"
expect_eq "xref = ledger inserts" "$(pg_sql "$url" "select count(*) from crmshift.xref")" \
	"$(pg_sql "$url" "select count(*) from crmshift.ledger where action = 'insert'")"
# into empty tables, the load inserts without the source index and builds it as each pass ends: every table has it
expect_eq "source indexes built" \
	"$(pg_sql "$url" "select count(*) from pg_indexes where schemaname = 'public' and indexdef like 'CREATE UNIQUE INDEX % (source_system, source_id)'")" \
	"$(pg_sql "$url" "select count(*) from information_schema.columns where table_schema = 'public' and column_name = 'source_id'")"

# A re-run reads the cross-reference a batch at a time: nothing changes.
both rerun migrate
same_rows rerun
expect_eq "re-run: unchanged" "$(jq '[.objects[].unchanged] | add' "$SCRATCH/pg-rerun.json")" \
	"$(jq '[.objects[].inserted] | add' "$SCRATCH/pg-migrate.json")"
expect_eq "re-run: ledger" "$(pg_sql "$url" "select count(*) from crmshift.ledger where run_id = 2")" 0

# The state forgets the contacts (as if it were lost) while the target keeps
# them: the next load finds every row there and updates it in place, with
# its pre-image, rather than inserting a second one.
sqlite3 "$lite/.crmshift/state.db" "delete from xref where object_id = (select id from objects where name = 'Contact')"
pg_sql "$url" "delete from crmshift.xref where object_id = (select id from crmshift.objects where name = 'Contact')"
sed -i 's/Coyote/Coyote-Smith/' "$lite/exports/Contact.csv" "$pg/exports/Contact.csv"
both reload migrate
same_rows reload
same_rejects 3
expect_eq "rows the target had: updated" "$(jq '.objects[] | select(.object == "Contact") | [.inserted, .updated]' -c "$SCRATCH/pg-reload.json")" \
	"$(jq '.objects[] | select(.object == "Contact") | [.inserted, .updated]' -c "$SCRATCH/lite-reload.json")"
expect_eq "no contact twice" "$(pg_sql "$url" "select count(*) - count(distinct source_id) from contact")" 0
pg_sql "$url" "select last_name from contact where source_id = '003A000000000001AAA'" | grep -qx 'Coyote-Smith' ||
	fail "the reload did not update the row the target had"

# Rolling every run back leaves both targets empty.
both rollback-reload rollback
same_rows rollback-reload
both rollback-rerun rollback
both rollback-migrate rollback
expect_eq "contacts after both rollbacks" "$(pg_sql "$url" "select count(*) from contact")" 0
