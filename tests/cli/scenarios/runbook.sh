# crmshift runbook writes the rollback plan from the project: people from
# [people] (a missing one shown as a gap), the [policy] triggers with their
# thresholds, the rollback's time as the last drill measured it (or "not
# measured"), scripts from the project's templates (an unknown placeholder is
# an error naming file and line), after a NO-GO the trigger that fired, and a
# checklist ticked only from evidence. HTML that Chromium renders and prints
# with each section on a page of its own; both files in the audit log.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)
cat >>"$P/crmshift.ini" <<'INI'

[people]
rollback_primary = Ana Ruiz <ana@acme.example>
rollback_backup = Ben Okafor <ben@acme.example>

[gates]
dpa = DPA-2026-014, 2026-10-01
INI
sed -i 's/^\[policy\]$/[policy]\nfailed_imports = 7%\nhand_reconciliation = 250/' "$P/crmshift.ini"
grep -q "^failed_imports = 7%" "$P/crmshift.ini" || printf '\n[policy]\nfailed_imports = 7%%\nhand_reconciliation = 250\n' >>"$P/crmshift.ini"

# before any drill: the rollback is not measured, and the checklist says so
"$CRMSHIFT" -C "$P" runbook >"$SCRATCH/r0.md" || fail "runbook: $(cat "$SCRATCH/r0.md")"
grep -q "| 3 | Export what users changed since cutover, and revert the load | \`crmshift rollback\` | \*\*gap\*\*: \[people\] technical_triggers is not set | not measured: run \`crmshift drill\` |" "$SCRATCH/r0.md" ||
	fail "step 3 before a drill: $(grep '^| 3 ' "$SCRATCH/r0.md")"
grep -q "^- \[ \] Rollback rehearsal passed within the decision window: no drill yet" "$SCRATCH/r0.md" || fail "checklist before a drill"

"$CRMSHIFT" -C "$P" migrate >/dev/null
rc=0
"$CRMSHIFT" -C "$P" reconcile >/dev/null || rc=$?
expect_eq "the sample's reconcile" "$rc" 3
"$CRMSHIFT" -C "$P" drill >/dev/null || fail "drill failed"
mkdir -p "$P/templates"
printf 'To the authority: {project} was rolled back by {primary}: {reason}.\n' >"$P/templates/regulators.md"
"$CRMSHIFT" -C "$P" runbook --markdown "$SCRATCH/rb.md" --html "$SCRATCH/rb.html" >"$SCRATCH/out" || fail "runbook: $(cat "$SCRATCH/out")"
grep -q "^runbook: 2 gaps, 4 of 11 checklist items ticked from evidence, the rollback measured by a drill" "$SCRATCH/out" ||
	fail "summary: $(cat "$SCRATCH/out")"
M="$SCRATCH/rb.md"
for h in "# Rollback plan: acme-sample" "## Who calls a rollback" "## 1. Trigger criteria and authorities" \
	"## 2. Pre-migration preservation" "## 3. Execution steps" "## 4. Communication scripts" \
	"## 5. Reconciliation approach" "## Pre-cutover checklist"; do
	grep -qx "$h" "$M" || fail "no heading '$h'"
done
grep -qF "| calls the rollback (primary) | Ana Ruiz <ana@acme.example> |" "$M" || fail "the primary"
grep -qF "| watches the data triggers (links, blanks, mismatches, consent) | **gap**: [people] data_triggers is not set |" "$M" || fail "the data gap"
grep -qF "| failed imports | 7% of an object's records |" "$M" || fail "the project's threshold"
grep -qF "Last verdict: NO-GO, reconcile of" "$M" || fail "the last verdict"
grep -qE "^\| 3 \| .* \| [0-9.]+ s for [0-9]+ rows of a rehearsed run, measured by drill 1 \([0-9TZ:-]+, passed\) \|$" "$M" || fail "the measured rollback: $(grep '^| 3 ' "$M")"
grep -qE "^To the authority: acme-sample was rolled back by Ana Ruiz <ana@acme.example>: reconciliation measured [a-z_]+ on .* at [0-9.]+%, against a threshold of [0-9.]+%\.$" "$M" ||
	fail "the project's template, filled: $(grep '^To the authority' "$M")"
grep -qF "Up to 250 rows are reconciled by hand" "$M" || fail "hand_reconciliation"
grep -qF -- "- [x] Data processing agreement signed: DPA-2026-014, 2026-10-01 ([gates] dpa)" "$M" || fail "the dpa tick"
grep -qF -- "- [ ] Data protection impact assessment completed: not recorded ([gates] dpia)" "$M" || fail "no dpia tick"
grep -qF -- "- [ ] Pilot reconciled GO: no reconcile in the audit log said GO" "$M" || fail "a GO ticked without one"
grep -qE -- "^- \[x\] Rollback rehearsal passed within the decision window: drill 1 " "$M" || fail "the drill tick"
grep -qF -- "- [ ] Communication templates ready: crmshift's defaults in use" "$M" || fail "templates ticked with three missing"

# the audit log vouches for both files
expect_eq "outputs in the audit entry" \
	"$("$CRMSHIFT" -C "$P" audit show --json | jq -r '[.[] | select(.action == "runbook")][-1].outputs | [.[]] | sort | join(" ")')" \
	"$(sha256sum "$SCRATCH/rb.md" "$SCRATCH/rb.html" | awk '{print $1}' | sort | paste -sd ' ')"

# the HTML in Chromium: every section, gaps marked, ticks drawn; printed, each section on its own page
chrome --dump-dom "file://$SCRATCH/rb.html" >"$SCRATCH/rb.dom" 2>"$SCRATCH/rb.log" || fail "chromium: $(tail -3 "$SCRATCH/rb.log")"
expect_eq "sections in the page" "$(grep -o '<h2' "$SCRATCH/rb.dom" | wc -l)" 7
grep -q '<strong class="gap">gap</strong>' "$SCRATCH/rb.dom" || fail "gaps are not marked in the page"
expect_eq "checklist items" "$(grep -o '<span class="box">' "$SCRATCH/rb.dom" | wc -l)" 11
grep -q '<td>Ana Ruiz &lt;ana@acme.example&gt;</td>' "$SCRATCH/rb.dom" || fail "a name with <> is not escaped in the page"
chrome --screenshot="$SCRATCH/rb.png" --window-size=1200,1600 "file://$SCRATCH/rb.html" 2>"$SCRATCH/shot.log" || fail "screenshot: $(tail -3 "$SCRATCH/shot.log")"
expect_eq "the files are private" "$(stat -c %a "$SCRATCH/rb.md") $(stat -c %a "$SCRATCH/rb.html")" "600 600"
[ "$(stat -c %s "$SCRATCH/rb.png")" -gt 20000 ] || fail "the screenshot is blank"
chrome --print-to-pdf="$SCRATCH/rb.pdf" --no-pdf-header-footer "file://$SCRATCH/rb.html" 2>"$SCRATCH/pdf.log" || fail "print: $(tail -3 "$SCRATCH/pdf.log")"
pages=$(grep -a -c "/Type /Page$\|/Type /Page\b[^s]" "$SCRATCH/rb.pdf" || true)
[ "$pages" -ge 7 ] || fail "printed on $pages pages: each of the 7 sections should start a page"

# a template with a placeholder crmshift does not know: an error naming file, line and placeholder
printf 'Dear board,\n\n{ceo}: the rollback takes {rollback_time}.\n' >"$P/templates/leadership.md"
rc=0
"$CRMSHIFT" -C "$P" runbook >/dev/null 2>"$SCRATCH/err" || rc=$?
expect_eq "an unknown placeholder" "$rc" 1
grep -qF "templates/leadership.md:3: unknown placeholder {ceo}" "$SCRATCH/err" || fail "said: $(cat "$SCRATCH/err")"
