# A run started with a long --objects list is resumed after kill -9 with the
# same selection and counts as an uninterrupted run. The options were read
# back through a 512-byte copy, so a list over it made --resume fail with
# "its options cannot be read".
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
a=$(copy_sample a)
b=$(copy_sample b)
# 967 bytes, naming two of the sample's objects again and again
list=$(for _ in $(seq 60); do printf 'Account,Contact,'; done)Account
[ "${#list}" -gt 512 ] || fail "the list is not long: ${#list} bytes"

"$CRMSHIFT" -C "$a" migrate --objects "$list" --json >"$SCRATCH/full.json"
set +e
(CRMSHIFT_FAULT=batch-committed "$CRMSHIFT" -C "$b" migrate --objects "$list") >/dev/null 2>&1
status=$?
set -e
expect_eq "exit of the killed run" "$status" 137
"$CRMSHIFT" -C "$b" migrate --resume --json >"$SCRATCH/resumed.json" 2>"$SCRATCH/resume.err" ||
	fail "migrate --resume: exit $?: $(cat "$SCRATCH/resume.err")"

counts() { jq -c '[.objects[] | {object, read, inserted, updated, unchanged, rejected, orphaned}]' "$1"; }
expect_eq "objects and counts after resume" "$(counts "$SCRATCH/resumed.json")" "$(counts "$SCRATCH/full.json")"
expect_eq "the objects resumed" "$(jq -c '[.objects[] | select(.read > 0) | .object]' "$SCRATCH/resumed.json")" \
	'["Account","Contact"]'
expect_eq "target after resume" "$(target_rows "$b" | md5sum)" "$(target_rows "$a" | md5sum)"
