# Legal gates and residency as controls: with [gates] required = yes,
# migrate and sync refuse (exit 4) naming each gate not recorded; an object
# with a residency is loaded only into a target in that [security] region;
# every decision is in the audit log, and a refused run writes nothing.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample g)
cd "$P"
refused() { # what expected-message
	local rc=0
	"$CRMSHIFT" "${@:3}" >/dev/null 2>err || rc=$?
	expect_eq "$1: exit" "$rc" 4
	grep -qF -- "$2" err || fail "$1: stderr lacks '$2': $(cat err)"
}
printf '\n[gates]\nrequired = yes\n' >>crmshift.ini
refused "no gate recorded" "these are not recorded: dpa, dpia, records_of_processing" migrate
printf 'dpa = DPA-2026-014, 2026-10-01\n' >>crmshift.ini
refused "dpa only" "these are not recorded: dpia, records_of_processing" migrate
printf 'dpia = DPIA-7, 2026-10-03\n' >>crmshift.ini
refused "no records of processing" "these are not recorded: records_of_processing" migrate --dry-run
refused "sync too" "these are not recorded: records_of_processing" sync
if [ "$TEST_TARGET" = sqlite ]; then
	[ -e target.db ] && fail "a refused run wrote the target"
else
	[ -z "$(target_tables "$P")" ] || fail "a refused run wrote the target: $(target_tables "$P")"
fi
expect_eq "no run was started" "$(state_sql "$P" 'select count(*) from runs' 2>/dev/null || echo 0)" 0
printf 'records_of_processing = ROPA v3, 2026-09-30\n' >>crmshift.ini
# residency: contacts stay in the EU
sed -i 's/^target = contact$/target = contact\nresidency = eu/' crmshift.ini
refused "residency, no region declared" "Contact (residency eu) may not be loaded into this target, whose [security] region is not declared" migrate
printf '[security]\nregion = us\n' >>crmshift.ini
refused "residency, another region" "whose [security] region is us" migrate
# --objects leaving the contacts out is not refused for them (and the gates hold)
"$CRMSHIFT" migrate --objects Account >/dev/null || fail "migrate --objects Account: exit $?"
sed -i 's/^region = us$/region = eu/' crmshift.ini
"$CRMSHIFT" migrate >/dev/null || fail "migrate with every gate and the region: exit $?"
expect_eq "loaded" "$(target_sql "$P" 'select count(*) from contact')" 17
# the audit log has each decision, and the run after the passed gate
expect_eq "gate decisions" "$(jq -r 'select(.action == "gate") | .result' .crmshift/audit.log | tr '\n' ' ')" \
	"refused refused refused refused refused refused passed passed "
expect_eq "what was missing" "$(jq -r 'select(.action == "gate") | .missing' .crmshift/audit.log | sed -n 2p)" \
	"dpia, records_of_processing"
expect_eq "out of region" "$(jq -r 'select(.action == "gate") | .outside_region' .crmshift/audit.log | sed -n 6p)" \
	"Contact (residency eu)"
expect_eq "recorded gate" "$(jq -r 'select(.action == "gate") | .gates.dpa' .crmshift/audit.log | tail -1)" \
	"DPA-2026-014, 2026-10-01"
expect_eq "refusal reason" "$(jq -r 'select(.action == "migrate" and .result == "refused") | .reason' .crmshift/audit.log | head -1)" \
	"refused by the gates: [gates] required = yes, and these are not recorded: dpa, dpia, records_of_processing (each as 'REFERENCE, YYYY-MM-DD', once signed)"
"$CRMSHIFT" audit verify >/dev/null || fail "audit log does not verify"
