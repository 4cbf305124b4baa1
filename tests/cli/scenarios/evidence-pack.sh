# The signed evidence pack: keys generate writes key files that are never
# overwritten and refused when others can read them; audit evidence signs a
# manifest of every file with its SHA-256 (checked here with sha256sum, and
# the signature with openssl); verify-evidence says VALID, then FORGED for an
# edited or re-signed manifest, MISMATCH for a file changed behind crmshift's
# back, STALE once crmshift acted on the project again, exit 3 for each.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample e)
K=$SCRATCH/keys
mkdir "$K"
cd "$P"

# keys
"$CRMSHIFT" keys generate signing "$K/sign.key" >"$SCRATCH/gen.out" || fail "keys generate: exit $?"
expect_eq "secret key mode" "$(stat -c %a "$K/sign.key")" 600
expect_eq "public key mode" "$(stat -c %a "$K/sign.key.pub")" 644
ID=$(awk '/^crmshift-key/ {print $3}' "$K/sign.key")
expect_eq "the public half names the same key" "$(awk '/^crmshift-key/ {print $2, $3}' "$K/sign.key.pub")" "public $ID"
grep -q "signing key $ID written to $K/sign.key" "$SCRATCH/gen.out" || fail "generate does not name the key: $(cat "$SCRATCH/gen.out")"
cp "$K/sign.key" "$SCRATCH/sign.key.before"
rc=0; "$CRMSHIFT" keys generate signing "$K/sign.key" 2>"$SCRATCH/err" || rc=$?
expect_eq "an existing key is never overwritten (exit)" "$rc" 4
grep -q "never overwrites a key" "$SCRATCH/err" || fail "overwrite refusal: $(cat "$SCRATCH/err")"
cmp -s "$K/sign.key" "$SCRATCH/sign.key.before" || fail "the key file changed"
"$CRMSHIFT" --json keys generate data "$K/data.key" >"$SCRATCH/data.json"
expect_eq "data key mode" "$(stat -c %a "$K/data.key")" 600
expect_eq "data key id" "$(jq -r .id "$SCRATCH/data.json")" "$(awk '/^crmshift-key/ {print $3}' "$K/data.key")"

# the project signs with its configured key
printf '\n[security]\nsigning_key = %s\n' "$K/sign.key" >>crmshift.ini
"$CRMSHIFT" --actor "ana (DPO)" keys generate signing "$K/other.key" >/dev/null
expect_eq "key generation inside a project is logged" \
	"$(jq -c 'select(.actor == "ana (DPO)") | [.action, .key.kind, .key.id == null, .result]' .crmshift/audit.log)" '["keys generate","signing",false,"ok"]'
expect_eq "the refused overwrite is logged too" "$(jq -r 'select(.action == "keys generate") | .result' .crmshift/audit.log | tr '\n' ' ')" "ok refused ok ok "
"$CRMSHIFT" migrate >/dev/null
"$CRMSHIFT" reconcile --html reports/reconcile.html >/dev/null || true   # NO-GO on the sample
chmod 640 "$K/sign.key"
rc=0; "$CRMSHIFT" audit evidence "$SCRATCH/pack" 2>"$SCRATCH/err" || rc=$?
expect_eq "a key others can read is refused (exit)" "$rc" 4
grep -q "readable or writable by group or others (mode 0640): run 'chmod 600" "$SCRATCH/err" || fail "perm refusal: $(cat "$SCRATCH/err")"
[ ! -e "$SCRATCH/pack" ] || fail "a refused pack was written"
chmod 600 "$K/sign.key"
"$CRMSHIFT" --actor auditor audit evidence "$SCRATCH/pack" >"$SCRATCH/ev.out" || fail "audit evidence: exit $?"
M=$SCRATCH/pack/manifest.json
expect_eq "pack mode" "$(stat -c %a "$SCRATCH/pack") $(stat -c %a "$M")" "700 600"
for f in crmshift.ini mapping.csv maps/stage.csv exports/Contact.csv exports/Lead.csv reports/rejects-1.csv \
	reports/orphans-1.csv reports/reconcile.html .crmshift/snapshots/run-1-before.snap \
	.crmshift/snapshots/run-1-after.snap .crmshift/snapshots/run-1-sample-Contact.jsonl; do
	expect_eq "$f in the manifest" "$(jq -r --arg p "$f" '.files[] | select(.path == $p) | "\(.sha256) \(.size)"' "$M")" \
		"$(sha256sum "$f" | cut -d' ' -f1) $(stat -c %s "$f")"
done
# the log as it was when signed: the pack's own entry came after
LOGSIZE=$(jq -r '.files[] | select(.role == "audit log") | .size' "$M")
expect_eq "the audit log in the manifest" "$(jq -r '.files[] | select(.role == "audit log") | .sha256' "$M")" \
	"$(head -c "$LOGSIZE" .crmshift/audit.log | sha256sum | cut -d' ' -f1)"
expect_eq "then the pack's entry only" "$(tail -c +$((LOGSIZE + 1)) .crmshift/audit.log | jq -r .action)" "audit evidence"
expect_eq "roles" "$(jq -r '[.files[].role] | unique | join(",")' "$M")" "audit log,config,export,mapping,report,snapshot,value map"
expect_eq "runs and counts" "$(jq -c '.runs[] | [.run, .command, .status, (.objects[] | select(.object == "Contact") | .inserted)]' "$M")" '[1,"migrate","done",17]'
expect_eq "run sources" "$(jq -r '.runs[0].sources[] | select(.object == "Contact") | .sha256' "$M")" "$(sha256sum exports/Contact.csv | cut -d' ' -f1)"
expect_eq "verdicts" "$(jq -r '.verdicts[] | "\(.verdict) \(.fired | map(.trigger + ":" + .subject) | join(","))"' "$M")" \
	"NO-GO $(jq -r 'select(.action == "reconcile") | .fired | map(.trigger + ":" + .subject) | join(",")' .crmshift/audit.log)"
expect_eq "the log's last entry" "$(jq -c '.audit | [.entries, .last_seq]' "$M")" "[$(($(wc -l <.crmshift/audit.log) - 1)),$(($(wc -l <.crmshift/audit.log) - 1))]"
expect_eq "signer" "$(jq -r .signing_key.id "$M")" "$ID"
expect_eq "pack's audit entry" "$(tail -1 .crmshift/audit.log | jq -c '[.action, .actor, .key.id, .manifest_sha256]')" \
	"[\"audit evidence\",\"auditor\",\"$ID\",\"$(sha256sum "$M" | cut -d' ' -f1)\"]"
# the signature is plain Ed25519 over the manifest's bytes: openssl checks it without crmshift
{ printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'; awk '/^crmshift-key/ {print $4}' "$K/sign.key.pub" | base64 -d; } >"$SCRATCH/pub.der"
base64 -d "$SCRATCH/pack/manifest.sig" >"$SCRATCH/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$SCRATCH/pub.der" -keyform DER -rawin -in "$M" -sigfile "$SCRATCH/sig.bin" >/dev/null ||
	fail "openssl does not verify the signature"

"$CRMSHIFT" audit verify-evidence "$SCRATCH/pack" >"$SCRATCH/v.out" || fail "a fresh pack: exit $? $(cat "$SCRATCH/v.out")"
grep -q "VALID" "$SCRATCH/v.out" || fail "not VALID: $(cat "$SCRATCH/v.out")"
grep -q "audit entry $(wc -l <.crmshift/audit.log) records its creation" "$SCRATCH/v.out" || fail "creation entry: $(cat "$SCRATCH/v.out")"
rc=0; "$CRMSHIFT" audit evidence "$SCRATCH/pack" 2>"$SCRATCH/err" || rc=$?
expect_eq "a pack is never overwritten (exit)" "$rc" 4

verify() { # pack -> "exit verdict"
	local rc=0
	"$CRMSHIFT" --json audit verify-evidence "$1" ${2:+--public-key "$2"} >"$SCRATCH/v.json" || rc=$?
	echo "$rc $(jq -r .verdict "$SCRATCH/v.json")"
}
finding() { jq -r --arg k "$1" '.findings[] | select(.kind == $k) | "\(.path): \(.message)"' "$SCRATCH/v.json"; }

# forged: an edited count
cp -r "$SCRATCH/pack" "$SCRATCH/edited"
sed -i '0,/"inserted": 17/s//"inserted": 18/' "$SCRATCH/edited/manifest.json"
expect_eq "edited manifest" "$(verify "$SCRATCH/edited")" "3 forged"
finding signature | grep -q "changed after it was signed" || fail "edited: $(cat "$SCRATCH/v.json")"
# forged: edited and re-signed with another key, which the manifest then names
cp -r "$SCRATCH/pack" "$SCRATCH/resigned"
"$CRMSHIFT" audit evidence "$SCRATCH/other" --key "$K/other.key" >/dev/null
cp "$SCRATCH/other/manifest.json" "$SCRATCH/other/manifest.sig" "$SCRATCH/resigned/"
expect_eq "re-signed with another key" "$(verify "$SCRATCH/resigned")" "3 forged"
finding signature | grep -q "not signed by the trusted key $ID" || fail "re-signed: $(cat "$SCRATCH/v.json")"
expect_eq "that pack is valid only under its own key" "$(verify "$SCRATCH/other" "$K/other.key.pub")" "0 valid"
# forged: a file listed outside the project is a finding, never read (found by fuzz-evidence)
cp -r "$SCRATCH/pack" "$SCRATCH/outside"
sed -i '0,/"path": "mapping.csv"/s//"path": "..\/..\/..\/etc\/hostname"/' "$SCRATCH/outside/manifest.json"
expect_eq "a path outside the project" "$(verify "$SCRATCH/outside")" "3 forged"
finding changed | grep -q "^../../../etc/hostname: the path leaves the project folder: not read" ||
	fail "outside: $(cat "$SCRATCH/v.json")"
# forged: no signature
cp -r "$SCRATCH/pack" "$SCRATCH/unsigned"
rm "$SCRATCH/unsigned/manifest.sig"
expect_eq "unsigned" "$(verify "$SCRATCH/unsigned")" "3 forged"
finding signature | grep -q "manifest.sig: missing" || fail "unsigned: $(cat "$SCRATCH/v.json")"

# mismatch: a report changed with no crmshift action since the pack (the other pack's entry aside)
rm -rf "$SCRATCH/pack"
"$CRMSHIFT" audit evidence "$SCRATCH/pack" >/dev/null
cp reports/rejects-1.csv "$SCRATCH/rejects.bak"
sed -i '2d' reports/rejects-1.csv
expect_eq "a report edited behind crmshift's back" "$(verify "$SCRATCH/pack")" "3 mismatch"
finding changed | grep -q "^reports/rejects-1.csv: report changed since the pack" || fail "mismatch: $(cat "$SCRATCH/v.json")"
cp "$SCRATCH/rejects.bak" reports/rejects-1.csv
expect_eq "restored" "$(verify "$SCRATCH/pack")" "0 valid"
# an audit entry the pack signed, edited
cp .crmshift/audit.log "$SCRATCH/log.bak"
sed -i '1s/"actor":"[^"]*"/"actor":"someone else"/' .crmshift/audit.log
expect_eq "the signed part of the log edited" "$(verify "$SCRATCH/pack")" "3 mismatch"
finding changed | grep -q "audit.log: the audit log's first [0-9]* bytes, which the pack signed, were changed" || fail "log: $(cat "$SCRATCH/v.json")"
cp "$SCRATCH/log.bak" .crmshift/audit.log

# stale: crmshift moved on (a second run, a new reconcile)
"$CRMSHIFT" migrate >/dev/null
expect_eq "after another run" "$(verify "$SCRATCH/pack")" "3 stale"
finding later | grep -q "entries were written after the pack (seq .*migrate" || fail "stale: $(cat "$SCRATCH/v.json")"
finding added | grep -q "^.crmshift/snapshots/run-2-before.snap: snapshot not in the pack" || fail "stale files: $(cat "$SCRATCH/v.json")"
# a new pack covers it
"$CRMSHIFT" audit evidence "$SCRATCH/pack2" >/dev/null
expect_eq "a new pack" "$(verify "$SCRATCH/pack2")" "0 valid"
"$CRMSHIFT" audit verify >/dev/null || fail "the log is intact"

# usage: no key to verify against
sed -i '/^signing_key/d' crmshift.ini
rc=0; "$CRMSHIFT" audit verify-evidence "$SCRATCH/pack2" 2>"$SCRATCH/err" || rc=$?
expect_eq "no trusted key (exit)" "$rc" 2
grep -q "give --public-key FILE or set \[security\] signing_key" "$SCRATCH/err" || fail "no key: $(cat "$SCRATCH/err")"
rc=0; "$CRMSHIFT" audit verify-evidence "$SCRATCH" --public-key "$K/sign.key.pub" 2>"$SCRATCH/err" || rc=$?
expect_eq "not a pack (exit)" "$rc" 1
exit 0
