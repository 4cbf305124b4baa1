# The state database is bound to the target it loaded (an identity in both):
# a target deleted or replaced, a state copied from another project, or a new
# project pointed at another's target is refused (exit 4) before anything is
# written, instead of counting absent rows 'unchanged' or writing over
# another load's rows; a state from before identities is bound on its next run.
# On PostgreSQL the state lives in the target's database and moves with it,
# so only the binding and the reload of rows deleted from the target apply.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
A=$(copy_sample a)
B=$(copy_sample b)
"$CRMSHIFT" -C "$A" migrate >/dev/null
"$CRMSHIFT" -C "$B" migrate >/dev/null
identity() { target_sql "$1" "select identity from crmshift_identity"; }
[ -n "$(identity "$A")" ] || fail "no identity in the target"
expect_eq "bound in the state" "$(state_sql "$A" "select value from meta where key = 'target_identity'")" "$(identity "$A")"
[ "$(identity "$A")" != "$(identity "$B")" ] || fail "two targets share an identity"

if [ "$TEST_TARGET" = sqlite ]; then

	# 1. the target deleted: every command that reads or writes it refuses, naming it
	mv "$A/target.db" "$SCRATCH/a-target.db"
	for cmd in migrate reconcile status rollback; do
		rc=0
		"$CRMSHIFT" -C "$A" $cmd >"$SCRATCH/out" 2>"$SCRATCH/err" || rc=$?
		expect_eq "$cmd on a deleted target" "$rc" 4
		grep -q "sqlite:target.db is not the target this project loaded" "$SCRATCH/err" || fail "$cmd said: $(cat "$SCRATCH/err")"
	done
	expect_eq "nothing loaded into the new file" "$(sqlite3 "$A/target.db" "select count(*) from sqlite_master where name = 'contact'")" 0
	mv "$SCRATCH/a-target.db" "$A/target.db"
	"$CRMSHIFT" -C "$A" migrate --json >"$SCRATCH/m.json"
	expect_eq "restored: nothing to do" "$(jq '[.objects[] | .inserted + .updated] | add' "$SCRATCH/m.json")" 0

	# 2. another project's state copied in: refused, the target untouched
	dump_target "$A/target.db" >"$SCRATCH/before"
	cp "$A/.crmshift/state.db" "$SCRATCH/a-state.db"
	cp "$B/.crmshift/state.db" "$A/.crmshift/state.db"
	rc=0
	"$CRMSHIFT" -C "$A" migrate >/dev/null 2>"$SCRATCH/err" || rc=$?
	expect_eq "a copied state" "$rc" 4
	grep -q "holds another load (target $(identity "$A")), not the one this project's state knows (target $(identity "$B"))" "$SCRATCH/err" ||
		fail "said: $(cat "$SCRATCH/err")"
	dump_target "$A/target.db" >"$SCRATCH/after"
	diff "$SCRATCH/before" "$SCRATCH/after" >&2 || fail "the target changed"
	cp "$SCRATCH/a-state.db" "$A/.crmshift/state.db"

	# 3. a new project pointed at another's target
	N=$(copy_sample n)
	sed -i "s|^url = sqlite:target.db$|url = sqlite:$A/target.db|" "$N/crmshift.ini"
	rc=0
	"$CRMSHIFT" -C "$N" migrate >/dev/null 2>"$SCRATCH/err" || rc=$?
	expect_eq "a new project on another's target" "$rc" 4
	grep -q "holds a load of another project" "$SCRATCH/err" || fail "said: $(cat "$SCRATCH/err")"

	# 4. a project migrated before identities: bound on its next run, then checked
	sqlite3 "$B/target.db" "drop table crmshift_identity"
	sqlite3 "$B/.crmshift/state.db" "delete from meta where key = 'target_identity'"
	"$CRMSHIFT" -C "$B" migrate >/dev/null || fail "an unbound project does not run"
	[ -n "$(identity "$B")" ] || fail "the old project's target got no identity"
	expect_eq "the old project bound" "$(sqlite3 "$B/.crmshift/state.db" "select value from meta where key = 'target_identity'")" "$(identity "$B")"
fi

# 5. rows deleted from the target outside crmshift are loaded again, not counted unchanged,
# and the links to them follow
"$CRMSHIFT" -C "$A" reconcile --json >"$SCRATCH/r0.json" || true
target_sql "$A" "delete from contact where source_id in ('003A000000000001AAA', '003A000000000002AAA')"
"$CRMSHIFT" -C "$A" migrate --json >"$SCRATCH/m5.json"
expect_eq "contacts loaded again" "$(jq '.objects[] | select(.object == "Contact") | [.inserted, .unchanged]' -c "$SCRATCH/m5.json")" "[2,15]"
expect_eq "both back" "$(target_sql "$A" "select count(*) from contact where source_id in ('003A000000000001AAA', '003A000000000002AAA')")" 2
expect_eq "roles point at rows that exist" "$(target_sql "$A" "select count(*) from opportunity_contact r where not exists (select 1 from contact c where c.id = r.contact_id)")" 0
"$CRMSHIFT" -C "$A" reconcile --json >"$SCRATCH/r5.json" || true
expect_eq "reconcile as before the deletion" "$(jq -c '[.objects[] | [.missing, .mismatched]]' "$SCRATCH/r5.json")" "$(jq -c '[.objects[] | [.missing, .mismatched]]' "$SCRATCH/r0.json")"
