# The easy-spaces Salesforce sample (../shared/data/real/easy-spaces-lwc):
# CSVs keyed by e-mail and by name, a BOM, quoted commas, Space linked to
# Market by name. Every space finds its market; the six people whose
# mobile numbers are not valid North American numbers are rejected with
# the reason, and nothing else is.
. "$(dirname "$0")/../scenario-lib.sh"
DATA="$ROOT/../shared/data/real/easy-spaces-lwc"
[ -d "$DATA" ] || fail "missing $DATA"
P="$SCRATCH/es"
mkdir -p "$P"
cp "$ROOT/tests/cli/real/easy-spaces-mapping.csv" "$P/mapping.csv"
cat >"$P/crmshift.ini" <<INI
[migration]
source_system = salesforce
[source]
path = $DATA
[object "Market"]
file = Market_Data.csv
id = Name
target = market
[object "Space"]
file = Space_Data.csv
id = Name
target = space
[object "Contact"]
file = Contact_Data.csv
id = Email
target = contact
[object "Lead"]
file = Lead_Data.csv
id = Email
target = lead
INI
"$CRMSHIFT" -C "$P" plan >"$SCRATCH/plan.out" || fail "plan: $(cat "$SCRATCH/plan.out")"
grep -q "2. Space .*132 records" "$SCRATCH/plan.out" || fail "plan: $(cat "$SCRATCH/plan.out")"
out=$("$CRMSHIFT" -C "$P" migrate)
echo "$out" | grep -q "^Space                    space                      132       132         0         0         0         0" || fail "$out"
echo "$out" | grep -q "^total                                               166       160         0         0         6         0" || fail "$out"
DB="$P/target.db"
expect_eq "spaces without market" "$(sqlite3 "$DB" "select count(*) from space where market_id is null")" 0
expect_eq "a space's market" "$(sqlite3 "$DB" "select m.name from space s join market m on m.id = s.market_id where s.source_id = 'Outdoor Exploration Lab - Burbank'")" "Burbank - CA"
expect_eq "BOM not in the first column" "$(sqlite3 "$DB" "select category from space where source_id = 'Outdoor Exploration Lab - Burbank'")" "Exploration Lab"
expect_eq "quoted comma" "$(sqlite3 "$DB" "select company from lead where source_id = 'dthay8@uol.com.br'")" "Haley, Leffler and Bailey"
expect_eq "phone rejects" "$(grep -c 'is not a valid North American number' "$P/reports/rejects-1.csv")" 6
expect_eq "non-ASCII kept" "$(sqlite3 "$DB" "select count(*) from space where name like '%é%' or category like '%é%' or type like '%é%'")" \
	"$(grep -c 'é' "$DATA/Space_Data.csv")"
# PII never in the report
grep -q "119-5330" "$P/reports/rejects-1.csv" && fail "a phone number leaked into the rejects report"
"$CRMSHIFT" -C "$P" migrate | grep -q "^total                                               166         0         0       160         6         0" || fail "re-run changed something"
