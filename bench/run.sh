#!/usr/bin/env bash
# make bench: generates a project of CONTACTS contacts (default 1,000,000)
# with accounts, opportunities and contact roles, their ids in random order
# as real exports have them (and, to show what order costs, the same
# records with ascending ids), then measures, in the same run on the same
# files:
#   crmshift profile  against sqlite3 counting fill and distinct per column
#   sqlite3 .import   the raw CSV files into a fresh database (no mapping)
#   crmshift migrate  the full pipeline into a fresh SQLite target (both
#                     three times in turns, compared by their medians), and
#                     the same records with ascending ids into another
#   crmshift migrate  again (everything unchanged: the idempotent re-run)
#   reconciliation against sort+comm (three times in turns, compared by
#                     their medians; with and without the target's rows
#                     dumped as text first) and sqlite3 EXCEPT
#   crmshift sync     1% of the contacts changed, as an incremental export
#                     and as a Debezium stream (three times in turns, their
#                     medians as shares of the first load's median), and as
#                     a full export
#   crmshift rollback of each sync, of the re-run and of the first load
#   JSON lines: the same contacts as Pipedrive persons (Airbyte records),
#                     read by jq and by sqlite3's JSON functions, then
#                     profiled and migrated by crmshift (the Pipedrive
#                     template); json_extract, profile and migrate three
#                     times in turns, compared by their medians
#   PostgreSQL        pgloader of the contacts (with the mapping's phone and
#                     date transforms), psql \copy of the four files and
#                     crmshift migrate (three times in turns, compared by
#                     their medians), the floor of any load of that target
#                     (its own rows copied into its bare tables, the keys
#                     built after), crmshift's re-run, the delta as an export
#                     and as events (each rolled back after, three times in
#                     turns, their medians as shares of that first load),
#                     reconcile and rollback on a private server; then the
#                     whole load after a 10% sample, a re-run with a fifth
#                     of the contacts changed and a full export without a
#                     tenth of them, then with that tenth back as new
#                     records, as an export and as a change stream, each
#                     rolled back
# and prints rows/s and peak RSS for each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
contacts=${CONTACTS:-1000000}
work="$root/$build/bench-data"
crmshift="$root/$build/crmshift"
rm -rf "$work"
mkdir -p "$work"
echo "generating $contacts contacts with accounts, opportunities and contact roles (ids in random order)..."
"$root/$build/bench/gen" --random-ids "$work/project" "$contacts" 1
"$root/$build/bench/gen" "$work/sorted" "$contacts" >/dev/null
rows=0
for f in "$work"/project/exports/*.csv; do
	n=$(($(wc -l <"$f") - 1))
	rows=$((rows + n))
	printf '  %-34s %9d rows %6d MB\n' "$(basename "$f")" "$n" $(($(stat -c %s "$f") / 1048576))
done

# Prints time, rows/s, peak RSS and the bytes the command wrote (GNU
# time's %O: file system outputs in 512-byte blocks, write_bytes of
# /proc/PID/io, counted when pages are dirtied, so writeback after the
# command counts too).
measure() { # label, rows, command...
	local label=$1 n=$2 out secs kb blocks
	shift 2
	sync # the previous step's writes are not flushed on this one's time
	out=$(/usr/bin/time -f '%e %M %O' "$@" 2>&1 >/dev/null | tail -n 1)
	read -r secs kb blocks <<<"$out"
	last_secs=$secs
	printf '%-52s %8.2f s %12.0f rows/s %8d MiB peak RSS %8d MB written\n' "$label" "$secs" \
		"$(echo "$n / $secs" | bc -l)" $((kb / 1024)) $((blocks / 2048))
}

# Discovery, before anything is loaded. The reference computes what an
# exact profile needs of every contact column (fill and distinct count) in
# SQL, import included; crmshift profile also infers types, formats, top
# values, ranges, personal data, date order, duplicates and orphans.
contacts=$(($(wc -l <"$work/project/exports/Contact.csv") - 1))
cols=$(head -1 "$work/project/exports/Contact.csv" | tr -d '\r')
select=$(echo "$cols" | tr ',' '\n' | sed 's/.*/sum("&" <> ""), count(distinct "&")/' | paste -sd, -)
printf '.import --csv %s c\nselect %s from c;\n' "$work/project/exports/Contact.csv" "$select" >"$work/profile.sql"
echo
echo "profile ($contacts contacts, $(echo "$cols" | tr ',' '\n' | wc -l) columns; before anything is loaded)"
measure "sqlite3 fill + count(distinct) per column (incl. import)" "$contacts" sqlite3 :memory: ".read $work/profile.sql"
measure "crmshift profile --objects Contact" "$contacts" "$crmshift" -C "$work/project" profile --objects Contact
measure "crmshift profile (all $(ls "$work"/project/exports/*.csv | wc -l) exports)" "$rows" "$crmshift" -C "$work/project" profile
rm -rf "$work/project/reports" "$work/project/.crmshift"

import_script="$work/import.sql"
: >"$import_script"
for f in "$work"/project/exports/*.csv; do
	echo ".import --csv '$f' $(basename "$f" .csv)" >>"$import_script"
done
echo
echo "$rows rows in all; each tool starts from an empty database"
# This machine moves one run by 10-20% (a shared host, fresh page cache):
# .import and the first load are taken three times in turns, each from
# nothing, and their medians compared.
imports=() loads=()
for pair in 1 2 3; do
	rm -rf "$work/import.db" "$work/project/target.db" "$work/project/.crmshift" "$work/project/reports"
	measure "sqlite3 .import (no mapping), run $pair" "$rows" sqlite3 "$work/import.db" ".read $import_script"
	imports+=("$last_secs")
	measure "crmshift migrate (first load), run $pair" "$rows" "$crmshift" -C "$work/project" migrate
	loads+=("$last_secs")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
import_median=$(median "${imports[@]}") load_median=$(median "${loads[@]}")
printf '%-52s %8.2f s vs %.2f s: %.2fx the rows/s of .import\n' "  medians: first load vs .import" "$load_median" \
	"$import_median" "$(echo "$import_median / $load_median" | bc -l)"
printf '%-52s %8d MB\n' "  the target and the state it wrote" \
	$((($(stat -c %s "$work/project/target.db") + $(stat -c %s "$work/project/.crmshift/state.db")) / 1048576))
measure "crmshift migrate (first load, the ids sorted)" "$rows" "$crmshift" -C "$work/sorted" migrate
rm -rf "$work/sorted"
measure "crmshift migrate (re-run, all unchanged)" "$rows" "$crmshift" -C "$work/project" migrate
"$crmshift" -C "$work/project" status | sed -n "/^object /,/^\$/p"

# Reconciliation. The references compare the contacts only, as two row sets
# prepared beforehand (not timed): the export's rows and the loaded rows,
# every mapped column. They know nothing of fields, tolerances or references;
# crmshift reconcile re-derives the expected rows from the export with the
# mapping and compares them, field by field where hashes differ.
contacts=$(($(wc -l <"$work/project/exports/Contact.csv") - 1))
src_cols="Id, AccountId, FirstName, LastName, Email, Phone, Birthdate, MailingCity, HasOptedOutOfEmail, CreatedDate, LastModifiedDate, Title, MobilePhone, MailingStreet, MailingState, MailingPostalCode, DoNotCall, LeadSource, OwnerId, Consent_Source__c, Consent_Timestamp__c"
tgt_cols="source_id, account_id, first_name, last_name, email, phone, birth_date, mailing_city, email_opt_out, created_at, updated_at, title, mobile_phone, mailing_street, mailing_state, mailing_postal_code, do_not_call, lead_source, owner, consent_source, consent_timestamp"
tail -n +2 "$work/project/exports/Contact.csv" >"$work/exported.csv"
sqlite3 -csv "$work/project/target.db" "select $tgt_cols from contact" >"$work/loaded.csv"
{
	echo "$tgt_cols" | tr -d ' '
	cat "$work/loaded.csv"
} >"$work/loaded-with-header.csv"
cat >"$work/except.sql" <<SQL
.import --csv '$work/project/exports/Contact.csv' exported
.import --csv '$work/loaded-with-header.csv' loaded
select count(*) from (select $src_cols from exported except select $tgt_cols from loaded);
select count(*) from (select $tgt_cols from loaded except select $src_cols from exported);
SQL
echo
echo "reconciliation ($contacts contacts, every mapped column; crmshift re-derives them from the export)"
# sort + comm and reconcile of the contacts: three times in turns, medians compared
# The line diff is given the loaded rows as text; reconcile reads them from the target. What
# sqlite3 takes to write them out is measured too, for the diff that starts where reconcile does.
diffs=() reconciles=() dumped_diffs=()
for pair in 1 2 3; do
	measure "sort + comm line diff (contacts), run $pair" "$contacts" bash -c "LC_ALL=C sort '$work/exported.csv' >'$work/a' && LC_ALL=C sort '$work/loaded.csv' >'$work/b' && comm -3 '$work/a' '$work/b' | wc -l"
	diffs+=("$last_secs")
	measure "sqlite3 -csv of the loaded contacts (the diff's input), run $pair" "$contacts" bash -c "sqlite3 -csv '$work/project/target.db' 'select $tgt_cols from contact' >'$work/dumped.csv'"
	dumped_diffs+=("$(echo "$last_secs + ${diffs[-1]}" | bc -l)")
	measure "crmshift reconcile --objects Contact, run $pair" "$contacts" "$crmshift" -C "$work/project" reconcile --objects Contact
	reconciles+=("$last_secs")
done
rm -f "$work/dumped.csv"
diff_median=$(median "${diffs[@]}") reconcile_median=$(median "${reconciles[@]}")
dumped_median=$(median "${dumped_diffs[@]}")
printf '%-52s %8.2f s vs %.2f s: %.2fx as fast as sort + comm\n' "  medians: reconcile vs sort + comm" \
	"$reconcile_median" "$diff_median" "$(echo "$diff_median / $reconcile_median" | bc -l)"
printf '%-52s %8.2f s vs %.2f s: %.2fx as fast\n' "  medians: reconcile vs the dump, sort and comm" \
	"$reconcile_median" "$dumped_median" "$(echo "$dumped_median / $reconcile_median" | bc -l)"
rm -f "$work/except.db"
measure "sqlite3 EXCEPT both ways (contacts, incl. import)" "$contacts" sqlite3 "$work/except.db" ".read $work/except.sql"
measure "crmshift reconcile (all $rows rows of 4 objects)" "$rows" "$crmshift" -C "$work/project" reconcile

# Delta sync: 1% of the contacts updated, 0.1% new, 0.1% deleted (gen's
# delta). Each form of the same change is applied to the loaded target and
# rolled back before the next, so each starts from the same state. rows/s
# counts the changed records; the target holds all of them.
delta_rows=$(($(wc -l <"$work/project/delta/incremental/Contact.csv") - 1))
"$root/scripts/contacts-to-debezium.sh" "$work/project/delta/incremental/Contact.csv" 1 >"$work/delta.jsonl"
echo
echo "delta sync ($delta_rows contacts changed of $contacts; the same change three ways, each rolled back after)"
share() { # label, seconds: as a share of the first load's median
	printf '%-52s %8.2f s: %.1f%% of the first load (%.2f s)\n' "  $1" "$2" \
		"$(echo "100 * $2 / $load_median" | bc -l)" "$load_median"
}
# The delta as an export and as events, three times in turns, each rolled back after, their
# medians as shares: one run of a second moves with the machine more than the first load's
# median of three does. The same for SQLite and, below, PostgreSQL.
delta_rounds() { # project, where (" on PostgreSQL" or ""), share function, command run before each sync
	local project=$1 where=$2 share_fn=$3 settle=$4 round exports=() streams=()
	for round in 1 2 3; do
		$settle
		measure "crmshift sync$where (incremental export, $delta_rows rows), run $round" "$delta_rows" "$crmshift" -C "$project" sync --from "$work/project/delta/incremental"
		exports+=("$last_secs")
		measure "crmshift rollback$where (that sync)" "$delta_rows" "$crmshift" -C "$project" rollback
		$settle
		measure "crmshift sync --events$where (Debezium, $delta_rows events), run $round" "$delta_rows" "$crmshift" -C "$project" sync --events "$work/delta.jsonl"
		streams+=("$last_secs")
		measure "crmshift rollback$where (that sync)" "$delta_rows" "$crmshift" -C "$project" rollback
	done
	$share_fn "median: the sync of the export" "$(median "${exports[@]}")"
	$share_fn "median: the sync of the events" "$(median "${streams[@]}")"
}
delta_rounds "$work/project" "" share true
measure "crmshift sync --full (full export, $contacts contacts)" "$delta_rows" "$crmshift" -C "$work/project" sync --full --from "$work/project/delta/full"
measure "crmshift rollback (that sync)" "$delta_rows" "$crmshift" -C "$work/project" rollback

# Rollback (last: it empties the target). The newest run is the unchanged
# re-run, which wrote nothing: its rollback is the scans alone (export check,
# rows created by others, verification). Then the first load's: every row
# deleted from the ledger, in batches, then verified against the empty
# before-snapshot.
echo
echo "rollback ($rows rows loaded by the first run)"
measure "crmshift rollback (the re-run: nothing written)" "$rows" "$crmshift" -C "$work/project" rollback
measure "crmshift rollback (the first load: $rows rows)" "$rows" "$crmshift" -C "$work/project" rollback

# JSON lines: the contacts and accounts again, as Pipedrive organizations and
# persons in Airbyte's envelope (one JSON object per line, e-mail and phone
# as lists of objects), made from the CSVs with sqlite3 (not timed). The
# references read every line and pull the mapped fields out of it: jq to
# flat JSON arrays, sqlite3 into a table through json_extract (line import
# included). crmshift reads them with the Pipedrive template's mapping:
# typed, validated, linked and loaded.
pd="$work/pipedrive"
"$crmshift" init "$pd" --from pipedrive >/dev/null
sed -i '/^\[object "deals"\]/,/^$/d; /^\[object "activities"\]/,/^$/d' "$pd/crmshift.ini"
grep -E '^(source_object|organizations|persons),' "$pd/mapping.csv" >"$pd/mapping.trimmed" && mv "$pd/mapping.trimmed" "$pd/mapping.csv"
# Pipedrive ids are integers in creation order: an organization's is its
# row number, and a person's org_id the row number of its account.
sqlite3 :memory: ".import --csv '$work/project/exports/Account.csv' a" \
	".import --csv '$work/project/exports/Contact.csv' c" "create index a_id on a(Id)" \
	".once '$pd/exports/organizations.jsonl'" \
	"select json_object('stream', 'organizations', 'data', json_object('id', rowid,
	  'name', Name, 'address', '', 'address_locality', '', 'address_admin_area_level_1', '', 'address_postal_code', '',
	  'address_country', '', 'owner_name', 'Bench Owner', 'add_time', '2020-01-01 09:00:00',
	  'update_time', '2024-01-01 09:00:00')) from a" \
	".once '$pd/exports/persons.jsonl'" \
	"select json_object('stream', 'persons', 'data', json_object('id', c.rowid, 'name', FirstName || ' ' || LastName,
	  'first_name', FirstName, 'last_name', LastName,
	  'email', json_array(json_object('label', 'work', 'value', Email, 'primary', json('true'))),
	  'phone', json_array(json_object('label', 'work', 'value', Phone, 'primary', json('true'))),
	  'org_id', (select a.rowid from a where a.Id = c.AccountId),
	  'owner_name', c.OwnerId, 'add_time', replace(substr(c.CreatedDate, 1, 19), 'T', ' '),
	  'update_time', replace(substr(c.LastModifiedDate, 1, 19), 'T', ' '), 'active_flag', json('true'))) from c"
persons=$(wc -l <"$pd/exports/persons.jsonl")
json_rows=$((persons + $(wc -l <"$pd/exports/organizations.jsonl")))
cat >"$work/json.sql" <<SQL
create table l(line text);
.mode ascii
.separator "\037" "\n"
.import '$pd/exports/persons.jsonl' l
create table p as select json_extract(line, '\$.data.id') id, json_extract(line, '\$.data.first_name') first_name,
  json_extract(line, '\$.data.last_name') last_name, json_extract(line, '\$.data.email[0].value') email,
  json_extract(line, '\$.data.phone[0].value') phone, json_extract(line, '\$.data.org_id') org_id,
  json_extract(line, '\$.data.owner_name') owner, json_extract(line, '\$.data.add_time') add_time,
  json_extract(line, '\$.data.update_time') update_time from l where json_extract(line, '\$.stream') = 'persons';
SQL
echo
echo "JSON lines ($persons Pipedrive persons, $(($(stat -c %s "$pd/exports/persons.jsonl") / 1048576)) MB, Airbyte records; the mapped fields of each)"
measure "jq: the mapped fields of each person, as arrays" "$persons" jq -c 'select(.stream == "persons") | .data | [.id, .first_name, .last_name, .email[0].value, .phone[0].value, .org_id, .owner_name, .add_time, .update_time]' "$pd/exports/persons.jsonl"
# three rounds in turns, compared by their medians, as the first load above
extracts=() json_profiles=() json_loads=()
for round in 1 2 3; do
	rm -rf "$work/json.db" "$pd/target.db" "$pd/.crmshift" "$pd/reports"
	measure "sqlite3 json_extract to a table (+ import), run $round" "$persons" sqlite3 "$work/json.db" \
		".read $work/json.sql"
	extracts+=("$last_secs")
	measure "crmshift profile --objects persons, run $round" "$persons" "$crmshift" -C "$pd" profile --objects persons
	json_profiles+=("$last_secs")
	measure "crmshift migrate (organizations and persons), run $round" "$json_rows" "$crmshift" -C "$pd" migrate
	json_loads+=("$last_secs")
done
extract_median=$(median "${extracts[@]}")
printf '%-52s %8.2f s vs %.2f s: %.2fx the rows/s of json_extract\n' "  medians: profile vs json_extract" \
	"$(median "${json_profiles[@]}")" "$extract_median" "$(echo "$extract_median / $(median "${json_profiles[@]}")" | bc -l)"
printf '%-52s %8.2f s vs %.2f s: %.2fx (its rows: organizations and persons)\n' "  medians: migrate vs json_extract" \
	"$(median "${json_loads[@]}")" "$extract_median" \
	"$(echo "($json_rows / $(median "${json_loads[@]}")) / ($persons / $extract_median)" | bc -l)"

# PostgreSQL: a private server (tests/pg-cluster.sh), the same generated
# exports. The reference is psql's \copy of the four files into tables of
# text columns without indexes (no mapping, no keys). Peak RSS is the
# client's; the server's memory is its own.
pg_dir=$(mktemp -d /tmp/crmshift-bench-pg.XXXXXX)
if pg_env=$("$root/tests/pg-cluster.sh" start "$pg_dir" 2>"$work/pg.err"); then
	trap '"$root/tests/pg-cluster.sh" stop "$pg_dir"' EXIT
	eval "$pg_env"
	pgp="$work/pg-project"
	mkdir -p "$pgp"
	cp -r "$work/project/exports" "$work/project/mapping.csv" "$work/project/crmshift.ini" "$pgp/"
	[ -d "$work/project/maps" ] && cp -r "$work/project/maps" "$pgp/"
	psql -q -d postgres -c "CREATE DATABASE copyref" -c "CREATE DATABASE crm"
	sed -i "s#^url = .*#url = postgres://$PGUSER@127.0.0.1:$PGPORT/crm#" "$pgp/crmshift.ini"
	: >"$work/copy.sql"
	for f in "$pgp"/exports/*.csv; do
		t=$(basename "$f" .csv)
		echo "CREATE TABLE \"$t\" ($(head -1 "$f" | tr -d '\r' | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd, -));" >>"$work/copy.sql"
		echo "\\copy \"$t\" from '$f' csv header" >>"$work/copy.sql"
	done
	# Before each step the server is settled as it would be between two runs: every database
	# vacuumed and analyzed (autovacuum's work after a large load), then a checkpoint (the
	# checkpointer's), so that no step pays for the one before it (pgloader's million rows, say).
	pg_settle() {
		local db
		for db in $(psql -At -X -d postgres -c "select datname from pg_database where datallowconn"); do
			psql -q -X -d "$db" -c "VACUUM ANALYZE"
		done
		psql -q -X -d postgres -c CHECKPOINT
	}
	echo
	echo "PostgreSQL $(psql -At -d postgres -c 'show server_version') on 127.0.0.1 ($rows rows; each starts from an empty database, the server settled)"
	# pgloader loading the contacts with the two transforms crmshift's mapping applies to them
	# (phones to E.164, MM/DD/YYYY birthdates to dates), into a typed table without indexes
	if command -v pgloader >/dev/null; then
		pw=$(cut -d: -f5 "$PGPASSFILE")
		psql -q -d postgres -c "CREATE DATABASE pgl"
		# MM/DD/YYYY to ISO, and a day or month out of range to NULL, as crmshift rejects it (pgloader's
		# own date format makes the server refuse the row and drops its whole batch)
		mdy='(let* ((s (or birthdate "")) (m (ignore-errors (parse-integer s :end 2))) (d (ignore-errors (parse-integer s :start 3 :end 5)))) (when (and m d (= (length s) 10) (<= 1 m 12) (<= 1 d 31)) (concatenate (quote string) (subseq s 6 10) "-" (subseq s 0 2) "-" (subseq s 3 5))))'
		e164() { echo "(let ((d (remove-if-not (function digit-char-p) (or $1 \"\")))) (cond ((= (length d) 10) (concatenate (quote string) \"+1\" d)) ((and (= (length d) 11) (string= (subseq d 0 1) \"1\")) (concatenate (quote string) \"+\" d))))"; }
		cat >"$work/contacts.load" <<LOAD
LOAD CSV
  FROM '$pgp/exports/Contact.csv'
    (id, accountid, firstname, lastname, email, phone, birthdate, mailingcity, optout,
     created, modified, title, mobile, street, state, postal, donotcall, leadsource, owner, consentsource,
     consentts, isdeleted)
  INTO postgresql://$PGUSER:$pw@127.0.0.1:$PGPORT/pgl
    TARGET TABLE contact
    TARGET COLUMNS (id, accountid, firstname, lastname, email, phone text using $(e164 phone), birthdate date using $mdy,
     mailingcity, optout, created, modified, title, mobile text using $(e164 mobile), street, state, postal,
     donotcall, leadsource, owner, consentsource, consentts, isdeleted)
  WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote, fields terminated by ','
  BEFORE LOAD DO \$\$ create table contact (id text, accountid text, firstname text, lastname text, email text,
     phone text, birthdate date, mailingcity text, optout boolean, created timestamptz, modified timestamptz,
     title text, mobile text, street text, state text, postal text, donotcall boolean, leadsource text,
     owner text, consentsource text, consentts timestamptz, isdeleted boolean); \$\$;
LOAD
		pg_settle
		measure "pgloader (contacts; phones to E.164, dates parsed)" "$contacts" pgloader --quiet --root-dir "$work/pgloader" "$work/contacts.load"
	else
		echo "pgloader: skipped: not installed (scripts/install-deps.sh installs it)"
	fi
	# \copy and the first load three times in turns, each into a fresh database of the settled
	# server, compared by their medians: one run moves by half from hour to hour on this machine
	# (\copy 3.3 s in one bench, 7.3 s in another); the last load stays for the steps after
	copies=() pg_loads=()
	for pair in 1 2 3; do
		if [ "$pair" -gt 1 ]; then
			psql -q -X -d postgres -c "DROP DATABASE copyref" -c "DROP DATABASE crm" \
				-c "CREATE DATABASE copyref" -c "CREATE DATABASE crm"
			rm -rf "$pgp/.crmshift" "$pgp/reports"
		fi
		pg_settle
		measure "psql \\copy (no mapping, no indexes), run $pair" "$rows" psql -q -X -d copyref -f "$work/copy.sql"
		copies+=("$last_secs")
		pg_settle
		measure "crmshift migrate into PostgreSQL (first load), run $pair" "$rows" "$crmshift" -C "$pgp" migrate
		pg_loads+=("$last_secs")
	done
	copy_secs=$(median "${copies[@]}") pg_load=$(median "${pg_loads[@]}")
	printf '%-52s %8.2f s vs %.2f s: %.2fx the rows/s of \\copy\n' "  medians: first load vs psql \\copy" "$pg_load" \
		"$copy_secs" "$(echo "$copy_secs / $pg_load" | bc -l)"
	# The floor of any load that leaves this target: the target's own rows (dumped after the
	# load, not timed) copied into its tables created bare, the primary and unique keys built
	# after, as pg_dump's sections restore them. Typed columns and two keys a table cost more than
	# \copy's text columns without any; crmshift adds its mapping and its state (the ledger, the
	# cross-reference, the snapshots) to this.
	mkdir -p "$work/floor"
	floor_tables=$(psql -At -X -d crm -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'crmshift_identity' ORDER BY 1")
	floor_args=()
	for t in $floor_tables; do
		floor_args+=(-t "public.$t")
		psql -q -X -d crm -c "\\copy public.$t to '$work/floor/$t.csv' csv"
	done
	{
		pg_dump -d crm --section=pre-data "${floor_args[@]}"
		for t in $floor_tables; do echo "\\copy public.$t from '$work/floor/$t.csv' csv"; done
		pg_dump -d crm --section=post-data "${floor_args[@]}"
	} >"$work/floor.sql"
	psql -q -X -d postgres -c "CREATE DATABASE floorref"
	pg_settle
	measure "psql \\copy of the target's rows, keys built after" "$rows" psql -q -X -v ON_ERROR_STOP=1 -d floorref -f "$work/floor.sql"
	floor_secs=$last_secs
	printf '%-52s %8.2f s vs %.2f s: %.2fx the rows/s of \\copy\n' "  the floor vs psql \\copy" "$floor_secs" "$copy_secs" \
		"$(echo "$copy_secs / $floor_secs" | bc -l)"
	printf '%-52s %8.2f s vs %.2f s: %.2fx the rows/s of the floor\n' "  first load vs the floor" "$pg_load" "$floor_secs" \
		"$(echo "$floor_secs / $pg_load" | bc -l)"
	rm -rf "$work/floor"
	psql -q -X -d postgres -c "DROP DATABASE floorref"
	pg_settle
	measure "crmshift migrate into PostgreSQL (re-run)" "$rows" "$crmshift" -C "$pgp" migrate
	# the same delta as on SQLite, each form rolled back before the next, as a share of this first load
	pg_share() { printf '%-52s %8.2f s: %.1f%% of the first load (%.2f s)\n' "  $1" "$2" "$(echo "100 * $2 / $pg_load" | bc -l)" "$pg_load"; }
	delta_rounds "$pgp" " on PostgreSQL" pg_share pg_settle
	pg_settle
	measure "crmshift reconcile on PostgreSQL" "$rows" "$crmshift" -C "$pgp" reconcile
	"$crmshift" -C "$pgp" rollback >/dev/null # the re-run, which wrote nothing
	pg_settle
	measure "crmshift rollback on PostgreSQL (the first load)" "$rows" "$crmshift" -C "$pgp" rollback
	# Larger changes, each a round trip a row before 2026-12-06: the whole load after a 10%
	# sample; a re-run with a fifth of the contacts changed (titles), and its rollback; a full
	# export without a tenth of the contacts (delete_missing), and its rollback.
	echo
	echo "PostgreSQL: larger changes"
	mkdir -p "$work/changed" "$work/missing"
	for f in "$pgp"/exports/*.csv; do
		ln -sf "$f" "$work/changed/"
		ln -sf "$f" "$work/missing/"
	done
	rm -f "$work/changed/Contact.csv" "$work/missing/Contact.csv"
	awk -F, 'BEGIN { OFS = "," } NR > 1 && NR % 5 == 0 { $12 = $12 " II" } { print }' "$pgp/exports/Contact.csv" \
		>"$work/changed/Contact.csv"
	awk 'NR == 1 || NR % 10 != 0' "$pgp/exports/Contact.csv" >"$work/missing/Contact.csv"
	psql -q -X -d postgres -c "DROP DATABASE crm" -c "CREATE DATABASE crm"
	rm -rf "$pgp/.crmshift" "$pgp/reports"
	"$crmshift" -C "$pgp" migrate --sample 10 >/dev/null
	pg_settle
	measure "crmshift migrate into PostgreSQL (the rest, after a 10% sample)" "$rows" "$crmshift" -C "$pgp" migrate
	sed -i "s#^path = .*#path = $work/changed#" "$pgp/crmshift.ini"
	pg_settle
	measure "crmshift migrate into PostgreSQL (a fifth of the contacts changed)" "$((contacts / 5))" "$crmshift" -C "$pgp" migrate
	sed -i "s#^path = .*#path = exports#" "$pgp/crmshift.ini"
	measure "crmshift rollback on PostgreSQL (that run)" "$((contacts / 5))" "$crmshift" -C "$pgp" rollback
	pg_settle
	measure "crmshift sync --full into PostgreSQL (a tenth of the contacts gone)" "$((contacts / 10))" "$crmshift" -C "$pgp" sync --full --from "$work/missing"
	pg_settle
	measure "crmshift sync --full into PostgreSQL (that tenth back, as new records)" "$((contacts / 10))" "$crmshift" -C "$pgp" sync --full
	measure "crmshift rollback on PostgreSQL (that sync)" "$((contacts / 10))" "$crmshift" -C "$pgp" rollback
	# the same tenth back as a change stream: a create event each
	awk 'NR == 1 || NR % 10 == 0' "$pgp/exports/Contact.csv" >"$work/tenth.csv"
	"$root/scripts/contacts-to-debezium.sh" "$work/tenth.csv" 1 >"$work/tenth.jsonl"
	pg_settle
	measure "crmshift sync --events into PostgreSQL (that tenth back)" "$((contacts / 10))" "$crmshift" -C "$pgp" sync --events "$work/tenth.jsonl"
	measure "crmshift rollback on PostgreSQL (that sync)" "$((contacts / 10))" "$crmshift" -C "$pgp" rollback
	measure "crmshift rollback on PostgreSQL (the sync without the tenth)" "$((contacts / 10))" "$crmshift" -C "$pgp" rollback
	# a change stream that interleaves objects, as a source's log does: 30,000 creates, a third
	# of them new accounts, the rest contacts of loaded accounts and one in 50 of the account the
	# stream created last (until 2026-12-06, each event sent the other object's queue)
	awk -F, 'NR > 1 { loaded[n++] = $1 } END {
		for (i = 0; i < 30000; i++) {
			ts = sprintf("%.0f", 1800000000000 + i)
			if (i % 3 == 0) {
				last = sprintf("001S%014d", i)
				printf "{\"op\":\"c\",\"before\":null,\"after\":{\"Id\":\"%s\",\"Name\":\"Streamed %d\",\"ParentId\":null,\"Phone\":null,\"AnnualRevenue\":null},\"source\":{\"table\":\"Account\",\"ts_ms\":%s}}\n", last, i, ts
				continue
			}
			account = contacts++ % 50 == 0 ? last : loaded[(i * 7919) % n]
			printf "{\"op\":\"c\",\"before\":null,\"after\":{\"Id\":\"003S%014d\",\"AccountId\":\"%s\",\"FirstName\":\"Ada\",\"LastName\":\"Streamed %d\",\"Email\":\"s%d@example.com\",\"Phone\":null,\"Birthdate\":null,\"MailingCity\":\"Paris\",\"HasOptedOutOfEmail\":false,\"CreatedDate\":\"2025-01-01T10:00:00.000+0000\",\"LastModifiedDate\":\"2025-01-01T10:00:00.000+0000\",\"Title\":null,\"MobilePhone\":null,\"MailingStreet\":null,\"MailingState\":null,\"MailingPostalCode\":null,\"DoNotCall\":false,\"LeadSource\":null,\"OwnerId\":null,\"Consent_Source__c\":null,\"Consent_Timestamp__c\":null,\"IsDeleted\":false},\"source\":{\"table\":\"Contact\",\"ts_ms\":%s}}\n", i, account, i, i, ts
		}
	}' "$pgp/exports/Account.csv" >"$work/interleaved.jsonl"
	pg_settle
	measure "crmshift sync --events into PostgreSQL (30,000 interleaved creates)" 30000 "$crmshift" -C "$pgp" sync --events "$work/interleaved.jsonl"
	measure "crmshift rollback on PostgreSQL (that sync)" 30000 "$crmshift" -C "$pgp" rollback
else
	echo
	echo "PostgreSQL: skipped: $(head -n 1 "$work/pg.err")"
fi
