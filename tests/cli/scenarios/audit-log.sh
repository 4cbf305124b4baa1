# The audit log: every acting command leaves a hash-chained entry (who,
# what, inputs' SHA-256, counts, result) and `audit verify` names the first
# broken entry of each kind of tampering with exit 3; a damaged log refuses
# further appends (exit 4). The chain can be recomputed with jq and sha256sum.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample a)
cd "$P"
CRMSHIFT_ACTOR=jane.doe "$CRMSHIFT" plan >/dev/null || fail "plan: exit $?"
"$CRMSHIFT" --actor "auditor 1" migrate >/dev/null || fail "migrate: exit $?"
"$CRMSHIFT" reconcile >/dev/null || true   # NO-GO on the sample (exit 3)
"$CRMSHIFT" migrate >/dev/null
"$CRMSHIFT" rollback >/dev/null || fail "rollback: exit $?"
"$CRMSHIFT" migrate --resume 2>/dev/null && fail "nothing to resume"
"$CRMSHIFT" migrate --bogus 2>/dev/null || true   # a usage error acts on nothing: not logged
"$CRMSHIFT" status >/dev/null            # reads only: not logged
LOG=.crmshift/audit.log
expect_eq "entries" "$(wc -l <$LOG)" 21
expect_eq "log mode" "$(stat -c %a $LOG)" 600
expect_eq "actions" "$(jq -r .action $LOG | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" \
	"planx1 migratex8 reconcilex1 migratex8 rollbackx2 migratex1 ${nothing:-}"
expect_eq "actors" "$(jq -r .actor $LOG | sed -n '1p;2p')" "jane.doe
auditor 1"
expect_eq "results" "$(jq -r 'select(.object == null) | .result' $LOG | tr '\n' ' ')" "ok started ok NO-GO started ok started identical input error "
# a run's start is logged before it writes (a run killed later is in the log), its end when it returns
expect_eq "a run's start, then its end" "$(jq -c 'select(.run == 1 and .object == null) | [.seq, .phase, .result, .actor]' $LOG | tr '\n' ' ')" \
	'[2,"start","started","auditor 1"] [9,null,"ok","auditor 1"] '
expect_eq "migrate entry per object" "$(jq -c 'select(.run == 1 and .object == "Contact") | [.object, .run, .counts.read, .counts.inserted]' $LOG)" '["Contact",1,20,17]'
expect_eq "export hash in the entry" "$(jq -r 'select(.run == 1 and .object == "Contact") | .inputs["exports/Contact.csv"]' $LOG)" \
	"$(sha256sum exports/Contact.csv | cut -d' ' -f1)"
expect_eq "mapping hash in every entry" "$(jq -r '.inputs["mapping.csv"]' $LOG | sort -u)" "$(sha256sum mapping.csv | cut -d' ' -f1)"
expect_eq "reconcile says which triggers fired" "$(jq -c 'select(.action == "reconcile") | .fired | length > 0' $LOG)" true
# reconcile names the exports it compared, each with its SHA-256
expect_eq "reconcile's exports" "$(jq -r 'select(.action == "reconcile") | .inputs | to_entries[] | select(.key | startswith("exports/")) | "\(.value)  \(.key)"' $LOG)" \
	"$(sha256sum exports/*.csv)"
# no record values: the sample's e-mail addresses and names are nowhere in it
for v in Road.Runner@ACME.example.com Runner wile.e@acme.example.com; do
	grep -qF "$v" $LOG && fail "the audit log holds a record value: $v"
done
# anyone can recompute the chain: sha256 of the entry without "hash", compact with sorted keys
line=1
while IFS= read -r entry; do
	want=$(printf '%s' "$entry" | jq -cjS 'del(.hash)' | sha256sum | cut -d' ' -f1)
	expect_eq "hash of line $line" "$(printf '%s' "$entry" | jq -r .hash)" "$want"
	line=$((line + 1))
done <$LOG
"$CRMSHIFT" audit verify >out || fail "intact log: exit $?"
grep -q "intact: 21 entries" out || fail "verify: $(cat out)"
"$CRMSHIFT" audit show --since 2000-01-01 | grep -q "^   21  .* migrate .*: input error" || fail "audit show"
expect_eq "show --json" "$(cd "$P" && "$CRMSHIFT" audit show --json | jq length)" 21
expect_eq "show --since the future" "$("$CRMSHIFT" audit show --since 2999-01-01)" "no entries since then"

cp $LOG good.log
cp .crmshift/audit.head good.head
restore() { cp good.log $LOG; cp good.head .crmshift/audit.head; }
tampered() { # what kind line-or-message
	local rc=0
	"$CRMSHIFT" audit verify --json >v.json || rc=$?
	expect_eq "$1: exit" "$rc" 3
	expect_eq "$1: kind" "$(jq -r .kind v.json)" "$2"
	jq -r .message v.json | grep -qF -- "$3" || fail "$1: the message does not say '$3': $(jq -r .message v.json)"
}
# recomputes line N's hash so that it is self-consistent
rehash() { # n
	local n=$1 entry hash
	entry=$(sed -n "${n}p" $LOG | jq -cS 'del(.hash)')
	hash=$(printf '%s' "$entry" | jq -cjS . | sha256sum | cut -d' ' -f1)
	printf '%s' "$entry" | jq -cS --arg h "$hash" '. + {hash: $h}' >line.json
	sed -i "${n}r line.json" $LOG
	sed -i "${n}d" $LOG
}

sed -i '5s/"inserted":[0-9]*/"inserted":99/' $LOG
tampered "an edited line" edited "entry 5 (line 5) does not match its hash"
restore
sed -i '5s/"inserted":[0-9]*/"inserted":99/' $LOG
rehash 5
tampered "an edited line with its hash recomputed" edited "entry 5 (line 5) was rewritten"
restore
sed -i '7d' $LOG
tampered "a deleted line" deleted "entry 8 (line 7) follows entry 6: entry 7 was deleted"
restore
sed -i '7{h;d};8G' $LOG
tampered "reordered lines" reordered "entry 8 is at line 7, where entry 7 belongs"
restore
head -n 15 good.log >$LOG
tampered "a truncated file" truncated "the log ends at entry 15 but crmshift wrote up to entry 21"
restore
truncate -s -30 $LOG
tampered "a file cut in an entry" truncated "line 21 is cut short"
restore
tail -n 1 good.log | jq -c '.seq = 22 | .result = "GO"' >>$LOG
tampered "an appended forgery" appended "entry 22 (line 22) comes after the last entry crmshift wrote (21"
restore
tail -n 1 good.log | jq -cS --arg p "$(tail -n 1 good.log | jq -r .hash)" '.seq = 22 | .prev_hash = $p' >>$LOG
rehash 22
tampered "an appended forgery with its chain" appended "comes after the last entry crmshift wrote"
restore
rm .crmshift/audit.head
tampered "a removed head" truncated "audit.head is missing"
restore

# a damaged log takes no more entries: the command's work is done, the refusal says why
head -n 15 good.log >$LOG
rc=0
"$CRMSHIFT" plan >/dev/null 2>err || rc=$?
expect_eq "append to a truncated log: exit" "$rc" 4
grep -q "the audit log: .*does not end with the last entry crmshift wrote" err || fail "append refusal: $(cat err)"
# an acting command checks the log before it acts: a rollback refuses before it reverts a row
rows=$(target_sql "$P" "select count(*) from contact")
rc=0
"$CRMSHIFT" rollback >/dev/null 2>err || rc=$?
expect_eq "rollback on a truncated log: exit" "$rc" 4
expect_eq "rollback on a truncated log reverted nothing" "$(target_sql "$P" "select count(*) from contact")" "$rows"
restore
"$CRMSHIFT" plan >/dev/null || fail "plan after the log is restored: exit $?"
"$CRMSHIFT" audit verify >/dev/null || fail "verify after a new entry: exit $?"

# a stop at any point of an append leaves a log and head that verify accepts and the next command
# completes: the head announces an entry (pending) before it is written and is marked done after
verify_ok() { "$CRMSHIFT" audit verify >"$SCRATCH/v.out" 2>&1 || fail "$1: verify: $(cat "$SCRATCH/v.out")"; }
last_hash() { tail -n 1 $LOG | jq -r .hash; }
n=$(wc -l <$LOG)
read -r hs hh hp _ <.crmshift/audit.head
# (a) stopped after the entry was synced, before the done mark
printf '%s %s %s pending\n' "$hs" "$hh" "$hp" >.crmshift/audit.head
verify_ok "the done mark lost"
"$CRMSHIFT" plan >/dev/null || fail "plan after a lost done mark: exit $?"
verify_ok "after the lost done mark"
expect_eq "one more entry" "$(wc -l <$LOG)" $((n + 1))
# (b) stopped after announcing an entry, before writing any of it
A64=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa # the hash of an entry that never was
printf '%s %s %s pending\n' "$(($(tail -n 1 $LOG | jq .seq) + 1))" $A64 "$(last_hash)" >.crmshift/audit.head
verify_ok "an entry announced, never written"
"$CRMSHIFT" plan >/dev/null || fail "plan after an unwritten entry: exit $?"
verify_ok "after the unwritten entry"
expect_eq "the log goes on from its end" "$(wc -l <$LOG)" $((n + 2))
# (c) stopped in the middle of writing the entry: its cut line is trimmed by the next command
printf '%s %s %s pending\n' "$(($(tail -n 1 $LOG | jq .seq) + 1))" $A64 "$(last_hash)" >.crmshift/audit.head
printf '{"action":"migrate","actor":"x' >>$LOG
verify_ok "an entry cut short by a stop"
"$CRMSHIFT" plan >/dev/null || fail "plan after a cut entry: exit $?"
verify_ok "after the cut entry"
expect_eq "the cut line replaced" "$(wc -l <$LOG)" $((n + 3))
jq -e . $LOG >/dev/null || fail "the log is not whole JSON lines"
# a pending head that matches neither end is no stop: it stays a finding
printf '%s %s %s pending\n' 999 $A64 "$(last_hash)" >.crmshift/audit.head
rc=0
"$CRMSHIFT" audit verify >/dev/null 2>&1 || rc=$?
expect_eq "a pending head far from the log's end" "$rc" 3
# reconcile --objects compares one object: its export is the only one named
Q=$(copy_sample b)
(cd "$Q" && "$CRMSHIFT" migrate >/dev/null && { "$CRMSHIFT" reconcile --objects Account >/dev/null || true; }) ||
	fail "migrate for reconcile --objects: exit $?"
expect_eq "reconcile --objects: its export only" \
	"$(jq -r 'select(.action == "reconcile") | .inputs | keys[] | select(startswith("exports/"))' "$Q/.crmshift/audit.log")" \
	"exports/Account.csv"
