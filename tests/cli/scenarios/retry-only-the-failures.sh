# After a user fixes the mapping, the next migrate loads exactly the
# records that were rejected before and changes nothing else.
# backends: sqlite postgres
. "$(dirname "$0")/../scenario-lib.sh"
P=$(copy_sample p)
"$CRMSHIFT" -C "$P" migrate >/dev/null
before=$(target_dump "$P")
# the fixes: the legacy stage gets a target value, leads get a default status
echo "Verbal Commit,negotiation" >>"$P/maps/stage.csv"
sed -i 's/Closed - Not Converted=disqualified)"/Closed - Not Converted=disqualified, default=new)"/' "$P/mapping.csv"
out=$("$CRMSHIFT" -C "$P" migrate)
# the rejected opportunity, the contact role that hung on it, and the lead now load; nothing else moves
echo "$out" | grep -q "^Opportunity              opportunity                 10         1         0         9         0         0" || fail "$out"
echo "$out" | grep -q "^OpportunityContactRole   opportunity_contact         15         1         0        13         1         1" || fail "$out"
echo "$out" | grep -q "^Lead                     lead                         7         1         0         6         0         0" || fail "$out"
echo "$out" | grep -q "^total                                                71         3         0        61         7         4" || fail "$out"
after=$(target_dump "$P")
# the rows that were there are byte for byte as they were
diff <(echo "$before") <(echo "$after") | grep '^<' && fail "rows changed: $(diff <(echo "$before") <(echo "$after"))"
expect_eq "rows added" "$(diff <(echo "$before") <(echo "$after") | grep -c '^>')" 3
expect_eq "stage of the fixed opportunity" "$(target_sql "$P" "select stage from opportunity where source_id = '006A000000000006AAA'")" negotiation
