# A first load's source index cannot be built when its pass ends (a relation
# of that name is in the way). On a server it is built on a second
# connection while the next objects load: either way the run fails naming
# the object, the table and the server's reason, and once the way is clear
# --resume completes the run as an uninterrupted one leaves it, with every
# source index and every cross-reference entry.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"
"$GEN" "$SCRATCH/gen" 2000 1 >/dev/null
copy_project "$SCRATCH/gen" "$SCRATCH/ref"
on_test_target "$SCRATCH/ref"
"$CRMSHIFT" -C "$SCRATCH/ref" migrate >/dev/null
P="$SCRATCH/p"
copy_project "$SCRATCH/gen" "$P"
on_test_target "$P"
target_sql "$P" "create table contact_source_key (x integer)"

rc=0
"$CRMSHIFT" -C "$P" migrate >"$SCRATCH/out" 2>"$SCRATCH/err" || rc=$?
[ "$rc" -ne 0 ] || fail "the load went through with its index in the way: $(cat "$SCRATCH/out")"
grep -q "contact_source_key" "$SCRATCH/err" || fail "the error does not name the index: $(cat "$SCRATCH/err")"
grep -q "already" "$SCRATCH/err" || fail "the error does not say why: $(cat "$SCRATCH/err")"
if [ "$TEST_TARGET" = postgres ]; then
	grep -q "^crmshift: error: Contact: its cross-reference entries and the source index of table contact, after pass 1: " \
		"$SCRATCH/err" || fail "the error does not name the object and table: $(cat "$SCRATCH/err")"
fi
expect_eq "the run is left to resume" "$(state_sql "$P" "select status from runs")" running

target_sql "$P" "drop table contact_source_key"
"$CRMSHIFT" -C "$P" migrate --resume >/dev/null || fail "resume once the way is clear: exit $?"
expect_eq "rows as an uninterrupted load" "$(target_rows "$P" | md5sum)" "$(target_rows "$SCRATCH/ref" | md5sum)"
expect_eq "entries as an uninterrupted load" \
	"$(state_sql "$P" "select o.name, count(*) from xref x join objects o on o.id = x.object_id group by 1 order by 1")" \
	"$(state_sql "$SCRATCH/ref" "select o.name, count(*) from xref x join objects o on o.id = x.object_id group by 1 order by 1")"
if [ "$TEST_TARGET" = postgres ]; then
	indexes="select count(*) from pg_indexes where schemaname = 'public' and indexname like '%_source_key'"
else
	indexes="select count(*) from sqlite_master where type = 'index' and name like '%_source_key'"
fi
expect_eq "every source index" "$(target_sql "$P" "$indexes")" 4
expect_eq "the run done" "$(state_sql "$P" "select status from runs")" done
exit 0
