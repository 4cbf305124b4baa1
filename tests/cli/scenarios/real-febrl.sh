# Febrl dataset1 (../shared/data/real/febrl): a header and values with a
# blank after each comma, YYYYMMDD birth dates with deliberate typos, blank
# surnames. Each record loads or is rejected with its reason: 1000 read,
# every reject accounted for in the report.
. "$(dirname "$0")/../scenario-lib.sh"
DATA="$ROOT/../shared/data/real/febrl"
[ -d "$DATA" ] || fail "missing $DATA"
P="$SCRATCH/fb"
mkdir -p "$P"
cp "$ROOT/tests/cli/real/febrl-mapping.csv" "$P/mapping.csv"
printf '[migration]\nsource_system = febrl\n[source]\npath = %s\n[object "Person"]\nfile = dataset1.csv\nid = rec_id\ntarget = contact\n' "$DATA" >"$P/crmshift.ini"
out=$("$CRMSHIFT" -C "$P" migrate --json)
read_n=$(echo "$out" | jq '.objects[0].read')
ins=$(echo "$out" | jq '.objects[0].inserted')
rej=$(echo "$out" | jq '.objects[0].rejected')
expect_eq "records read" "$read_n" 1000
expect_eq "loaded + rejected" "$((ins + rej))" 1000
expect_eq "target rows" "$(sqlite3 "$P/target.db" "select count(*) from contact")" "$ins"
# the rejected ids in the report are exactly the records missing from the target
sqlite3 "$P/target.db" "select source_id from contact" | sort >"$SCRATCH/loaded"
tail -n +2 "$P/reports/rejects-1.csv" | cut -d, -f2 | sort -u >"$SCRATCH/rejected"
tail -n +2 "$DATA/dataset1.csv" | cut -d, -f1 | sort >"$SCRATCH/all"
expect_eq "loaded and rejected cover the source" "$(sort "$SCRATCH/loaded" "$SCRATCH/rejected" | uniq -d | wc -l) $(sort -u "$SCRATCH/loaded" "$SCRATCH/rejected" | diff - "$SCRATCH/all" | wc -l)" "0 0"
# a known record, read through the leading blanks
expect_eq "rec-122-org" "$(sqlite3 "$P/target.db" "select first_name, last_name, birth_date, mailing_state from contact where source_id = 'rec-122-org'")" "Lachlan|Berry|1999-02-19|QLD"
grep -q "day 33 is not in month 12 of 1937" "$P/reports/rejects-1.csv" || fail "the impossible birth date of rec-444-dup-0 is not reported"
grep -q "19371233" "$P/reports/rejects-1.csv" && fail "an SPI value leaked into the report"
true
