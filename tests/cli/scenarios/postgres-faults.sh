# Faults with a PostgreSQL target: a server that is down, a password where
# it does not belong, a wrong password, a table made by something else, the
# connection killed mid-batch, crmshift killed mid-load. Each ends with a
# clear error and, after --resume (or the next sync), the rows of an
# uninterrupted run. (A before-snapshot that cannot be written:
# before-snapshot-beside.sh, on both backends.)
. "$(dirname "$0")/../scenario-lib.sh"
pg_require
GEN="$(dirname "$CRMSHIFT")/bench/gen"
[ -x "$GEN" ] || GEN="$ROOT/build/bench/gen"

# 1. nothing listens on the port: exit 5 naming host and port, nothing written
P=$(copy_sample down)
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
use_target "$P" "postgres://crmshift@127.0.0.1:$closed/postgres"
rc=0
"$CRMSHIFT" -C "$P" migrate >"$SCRATCH/down.out" 2>"$SCRATCH/down.err" || rc=$?
expect_eq "server down: exit code" "$rc" 5
grep -q "host 127.0.0.1, port $closed" "$SCRATCH/down.err" || fail "server down: host and port not named: $(cat "$SCRATCH/down.err")"
[ ! -e "$P/.crmshift/state.db" ] && [ ! -e "$P/reports" ] || fail "server down: files were written"

# 2. a password in the url is refused before anything connects, and never printed
P=$(copy_sample inline)
use_target "$P" "postgres://crmshift:hunter2secret@127.0.0.1:$PGPORT/postgres"
rc=0
"$CRMSHIFT" -C "$P" migrate >"$SCRATCH/inline.out" 2>"$SCRATCH/inline.err" || rc=$?
expect_eq "password in the url: exit code" "$rc" 1
grep -q "holds a password" "$SCRATCH/inline.err" || fail "password in the url: $(cat "$SCRATCH/inline.err")"
! grep -rq hunter2secret "$SCRATCH/inline.out" "$SCRATCH/inline.err" "$P/.crmshift" || fail "the password was printed or stored"

# 3. a wrong password (from the password file, as libpq reads it): exit 5, the password never echoed
P=$(copy_sample auth)
use_target "$P" "$(pg_new_db auth)"
printf '127.0.0.1:%s:*:crmshift:wrong-pass-7781\n' "$PGPORT" >"$SCRATCH/bad.pgpass"
chmod 600 "$SCRATCH/bad.pgpass"
rc=0
PGPASSFILE="$SCRATCH/bad.pgpass" "$CRMSHIFT" -C "$P" migrate >"$SCRATCH/auth.out" 2>"$SCRATCH/auth.err" || rc=$?
expect_eq "wrong password: exit code" "$rc" 5
grep -q "password authentication failed" "$SCRATCH/auth.err" || fail "wrong password: $(cat "$SCRATCH/auth.err")"
! grep -q wrong-pass-7781 "$SCRATCH/auth.out" "$SCRATCH/auth.err" || fail "the wrong password was echoed"

# 4. a contact table with other columns, made by another application: refused, named, untouched
P=$(copy_sample foreign)
url=$(pg_new_db foreign)
use_target "$P" "$url"
pg_sql "$url" "create table contact (id bigint primary key, source_system text, source_id text, email integer, first_name varchar(10))"
rc=0
"$CRMSHIFT" -C "$P" migrate >"$SCRATCH/foreign.out" 2>"$SCRATCH/foreign.err" || rc=$?
expect_eq "foreign table: exit code" "$rc" 4
grep -q "table contact" "$SCRATCH/foreign.err" && grep -q "email integer" "$SCRATCH/foreign.err" &&
	grep -q "first_name character varying" "$SCRATCH/foreign.err" || fail "foreign table: $(cat "$SCRATCH/foreign.err")"
expect_eq "foreign table untouched" "$(pg_sql "$url" "select count(*) from contact")" 0

# 5. TLS: sslmode=verify-full against the server's private CA loads; against another CA it is
#    refused before anything is sent (exit 5, the certificate named as the reason)
P=$(copy_sample tls)
url=$(pg_new_db tls)
use_target "$P" "$url?sslmode=verify-full&sslrootcert=$CRMSHIFT_PG_DIR/root.crt"
grep -q "sslmode=verify-full&sslrootcert=" "$P/crmshift.ini" || fail "the url was not written whole: $(grep '^url' "$P/crmshift.ini")"
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "verify-full with the server's CA: exit $?"
expect_eq "loaded over TLS" "$(pg_sql "$url" "select count(*) from contact")" 17
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=another CA" -keyout "$SCRATCH/other.key" \
	-out "$SCRATCH/other.crt" >/dev/null 2>&1
P=$(copy_sample tls-other)
use_target "$P" "$(pg_new_db tls_other)?sslmode=verify-full&sslrootcert=$SCRATCH/other.crt"
rc=0
"$CRMSHIFT" -C "$P" migrate >/dev/null 2>"$SCRATCH/tls.err" || rc=$?
expect_eq "verify-full with another CA: exit code" "$rc" 5
grep -q "certificate verify failed" "$SCRATCH/tls.err" || fail "another CA: $(cat "$SCRATCH/tls.err")"

# The reference for 6 and 7: an uninterrupted load of the same files (into
# SQLite: the rows are the same), compared by source ids, since a
# PostgreSQL sequence does not take back the ids of a rolled-back batch.
"$GEN" "$SCRATCH/gen" 20000 >/dev/null
sed -i 's/^batch_size = .*/batch_size = 200/' "$SCRATCH/gen/crmshift.ini"
cp -r "$SCRATCH/gen" "$SCRATCH/ref"
"$CRMSHIFT" -C "$SCRATCH/ref" migrate --json >"$SCRATCH/ref.json"
counts() { jq -c '[.objects[] | {object, read, inserted, updated, unchanged, rejected, orphaned}], .reject_rows, .orphan_rows' "$1"; }
no_times() { sed 's/|20[0-9-]*T[0-9:]*Z|20[0-9-]*T[0-9:]*Z$//'; }
dump_by_source_ids sqlite3 "$SCRATCH/ref/target.db" | no_times >"$SCRATCH/ref.dump"
contacts_done="select coalesce(sum(pass1_records), 0) from crmshift.checkpoints where object = 'Contact'"
resumed_like_ref() { # label project url
	"$CRMSHIFT" -C "$2" migrate --resume --json >"$SCRATCH/$1.json" || fail "$1: --resume exited $?"
	expect_eq "$1: counts after resume" "$(counts "$SCRATCH/$1.json")" "$(counts "$SCRATCH/ref.json")"
	dump_by_source_ids pg_sql "$3" | no_times >"$SCRATCH/$1.dump"
	diff "$SCRATCH/ref.dump" "$SCRATCH/$1.dump" >"$SCRATCH/$1.diff" ||
		fail "$1: rows after resume differ from an uninterrupted load: $(head -n 20 "$SCRATCH/$1.diff")"
	for t in account contact opportunity opportunity_contact; do
		expect_eq "$1: duplicates in $t" "$(pg_sql "$3" "select count(*) - count(distinct source_id) from $t")" 0
	done
	expect_eq "$1: ledger inserts = rows inserted" \
		"$(pg_sql "$3" "select count(*) from crmshift.ledger where action = 'insert'")" \
		"$(jq '[.objects[].inserted] | add' "$SCRATCH/ref.json")"
}

# 6. the server ends the connection mid-batch (pg_terminate_backend): exit 5, then --resume
P="$SCRATCH/terminated"
cp -r "$SCRATCH/gen" "$P"
url=$(pg_new_db terminated)
use_target "$P" "$url"
db=${url##*/}
"$CRMSHIFT" -C "$P" migrate >"$SCRATCH/terminated.out" 2>"$SCRATCH/terminated.err" &
pid=$!
for _ in $(seq 1 3000); do
	n=$(pg_sql "$url" "$contacts_done" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 5000 ] && break
	sleep 0.01
done
# crmshift's connection, not an autovacuum worker on the table it loads (one starts there on a slow run),
# nor the second one that builds the accounts' entries and index beside the load (the younger, while it lasts)
expect_eq "terminated backends" "$(pg_sql postgres "select count(pg_terminate_backend(pid)) from (select pid from pg_stat_activity where datname = '$db' and backend_type = 'client backend' and pid <> pg_backend_pid() order by backend_start limit 1) AS run")" 1
rc=0
wait $pid || rc=$?
expect_eq "connection terminated: exit code" "$rc" 5
grep -q "connection" "$SCRATCH/terminated.err" || fail "connection terminated: $(cat "$SCRATCH/terminated.err")"
resumed_like_ref terminated "$P" "$url"

# 7. kill -9 of crmshift mid-load, then --resume
P="$SCRATCH/killed"
cp -r "$SCRATCH/gen" "$P"
url=$(pg_new_db killed)
use_target "$P" "$url"
"$CRMSHIFT" -C "$P" migrate >/dev/null 2>&1 &
PROBE=pg_sql kill_when_over $! "$url" "$contacts_done" 5000 load
expect_eq "run status after the kill" "$(pg_sql "$url" "select status from crmshift.runs order by id desc limit 1")" running
resumed_like_ref killed "$P" "$url"
