# Encryption at rest: with [security] key_file, the record samples, the
# rejects and the rows changed since cutover are written sealed; decrypt
# gives back exactly what a run without a key writes in plain text; a wrong
# key, a cut file, a readable key file and an existing output are refused;
# keys rotate reseals everything, refuses to finish over a file under a
# third key, and finishes when run again.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample sealed)
PLAIN=$(copy_sample plain)
K=$SCRATCH/keys
mkdir "$K"
(cd "$PLAIN" && "$CRMSHIFT" migrate >/dev/null)
cd "$P"
"$CRMSHIFT" keys generate data "$K/a.key" >/dev/null
"$CRMSHIFT" keys generate data "$K/b.key" >/dev/null
"$CRMSHIFT" keys generate data "$K/c.key" >/dev/null
printf '\n[security]\nkey_file = %s\n' "$K/a.key" >>crmshift.ini
A=$(awk '/^crmshift-key/ {print $3}' "$K/a.key")
B=$(awk '/^crmshift-key/ {print $3}' "$K/b.key")

chmod 644 "$K/a.key"
rc=0; "$CRMSHIFT" migrate 2>"$SCRATCH/err" || rc=$?
expect_eq "a key file others can read (exit)" "$rc" 4
grep -q "\[security\] key_file: key file '.*a.key' is readable or writable by group or others (mode 0644)" "$SCRATCH/err" ||
	fail "perm: $(cat "$SCRATCH/err")"
if [ "$TEST_TARGET" = sqlite ]; then
	[ ! -e target.db ] || fail "a refused key loaded something"
else
	expect_eq "tables a refused key made" "$(target_tables .)" ""
fi
chmod 600 "$K/a.key"

"$CRMSHIFT" migrate >"$SCRATCH/out" || fail "migrate: exit $?"
grep -q "reports/rejects-1.csv.enc" "$SCRATCH/out" || fail "the output does not name the sealed rejects: $(cat "$SCRATCH/out")"
expect_eq "nothing personal in plain text" "$(find reports .crmshift/snapshots -name '*.jsonl' -o -name 'rejects-*.csv' | sort)" ""
expect_eq "sealed files" "$(cd .crmshift/snapshots && ls *.enc | wc -l) $(stat -c %a reports/rejects-1.csv.enc)" "6 600"
# (on PostgreSQL the target and the state are the server's)
files=".crmshift/audit.log reports/* .crmshift .crmshift/snapshots reports"
[ "$TEST_TARGET" = postgres ] || files="target.db .crmshift/state.db $files"
# shellcheck disable=SC2086 # a list of paths and globs
expect_eq "the target, the state, the audit log and every report: owner only" \
	"$(stat -c %a $files | sort -u | tr '\n' ' ')" "600 700 "
expect_eq "sealed under the key" "$(head -c 24 reports/rejects-1.csv.enc)" "crmseal1$A"
state_dump . >"$SCRATCH/state-dump"
for v in wile.coyote@acme.example.com Coyote "Unter den Linden 5"; do
	! grep -rqaF "$v" .crmshift reports "$SCRATCH/state-dump" || fail "'$v' is readable at rest"
done

# decrypt gives back what a run without a key writes
"$CRMSHIFT" decrypt reports/rejects-1.csv.enc >"$SCRATCH/rejects.csv" || fail "decrypt: exit $?"
cmp -s "$SCRATCH/rejects.csv" "$PLAIN/reports/rejects-1.csv" || fail "decrypted rejects differ from a plain run's"
"$CRMSHIFT" decrypt .crmshift/snapshots/run-1-sample-Contact.jsonl.enc >"$SCRATCH/sample.jsonl"
expect_eq "the sealed sample keeps the records as read" "$(jq -r .record.Email "$SCRATCH/sample.jsonl" | head -1)" wile.coyote@acme.example.com
expect_eq "the plain sample masks them" "$(jq -r .record.Email "$PLAIN/.crmshift/snapshots/run-1-sample-Contact.jsonl" | head -1)" "<PII, 28 characters>"
expect_eq "same records" "$(jq -r .line "$SCRATCH/sample.jsonl" | tr '\n' ' ')" "$(jq -r .line "$PLAIN/.crmshift/snapshots/run-1-sample-Contact.jsonl" | tr '\n' ' ')"
"$CRMSHIFT" decrypt reports/rejects-1.csv.enc --output "$SCRATCH/r.csv"
expect_eq "--output mode" "$(stat -c %a "$SCRATCH/r.csv")" 600
rc=0; "$CRMSHIFT" decrypt reports/rejects-1.csv.enc --output "$SCRATCH/r.csv" 2>"$SCRATCH/err" || rc=$?
expect_eq "an existing output (exit)" "$rc" 4

# refusals: another key, a cut file, a changed byte
rc=0; "$CRMSHIFT" decrypt reports/rejects-1.csv.enc --key "$K/b.key" 2>"$SCRATCH/err" >"$SCRATCH/none" || rc=$?
expect_eq "another key (exit)" "$rc" 4
grep -q "is sealed under key $A, not under key $B" "$SCRATCH/err" || fail "wrong key: $(cat "$SCRATCH/err")"
head -c 200 reports/rejects-1.csv.enc >"$SCRATCH/cut.enc"
rc=0; "$CRMSHIFT" decrypt "$SCRATCH/cut.enc" 2>"$SCRATCH/err" >"$SCRATCH/none" || rc=$?
expect_eq "a cut file (exit)" "$rc" 1
grep -q "is cut short at byte" "$SCRATCH/err" || fail "cut: $(cat "$SCRATCH/err")"
expect_eq "nothing comes out of a file that does not decrypt" "$(wc -c <"$SCRATCH/none")" 0

# a dry run and a rollback's export of edited rows are sealed too
"$CRMSHIFT" migrate --dry-run >/dev/null
[ -e reports/rejects-dry-run.csv.enc ] && [ ! -e reports/rejects-dry-run.csv ] || fail "dry-run rejects not sealed"
target_sql . "update contact set first_name = 'Wiley' where source_id = '003A000000000001AAA'"
"$CRMSHIFT" rollback >"$SCRATCH/out"
grep -q "changed since cutover: 1 edited, 0 created -> reports/changed-since-cutover-1.csv.enc" "$SCRATCH/out" || fail "rollback: $(cat "$SCRATCH/out")"
[ ! -e reports/changed-since-cutover-1.csv ] || fail "the edited rows are in plain text"
"$CRMSHIFT" decrypt reports/changed-since-cutover-1.csv.enc | grep -q '""first_name"":""Wiley""' || fail "the edited row is not in the export"

# a file sealed under a third key stops a rotation before crmshift.ini changes ...
(cd "$PLAIN" && printf '\n[security]\nkey_file = %s\n' "$K/c.key" >>crmshift.ini && "$CRMSHIFT" migrate --dry-run >/dev/null)
cp "$PLAIN/reports/rejects-dry-run.csv.enc" reports/rejects-99.csv.enc
SEALED=$(find reports .crmshift -name '*.enc' | wc -l)
rc=0; "$CRMSHIFT" keys rotate "$K/b.key" 2>"$SCRATCH/err" || rc=$?
expect_eq "a file under another key (exit)" "$rc" 4
grep -q "1 sealed file is under neither key (first: reports/rejects-99.csv.enc" "$SCRATCH/err" || fail "foreign: $(cat "$SCRATCH/err")"
grep -q "key_file = $K/a.key" crmshift.ini || fail "the config changed"
# ... and running it again finishes it
rm reports/rejects-99.csv.enc
"$CRMSHIFT" --json keys rotate "$K/b.key" >"$SCRATCH/rot.json" || fail "rotate: exit $?"
expect_eq "finished" "$(jq -c '[.resealed, .already, .to]' "$SCRATCH/rot.json")" "[0,$((SEALED - 1)),\"$B\"]"
grep -q "^key_file = $K/b.key$" crmshift.ini || fail "the config does not name the new key"
for f in $(find reports .crmshift -name '*.enc'); do
	expect_eq "$f under the new key" "$(head -c 24 "$f")" "crmseal1$B"
done
rc=0; "$CRMSHIFT" decrypt reports/rejects-1.csv.enc --key "$K/a.key" >/dev/null 2>&1 || rc=$?
expect_eq "the old key no longer opens them" "$rc" 4
"$CRMSHIFT" decrypt reports/rejects-1.csv.enc | cmp -s - "$PLAIN/reports/rejects-1.csv" || fail "rotation changed the content"
"$CRMSHIFT" migrate >/dev/null
expect_eq "new files under the new key" "$(head -c 24 reports/rejects-2.csv.enc)" "crmseal1$B"

# key use is on record
# (the first migrate was refused for the readable key: it used none)
expect_eq "runs name the key they sealed with" "$(jq -r 'select(.action == "migrate" and .object == null and .phase != "start") | .seal_key' .crmshift/audit.log | tr '\n' ' ')" "null $A $A $B "

expect_eq "each decrypt logged, with its key and result" \
	"$(jq -r 'select(.action == "decrypt") | "\(.key.id)/\(.result)"' .crmshift/audit.log | tr '\n' ' ')" \
	"$A/ok $A/ok $A/ok $A/refused $B/refused $A/input error $A/ok $A/refused $B/ok "
expect_eq "rotations logged" "$(jq -c 'select(.action == "keys rotate") | [.key.from, .key.to, .result, .counts.foreign]' .crmshift/audit.log | tr '\n' ';')" \
	"[\"$A\",\"$B\",\"refused\",1];[\"$A\",\"$B\",\"ok\",0];"
"$CRMSHIFT" audit verify >/dev/null || fail "the audit log is broken"
exit 0
