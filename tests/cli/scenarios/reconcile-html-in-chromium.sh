# The reconcile HTML report in headless Chromium (Debian's chromium): the
# page loads without errors and without fetching anything, shows the verdict
# and the chart, and a screenshot is taken.
. "$(dirname "$0")/../scenario-lib.sh"
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh installs it)"
GEN="$(dirname "$CRMSHIFT")/bench/gen"
"$GEN" "$SCRATCH/p" 800 >/dev/null
"$CRMSHIFT" -C "$SCRATCH/p" migrate >/dev/null
sqlite3 "$SCRATCH/p/target.db" "update contact set email = null where id % 25 = 0"
set +e
"$CRMSHIFT" -C "$SCRATCH/p" reconcile --html "$SCRATCH/report.html" >"$SCRATCH/out.txt"
rc=$?
set -e
expect_eq "reconcile exit" "$rc" 3
grep -q "report: $SCRATCH/report.html" "$SCRATCH/out.txt" || fail "no report line"
grep -qE '(src|href)="(https?:)?//' "$SCRATCH/report.html" && fail "the report refers to the network"
chrome --dump-dom "file://$SCRATCH/report.html" >"$SCRATCH/dom.html" 2>"$SCRATCH/chrome.log" || fail "chromium could not load the page: $(tail -5 "$SCRATCH/chrome.log")"
grep -q '<p id="verdict" class="verdict nogo">NO-GO</p>' "$SCRATCH/dom.html" || fail "the verdict is not on the page"
bars=$(grep -o '<rect[^>]*class="bar fired"' "$SCRATCH/dom.html" | wc -l)
expect_eq "fired bars in the chart" "$bars" 1
grep -q 'critical_blank · contact.email' "$SCRATCH/dom.html" || fail "the chart lacks the fired trigger's label"
rows=$(grep -o '<tr[^>]*><td>001B[0-9]*</td>' "$SCRATCH/dom.html" | wc -l)
expect_eq "largest accounts in the table" "$rows" 5
grep -qiE 'Uncaught|net::ERR_|Failed to load resource' "$SCRATCH/chrome.log" && fail "page errors: $(grep -iE 'Uncaught|net::ERR_|Failed to load' "$SCRATCH/chrome.log" | head -3)"
chrome --hide-scrollbars --window-size=1100,1400 --screenshot="$SCRATCH/report.png" "file://$SCRATCH/report.html" >/dev/null 2>&1 ||
	fail "no screenshot"
size=$(stat -c %s "$SCRATCH/report.png")
[ "$size" -gt 20000 ] || fail "screenshot of $size bytes"
mkdir -p "$ROOT/${BUILD:-build}/screenshots"
cp "$SCRATCH/report.png" "$ROOT/${BUILD:-build}/screenshots/reconcile-report.png"
grep -q '@example' "$SCRATCH/report.html" && fail "an e-mail address leaked into the HTML report"
true
