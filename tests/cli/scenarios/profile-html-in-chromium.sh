# The profile HTML page in headless Chromium: titled with the project's
# name, record counts as whole numbers, and a page that fits 1280 pixels
# (the field table wraps long values instead of running off the page).
. "$(dirname "$0")/../scenario-lib.sh"
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh installs it)"
P=$(copy_sample p)
"$CRMSHIFT" -C "$P" profile --html "$SCRATCH/profile.html" >/dev/null
grep -q '<title>crmshift profile: acme-sample</title>' "$SCRATCH/profile.html" || fail "title: $(grep -o '<title>[^<]*' "$SCRATCH/profile.html")"
# the volumes chart: Account's 12 records read 12, not 12.0
grep -q '>12</text>' "$SCRATCH/profile.html" || fail "the record count is not a whole number"
grep -q '>12\.0</text>' "$SCRATCH/profile.html" && fail "a record count has a fraction"
# the page's width as Chromium lays it out at 1280 pixels
cp "$SCRATCH/profile.html" "$SCRATCH/measured.html"
echo '<script>document.body.setAttribute("data-width", document.documentElement.scrollWidth)</script>' >>"$SCRATCH/measured.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	--user-data-dir="$SCRATCH/chrome" --window-size=1280,1000 --dump-dom "file://$SCRATCH/measured.html" \
	>"$SCRATCH/dom.html" 2>"$SCRATCH/chrome.log" || fail "chromium could not load the page: $(tail -5 "$SCRATCH/chrome.log")"
width=$(grep -o 'data-width="[0-9]*"' "$SCRATCH/dom.html" | grep -o '[0-9]*')
[ -n "$width" ] || fail "the page was not measured"
[ "$width" -le 1280 ] || fail "the page is $width pixels wide at a 1280-pixel window"
