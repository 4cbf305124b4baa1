# [dedupe] against ground truth: the Febrl people (../shared/data/real/febrl,
# each duplicate's rec_id names its original) loaded as contacts with the
# rules docs/dedupe.md recommends. Every pair of records profile puts in one
# group is a predicted pair; precision is the share of them the truth
# pairs too, recall the share of true pairs found. Both must hold: precision
# >= 0.95, recall >= 0.9, on each data set and on 4a and 4b together.
. "$(dirname "$0")/../scenario-lib.sh"
FEBRL="$ROOT/../shared/data/real/febrl"
[ -d "$FEBRL" ] || fail "no Febrl data at $FEBRL"

project() { # dir export...
	mkdir -p "$1/exports"
	# 4a has no final newline: the files are joined line by line, one header
	awk 'FNR == 1 && NR != 1 { next } { print }' "${@:2}" >"$1/exports/people.csv"
	cat >"$1/crmshift.ini" <<'INI'
[migration]
name = febrl
source_system = febrl

[object "Person"]
file = people.csv
id = rec_id
target = contact

[dedupe "Person"]
match = national_id; first_name+last_name+date_of_birth; last_name+date_of_birth+mailing_postal_code; first_name+date_of_birth+mailing_postal_code; first_name+last_name+mailing_postal_code
INI
	cat >"$1/mapping.csv" <<'CSV'
source_object,source_field,data_type,target_field,transform_rule,pii_flag,validation_rule,sample_value
Person,given_name,text,first_name,trim,PII,,
Person,surname,text,last_name,trim,PII,,
Person,date_of_birth,text,date_of_birth,trim,PII,,
Person,postcode,text,mailing_postal_code,trim,PII,,
Person,soc_sec_id,text,national_id,trim,SPI,,
CSV
}

# "precision recall predicted true" from the export's truth (rec-N-...) and the groups
score() { # export merges
	awk -F, '
		FNR == 1 { next }
		NR == FNR { split($1, p, "-"); key[$1] = p[2]; n[p[2]]++; next }
		{ size[$2]++; same[$2 SUBSEP key[$3]]++ }
		END {
			for (k in n) truth += n[k] * (n[k] - 1) / 2
			for (g in size) predicted += size[g] * (size[g] - 1) / 2
			for (gk in same) tp += same[gk] * (same[gk] - 1) / 2
			printf "%.4f %.4f %d %d\n", predicted ? tp / predicted : 1, truth ? tp / truth : 1, predicted, truth
		}' "$1" "$2"
}

for set in dataset1 dataset2 dataset3 dataset4; do
	p="$SCRATCH/$set"
	if [ "$set" = dataset4 ]; then
		project "$p" "$FEBRL/dataset4a.csv" "$FEBRL/dataset4b.csv"
	else
		project "$p" "$FEBRL/$set.csv"
	fi
	"$CRMSHIFT" -C "$p" profile --json >"$SCRATCH/$set.json" 2>"$SCRATCH/$set.err" || fail "$set: profile: $(cat "$SCRATCH/$set.err")"
	# the export's ids have a space after each comma, as the file writes them
	sed 's/, /,/g' "$p/exports/people.csv" >"$SCRATCH/$set.truth"
	read -r precision recall predicted truth < <(score "$SCRATCH/$set.truth" "$p/reports/merges-profile.csv")
	echo "$set: precision $precision recall $recall ($predicted pairs predicted, $truth true)" >>"$SCRATCH/figures"
	awk -v p="$precision" -v r="$recall" 'BEGIN { exit !(p >= 0.95 && r >= 0.9) }' ||
		fail "$set: precision $precision, recall $recall ($predicted pairs predicted, $truth true)"
	# the summary counts what the report lists
	expect_eq "$set: merged in the summary" "$(jq '.people.objects[0].merged' "$SCRATCH/$set.json")" \
		"$(grep -c ',merged$' "$p/reports/merges-profile.csv")"
done
cat "$SCRATCH/figures"
