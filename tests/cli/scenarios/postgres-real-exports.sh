# The real exports of ../shared/data/real, drafted with init --from and
# loaded into SQLite and into PostgreSQL: migrate's report, reconcile's
# verdict with every figure, and every row (by source ids) are the same;
# each rolls back to identical with no row edited since the cutover.
. "$(dirname "$0")/../scenario-lib.sh"
pg_require
REAL="$ROOT/../shared/data/real"
[ -d "$REAL" ] || fail "missing $REAL"

same_on_both() { # name crm exports
	local lite="$SCRATCH/$1" pg="$SCRATCH/$1-pg" url label
	"$CRMSHIFT" init "$lite" --from "$2" --exports "$3" >/dev/null || fail "$1: init exited $?"
	cp -r "$lite" "$pg"
	url=$(pg_new_db real)
	use_target "$pg" "$url"
	grep -q "^url = postgres" "$pg/crmshift.ini" || printf '\n[target]\nurl = %s\n' "$url" >>"$pg/crmshift.ini"
	for label in migrate reconcile; do
		local lite_rc=0 pg_rc=0
		"$CRMSHIFT" -C "$lite" "$label" --json >"$SCRATCH/$1.lite.$label" || lite_rc=$?
		"$CRMSHIFT" -C "$pg" "$label" --json >"$SCRATCH/$1.pg.$label" || pg_rc=$?
		expect_eq "$1 $label: exit code on postgres" "$pg_rc" "$lite_rc"
		diff <(sed "s#$lite#P#g" "$SCRATCH/$1.lite.$label" | jq -S 'del(.seconds, .target)') \
			<(sed "s#$pg#P#g" "$SCRATCH/$1.pg.$label" | jq -S 'del(.seconds, .target)') >"$SCRATCH/$1.$label.diff" ||
			fail "$1 $label: postgres reports differently: $(head -n 20 "$SCRATCH/$1.$label.diff")"
	done
	# the load time fills unmapped created_at and updated_at: two runs may straddle a second
	dump_by_source_ids sqlite3 "$lite/target.db" | sed -E "s/$(date -u +%Y-%m-%d)T[0-9:]{8}Z/LOAD-TIME/g" >"$SCRATCH/$1.lite.rows"
	dump_by_source_ids pg_sql "$url" | sed -E "s/$(date -u +%Y-%m-%d)T[0-9:]{8}Z/LOAD-TIME/g" >"$SCRATCH/$1.pg.rows"
	! grep -h "the query failed" "$SCRATCH/$1.lite.rows" "$SCRATCH/$1.pg.rows" || fail "$1: a table could not be dumped"
	[ "$(grep -vc '^==' "$SCRATCH/$1.pg.rows")" -gt 0 ] || fail "$1: no rows in postgres"
	diff "$SCRATCH/$1.lite.rows" "$SCRATCH/$1.pg.rows" >"$SCRATCH/$1.rows.diff" ||
		fail "$1: the postgres rows differ: $(head -n 20 "$SCRATCH/$1.rows.diff")"
	# nobody edited the rows since: the after-snapshot's hashes are the rows' (two objects writing one
	# table once left the first one's rows "edited", hashed before the second added its columns)
	for label in lite pg; do
		local p="$lite"
		[ "$label" = pg ] && p="$pg"
		"$CRMSHIFT" -C "$p" rollback --json >"$SCRATCH/$1.$label.rollback" || fail "$1: rollback on $label exited $?"
		expect_eq "$1: rows edited since the cutover on $label" \
			"$(jq -c '[.changed_since_cutover.edited, .changed_since_cutover.created, .identical]' "$SCRATCH/$1.$label.rollback")" \
			"[0,0,true]"
	done
}

same_on_both fivetran-sf salesforce "$REAL/fivetran-dbt-salesforce"
same_on_both fivetran-hs hubspot "$REAL/fivetran-dbt-hubspot"
same_on_both pipedrive pipedrive "$REAL/airbyte-pipedrive"
same_on_both coral salesforce "$REAL/coral-cloud"
same_on_both febrl generic "$REAL/febrl"
