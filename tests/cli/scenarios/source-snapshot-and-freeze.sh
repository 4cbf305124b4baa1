# The source snapshot and the freeze check. A migrate records each export
# (size, SHA-256, records), a sample of raw records and the open pipeline. A
# killed run whose export then changed refuses --resume (exit 4, naming the
# file) unless --force; an export changed between two passes stops the run;
# after sync --final, any run reading exports that differ from what it read
# is refused until that sync is rolled back.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
state() { state_sql "$@"; }

# 1. the snapshot of a migrate of the sample
P=$(copy_sample s)
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "migrate: exit $?"
for f in Account Contact Lead Opportunity OpportunityContactRole Task; do
	expect_eq "SHA-256 of $f.csv" "$(state "$P" "select sha256 from source_files where run_id = 1 and object = '$f'")" \
		"$(sha256sum "$P/exports/$f.csv" | cut -d' ' -f1)"
	expect_eq "size of $f.csv" "$(state "$P" "select size from source_files where run_id = 1 and object = '$f'")" \
		"$(stat -c %s "$P/exports/$f.csv")"
	# records, as a CSV reader counts them (quoted fields hold line breaks)
	expect_eq "records of $f.csv" "$(state "$P" "select records from source_files where run_id = 1 and object = '$f'")" \
		"$(state "$P" "select read from checkpoints where run_id = 1 and object = '$f'")"
done
expect_eq "Contact.csv records" "$(state "$P" "select records from source_files where object = 'Contact'")" 20
# the open pipeline: the sample's open opportunities (IsClosed false), by stage, amounts in cents
expect_eq "open pipeline" \
	"$(state "$P" "select stage || ':' || records || ':' || cast(round(amount * 100) as bigint) from source_pipeline order by stage" | paste -sd ' ')" \
	"Verbal Commit:1:6400000 negotiation:2:12050075 proposal:1:8900000 prospecting:1:150000000 qualification:2:24000000"
# the source's, rejects included: the target lacks the one whose stage has no entry in maps/stage.csv
grep -q "^Opportunity,006A000000000006AAA,7,StageName," "$P/reports/rejects-1.csv" || fail "the Verbal Commit opportunity is not rejected"
expect_eq "target's open pipeline: the source's less the rejected one" \
	"$(target_sql "$P" "select count(*) || ' ' || cast(round(sum(amount) * 100) as bigint) from opportunity where not is_closed")" \
	"$(state "$P" "select (sum(records) - 1) || ' ' || cast(round((sum(amount) - 64000) * 100) as bigint) from source_pipeline")"
# the record sample: raw records, their line, 0600; the whole of a small export
sample="$P/.crmshift/snapshots/run-1-sample-Contact.jsonl"
expect_eq "sample mode" "$(stat -c %a "$sample")" 600
expect_eq "sample size (17 of 20 contacts: 100 shared by 6 exports)" "$(wc -l <"$sample")" 17
line=$(jq -r 'select(.record.Id == "003A000000000002AAA") | .line' "$sample")
if [ -n "$line" ]; then
	expect_eq "sampled record as in the export" \
		"$(jq -r 'select(.record.Id == "003A000000000002AAA") | .record.Email' "$sample")" "Road.Runner@ACME.example.com"
fi
expect_eq "small exports kept whole" "$(wc -l <"$P/.crmshift/snapshots/run-1-sample-Task.jsonl")" 7
"$CRMSHIFT" -C "$P" status | grep -q "exports/Contact.csv .* 20  $(sha256sum "$P/exports/Contact.csv" | cut -c1-16)" ||
	fail "status does not show the source snapshot"
"$CRMSHIFT" -C "$P" status --json | jq -e '.source_snapshot.open_pipeline | length == 5' >/dev/null ||
	fail "status --json has no open pipeline"

# 2. killed, then the export changes: --resume refuses, naming it; --force reads it as it is
"$GEN" "$SCRATCH/g" 30000 >/dev/null
sed -i 's/^batch_size = .*/batch_size = 200/' "$SCRATCH/g/crmshift.ini"
cp -r "$SCRATCH/g" "$SCRATCH/g2"
cp -r "$SCRATCH/g" "$SCRATCH/g3"
for g in g g2 g3; do on_test_target "$SCRATCH/$g"; done
"$CRMSHIFT" -C "$SCRATCH/g3" migrate >/dev/null || fail "uninterrupted migrate: exit $?"
G="$SCRATCH/g"
"$CRMSHIFT" -C "$G" migrate >/dev/null 2>&1 &
# killed in the middle of the opportunities: their open pipeline is half counted
PROBE=state_sql kill_when_over $! "$G" \
	"select coalesce(sum(pass1_records), 0) from checkpoints where object = 'Opportunity'" 1000 load
sed -i '$ s/^003/004/' "$G/exports/Contact.csv"
rc=0
"$CRMSHIFT" -C "$G" migrate --resume >"$SCRATCH/out" 2>"$SCRATCH/err" || rc=$?
expect_eq "resume after the export changed: exit" "$rc" 4
grep -q "exports/Contact.csv: content changed" "$SCRATCH/err" || fail "the refusal does not name the file: $(cat "$SCRATCH/err")"
grep -q "changed after run 1 took its snapshot" "$SCRATCH/err" || fail "the refusal does not say which snapshot"
expect_eq "run still to resume" "$(state "$G" "select status from runs")" running
# --force: the rest is read from the file as it is now
"$CRMSHIFT" -C "$G" migrate --resume --force >"$SCRATCH/out" 2>"$SCRATCH/err" || fail "resume --force: exit $?"
grep -q "note: --force" "$SCRATCH/out" || fail "resume --force does not say what it read"
expect_eq "forced snapshot" "$(state "$G" "select count(*) from source_files where object = 'Contact' and forced = 1")" 1
expect_eq "open pipeline of the resumed run" "$(state "$G" "select * from source_pipeline order by stage")" \
	"$(state "$SCRATCH/g3" "select * from source_pipeline order by stage")"
expect_eq "the run's snapshot is the file it read last" \
	"$(state "$G" "select sha256 from source_files where object = 'Contact' order by seq desc limit 1")" \
	"$(sha256sum "$G/exports/Contact.csv" | cut -d' ' -f1)"

# 3. an export that changes while the run reads an earlier one stops it before it is read
G="$SCRATCH/g2"
"$CRMSHIFT" -C "$G" migrate >"$SCRATCH/out2" 2>"$SCRATCH/err2" &
pid=$!
for _ in $(seq 1 3000); do
	n=$(state "$G" "select coalesce(sum(pass1_records), 0) from checkpoints where object = 'Contact'" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 1000 ] && break
	sleep 0.01
done
touch "$G/exports/Opportunity.csv"   # same content: read again and found the same
echo "O,extra" >>"$G/exports/OpportunityContactRole.csv"
rc=0
wait $pid || rc=$?
expect_eq "export changed mid-run: exit" "$rc" 4
grep -q "exports/OpportunityContactRole.csv: size" "$SCRATCH/err2" || fail "mid-run change not named: $(cat "$SCRATCH/err2")"
grep -q "exports/Opportunity.csv:" "$SCRATCH/err2" && fail "a touched file with the same content was refused"
expect_eq "opportunities were loaded (touched, same content)" \
	"$(state "$G" "select pass1_done from checkpoints where object = 'Opportunity'")" 1

# 4. sync --final freezes the source
P=$(copy_sample f)
"$CRMSHIFT" -C "$P" migrate >/dev/null
mkdir "$SCRATCH/final"
sed 's/Head of Sales/VP Sales/' "$P/exports/Contact.csv" >"$SCRATCH/final/Contact.csv"
"$CRMSHIFT" -C "$P" sync --final --full --from "$SCRATCH/final" >/dev/null || fail "sync --final: exit $?"
"$CRMSHIFT" -C "$P" status | grep -q "^frozen: the final sync (run 2" || fail "status does not show the freeze"
# a replay of the same final files is allowed (and changes nothing)
"$CRMSHIFT" -C "$P" sync --full --from "$SCRATCH/final" --json >"$SCRATCH/replay.json" || fail "replay after the freeze: exit $?"
expect_eq "replay after the freeze" "$(jq '[.objects[].updated] | add' "$SCRATCH/replay.json")" 0
# a changed final export, and the migration's exports, are refused
sed -i 's/VP Sales/CEO/' "$SCRATCH/final/Contact.csv"
rc=0
"$CRMSHIFT" -C "$P" sync --full --from "$SCRATCH/final" 2>"$SCRATCH/err" || rc=$?
expect_eq "sync after the freeze with a changed export: exit" "$rc" 4
grep -q "frozen by the final sync (run 2" "$SCRATCH/err" || fail "refusal does not name the freeze: $(cat "$SCRATCH/err")"
grep -q "final/Contact.csv: size 5470 bytes, was 5475" "$SCRATCH/err" || fail "refusal does not name the file: $(cat "$SCRATCH/err")"
rc=0
"$CRMSHIFT" -C "$P" migrate 2>"$SCRATCH/err" || rc=$?
expect_eq "migrate after the freeze: exit" "$rc" 4
grep -q "exports/Account.csv: not in that snapshot" "$SCRATCH/err" || fail "migrate refusal: $(cat "$SCRATCH/err")"
runs=$(state "$P" "select count(*) from runs")
expect_eq "refused runs leave no run behind" "$runs" 3
# --force reads it anyway
"$CRMSHIFT" -C "$P" sync --full --force --from "$SCRATCH/final" >"$SCRATCH/out" || fail "sync --force: exit $?"
expect_eq "forced sync wrote the change" "$(target_sql "$P" "select count(*) from contact where title = 'VP Sales'") $(target_sql "$P" "select case when count(*) > 0 then 1 else 0 end from contact where title = 'CEO'")" "0 1"
# rolling back the forced sync and the final one reopens the source
"$CRMSHIFT" -C "$P" rollback >/dev/null || fail "rollback of the forced sync: exit $?"
"$CRMSHIFT" -C "$P" rollback >/dev/null || fail "rollback of the replay: exit $?"
"$CRMSHIFT" -C "$P" rollback >/dev/null || fail "rollback of the final sync: exit $?"
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "migrate once the freeze is rolled back: exit $?"

# Exports reached through symbolic links are read where the links lead, and the snapshot names
# that: a linked file, and a linked folder of exports. A project named with ./ and ../ has none.
P=$(copy_sample linked)
mkdir -p "$SCRATCH/elsewhere/exports"
mv "$P/exports/Account.csv" "$SCRATCH/elsewhere/Account.csv"
ln -s "$SCRATCH/elsewhere/Account.csv" "$P/exports/Account.csv"
"$CRMSHIFT" -C "$P" migrate >/dev/null
"$CRMSHIFT" -C "$P" status --json >"$SCRATCH/status.json"
expect_eq "a linked export is named with where it leads" \
	"$(jq -r '.source_snapshot.files[] | select(.resolved) | "\(.path) \(.resolved)"' "$SCRATCH/status.json")" \
	"exports/Account.csv $(cd "$SCRATCH/elsewhere" && pwd -P)/Account.csv"
"$CRMSHIFT" -C "$P" status | grep -q "    a symbolic link to $(cd "$SCRATCH/elsewhere" && pwd -P)/Account.csv" ||
	fail "status does not show the link: $("$CRMSHIFT" -C "$P" status)"
P=$(copy_sample linked-folder)
mv "$P/exports/"* "$SCRATCH/elsewhere/exports/"
rmdir "$P/exports"
ln -s "$SCRATCH/elsewhere/exports" "$P/exports"
(cd "$SCRATCH" && "$CRMSHIFT" -C "./linked-folder/../linked-folder/" migrate >/dev/null)
expect_eq "every export in a linked folder is named" \
	"$("$CRMSHIFT" -C "$P" status --json | jq '[.source_snapshot.files[] | select(.resolved | startswith("'"$(cd "$SCRATCH/elsewhere" && pwd -P)"'/exports/"))] | length')" 6
P=$(copy_sample plain)
(cd "$SCRATCH" && "$CRMSHIFT" -C "./plain/../plain//" migrate >/dev/null)
expect_eq "no link, nothing named" "$("$CRMSHIFT" -C "$P" status --json | jq '[.source_snapshot.files[] | select(.resolved)] | length')" 0
