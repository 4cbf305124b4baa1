# Helpers for the scenario scripts: a scratch folder, a copy of a project,
# and assertions that say what differs.
set -euo pipefail
: "${CRMSHIFT:?}" "${ROOT:?}"
SCRATCH=$(mktemp -d /tmp/crmshift-scenario.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$SCRATCH"' EXIT

# The backend of the scenario's targets: sqlite, or postgres when run-all.sh
# runs a scenario marked "# backends: sqlite postgres" a second time with
# CRMSHIFT_TEST_TARGET=postgres. Such a scenario makes its projects with
# copy_sample (or calls on_test_target) and reads its target and state with
# target_sql and state_sql, in SQL both backends answer alike.
TEST_TARGET=${CRMSHIFT_TEST_TARGET:-sqlite}
# shellcheck source=tests/cli/target-lib.sh
. "$ROOT/tests/cli/target-lib.sh"

copy_sample() {
	cp -r "$ROOT/examples/sample" "$SCRATCH/$1"
	on_test_target "$SCRATCH/$1"
	echo "$SCRATCH/$1"
}

# Points project at a new empty database of the test target (SQLite: its own file, as written).
on_test_target() { # project
	[ "$TEST_TARGET" = postgres ] || return 0
	pg_require
	use_target "$1" "$(pg_new_db "$(basename "$1" | tr -c 'a-z0-9\n' _)")"
}

# A copy of project src at dst: its files and, on PostgreSQL, its database
# (the target and the state in it) as a new one the copy points at.
copy_project() { # src dst
	local url db
	cp -r "$1" "$2"
	url=$(target_url "$1")
	[[ "$url" == postgres* ]] || return 0
	db="$(basename "$2" | tr -c 'a-z0-9\n' _)_$(date +%s%N | tr 0-9 a-j)_$(echo $RANDOM | tr 0-9 a-j)"
	psql -q -d postgres -c "CREATE DATABASE $db TEMPLATE ${url##*/}" >/dev/null
	use_target "$2" "postgres://$PGUSER@127.0.0.1:$PGPORT/$db"
}

# Every row of every table of project's state, in the order of its columns.
state_dump() { # project
	local t tables
	if [[ "$(target_url "$1")" == postgres* ]]; then
		tables=$(state_sql "$1" "select table_name from information_schema.tables where table_schema = 'crmshift' order by table_name")
	else
		tables=$(state_sql "$1" "select name from sqlite_master where type = 'table' order by name")
	fi
	for t in $tables; do
		echo "== $t"
		state_sql "$1" "select * from $t order by 1, 2"
	done
}

# Every row of project's target by source ids (dump_by_source_ids), today's
# load times written as LOAD-TIME: two loads of the same records compare
# equal, on either backend.
target_rows() { # project
	local url today
	url=$(target_url "$1")
	today=$(date -u +%Y-%m-%d)
	case "$url" in
	postgres*) dump_by_source_ids pg_sql "$url" ;;
	*) dump_by_source_ids sqlite3 "$1/${url#sqlite:}" ;;
	esac | sed -E "s/${today}T[0-9:]{8}Z/LOAD-TIME/g"
}

# A query of project's state, its tables unqualified (runs, xref, ledger, ...).
state_sql() { # project query
	local url
	url=$(target_url "$1")
	case "$url" in
	postgres*) PGOPTIONS="-c search_path=crmshift" pg_sql "$url" "$2" ;;
	*) sqlite3 "$1/.crmshift/state.db" "$2" ;;
	esac
}

fail() { echo "$*" >&2; exit 1; }

# Headless Chromium on a local page, nothing fetched, its profile in the scratch folder.
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$SCRATCH/chrome-profile" --enable-logging=stderr --v=0 "$@"
}

expect_eq() { # what actual expected
	[ "$2" == "$3" ] || fail "$1: expected '$3', got '$2'"
}

# The source CSVs of a project, loaded as they are into a scratch SQLite
# database (table per file), to check the target against an independent read.
import_source() { # project db
	local f
	for f in "$1"/exports/*.csv; do
		local t
		t=$(basename "$f" .csv)
		if [ "$t" = Lead ]; then
			iconv -f windows-1252 -t utf-8 "$f" >"$SCRATCH/lead-utf8.csv"
			f="$SCRATCH/lead-utf8.csv"
		fi
		sqlite3 "$2" ".import --csv '$f' src_$t"
	done
}

# A dump of the target's data without what differs between two loads by
# design: the generated customer_id, the load-time timestamps and the
# target's identity (session.h).
# kill -9 pid as soon as the number a query of db returns exceeds min (polled
# every 10 ms for up to 30 s); fails when pid finished before that. The
# query runs with sqlite3, or with $PROBE (PROBE=pg_sql: db is a url;
# PROBE=state_sql: db is a project, the query of its state).
kill_when_over() { # pid db query min what
	# the process is stopped while the state is read, so a slow read on a busy machine
	# cannot let it run past the point to kill at; it runs 10 ms between reads
	local n state
	for _ in $(seq 1 3000); do
		kill -STOP "$1" 2>/dev/null || break
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo Z)
		[ "$state" = Z ] && break
		n=$(${PROBE:-sqlite3} "$2" "$3" 2>/dev/null || echo 0)
		[ "${n:-0}" -gt "$4" ] && break
		kill -CONT "$1"
		sleep 0.01
	done
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo Z)
	[ "$state" != Z ] || fail "the $5 finished before it could be killed"
	kill -9 "$1" 2>/dev/null || fail "the $5 finished before it could be killed"
	wait "$1" 2>/dev/null || true
}

dump_target() { # db
	sqlite3 "$1" "select name from sqlite_master where type='table' and name != 'crmshift_identity' order by name" | while read -r t; do
		cols=$(sqlite3 "$1" "select group_concat(name, ', ') from pragma_table_info('$t') where name not in ('customer_id')")
		echo "== $t"
		sqlite3 "$1" "select $cols from \"$t\" order by source_id"
	done
}

# init --from, then profile, plan, migrate and reconcile of the draft, untouched;
# sets verdict (reconcile's exit) and fired (the fired triggers as trigger/subject)
lifecycle() { # dir crm exports
	"$CRMSHIFT" init "$1" --from "$2" --exports "$3" >"$1.init" || fail "init $2 $3: $(cat "$1.init")"
	"$CRMSHIFT" -C "$1" profile >"$1.profile" || fail "profile of $1 failed"
	"$CRMSHIFT" -C "$1" plan >"$1.plan" 2>&1 || fail "plan of the drafted $1 failed: $(tail -5 "$1.plan")"
	"$CRMSHIFT" -C "$1" migrate >"$1.migrate" 2>&1 || fail "migrate of $1 failed: $(tail -5 "$1.migrate")"
	verdict=0
	"$CRMSHIFT" -C "$1" reconcile --json >"$1.reconcile" || verdict=$?
	fired=$(jq -r '[.triggers[] | select(.fired) | .trigger + "/" + .subject] | join(" ")' "$1.reconcile")
}

# The lost links of a reconcile --json report, one reference a line: "Object.field lost/source cause:n ..."
lost_links() { # reconcile.json
	jq -r '.relationships.references[] | select(.lost > 0) | "\(.object).\(.field) \(.lost)/\(.source_links) " + ([.lost_by_cause | to_entries[] | select(.value > 0) | "\(.key):\(.value)"] | join(" "))' "$1"
}

# PostgreSQL (the server tests/run-all.sh started: PGHOST, PGPORT, PGUSER,
# PGPASSFILE). A scenario that needs it calls pg_require first: without a
# server it exits 77, which run-all.sh counts as skipped, with the reason.
pg_require() {
	if [ -z "${PGPORT:-}" ]; then
		echo "no PostgreSQL test server: ${CRMSHIFT_PG_SKIP:-tests/run-all.sh did not start one}"
		exit 77
	fi
}

# The columns of a PostgreSQL model table as "name|type|expression" lines,
# each expression giving the column in the form SQLite holds it (booleans
# as 0/1, times as ISO 8601 UTC with their fraction; pg_sql runs in UTC);
# alias t.
pg_columns() { # url table
	pg_sql "$1" "select column_name || '|' || data_type || '|' || case data_type
		when 'boolean' then '(t.' || quote_ident(column_name) || '::int)'
		when 'timestamp with time zone' then 'replace(replace(t.' || quote_ident(column_name) || '::text, '' '', ''T''), ''+00'', ''Z'')'
		else 't.' || quote_ident(column_name) end from information_schema.columns
		where table_schema = 'public' and table_name = '$2' order by ordinal_position"
}

# Every row of every model table with its references as the parent's
# source id instead of a row id, without id and customer_id: the same for
# two loads of the same records whatever ids the target assigned (a
# PostgreSQL sequence skips the ids of a batch that was rolled back). A
# table that cannot be read shows as "== TABLE: the query failed".
dump_by_source_ids() { # sqlite3|pg_sql db
	local q=$1 db=$2 t cols
	if [ "$q" = sqlite3 ]; then
		tables=$(sqlite3 "$db" "select name from sqlite_master where type='table' and name != 'crmshift_identity' order by name")
	else
		tables=$(pg_sql "$db" "select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'crmshift_identity' order by table_name")
	fi
	for t in $tables; do
		if [ "$q" = sqlite3 ]; then
			cols=$(sqlite3 "$db" "select name || '|' || lower(type) || '|t.\"' || name || '\"' from pragma_table_info('$t') order by cid")
		else
			cols=$(pg_columns "$db" "$t")
		fi
		local select="" c parent expr type
		while IFS= read -r c; do
			expr=${c#*|}
			type=${expr%%|*}
			expr=${expr#*|}
			c=${c%%|*}
			case "$c" in
			id | customer_id) continue ;;
			parent_account_id | account_id) parent=account ;;
			contact_id) parent=contact ;;
			opportunity_id) parent=opportunity ;;
			lead_id) parent=lead ;;
			*) parent="" ;;
			esac
			# a reference is an integer column to a table of the target; a custom text column may have its name.
			# (Not printf | grep -q: bash's printf writes a line at a time, and once grep has matched and
			# quit, a later line's write kills printf with SIGPIPE, which pipefail took for "no such table":
			# under load a reference now and then dumped as a row id, and two equal targets differed.)
			if [ -n "$parent" ] && [ "$type" = integer -o "$type" = bigint ] &&
				[[ $'\n'"$tables"$'\n' == *$'\n'"$parent"$'\n'* ]]; then
				select="$select, (select p.source_id from \"$parent\" p where p.id = t.\"$c\")"
			else
				select="$select, $expr"
			fi
		done <<<"$cols"
		echo "== $t"
		"$q" "$db" "select ${select#, } from \"$t\" t order by t.source_id" || echo "== $t: the query failed"
	done
}
