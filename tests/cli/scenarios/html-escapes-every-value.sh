# The HTML reports show what the data holds as text, never as markup: an
# account whose id, name, city and type carry <script>, an <img onerror>
# and quotes is profiled, loaded, edited in the target and reconciled, and
# both reports are loaded in headless Chromium: no script of the data runs
# (the title stays), no element of the data is in the page, and the values
# are on it as text.
. "$(dirname "$0")/../scenario-lib.sh"
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh installs it)"
P=$(copy_sample p)
cat >>"$P/exports/Account.csv" <<'EOF'
"001X<b>bold</b>""q","<script>document.title='PWNED'</script>",,Manufacturing,"<i onmouseover=alert(1)>type</i>",x.example,,1 Street,"<img src=x onerror=""document.title='PWNED'"">",,1,France,1.00,1,005A0000001,2019-05-02T09:12:44.000+0000,2024-01-15T16:03:10.000+0000
EOF
"$CRMSHIFT" -C "$P" profile --objects Account --html "$SCRATCH/profile.html" >/dev/null
"$CRMSHIFT" -C "$P" migrate >/dev/null
# the target differs from the source in that account: reconcile shows expected and actual values
target_sql "$P" "update account set billing_city = '<svg onload=alert(2)>', type = 'x' where source_id like '001X%'"
set +e
"$CRMSHIFT" -C "$P" reconcile --objects Account --html "$SCRATCH/reconcile.html" >/dev/null
set -e
for report in profile reconcile; do
	chrome --dump-dom "file://$SCRATCH/$report.html" >"$SCRATCH/$report.dom" 2>"$SCRATCH/$report.log" ||
		fail "chromium could not load the $report report: $(tail -5 "$SCRATCH/$report.log")"
	grep -q '<title>[^<]*PWNED' "$SCRATCH/$report.dom" && fail "$report: a script from the data ran"
	for markup in '<b>bold' '<i onmouseover' '<img src="x"' '<img src=x' '<svg onload' '<script>document'; do
		grep -qF -- "$markup" "$SCRATCH/$report.dom" && fail "$report: markup from the data is in the page: $markup"
	done
done
# the values are there, as text
grep -qF '&lt;script&gt;document.title=' "$SCRATCH/profile.dom" || fail "the profile does not show the account name as text"
grep -qF '001X&lt;b&gt;bold&lt;/b&gt;"q' "$SCRATCH/reconcile.dom" || fail "the reconcile report does not show the id as text: $(grep -o '001X[^<]*' "$SCRATCH/reconcile.dom" | head -2)"
grep -qF '&lt;svg onload=alert(2)&gt;' "$SCRATCH/reconcile.dom" || fail "the reconcile report does not show the target's value as text"
true
