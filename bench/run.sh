#!/usr/bin/env bash
# make bench: generates a project of CONTACTS contacts (default 1,000,000)
# with accounts, opportunities and contact roles, then measures, in the
# same run on the same files:
#   sqlite3 .import   the raw CSV files into a fresh database (no mapping)
#   crmshift migrate  the full pipeline into a fresh SQLite target
#   crmshift migrate  again (everything unchanged: the idempotent re-run)
# and prints rows/s and peak RSS for each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
contacts=${CONTACTS:-1000000}
work="$root/$build/bench-data"
crmshift="$root/$build/crmshift"
rm -rf "$work"
mkdir -p "$work"
echo "generating $contacts contacts with accounts, opportunities and contact roles..."
"$root/$build/bench/gen" "$work/project" "$contacts"
rows=0
for f in "$work"/project/exports/*.csv; do
	n=$(($(wc -l <"$f") - 1))
	rows=$((rows + n))
	printf '  %-34s %9d rows %6d MB\n' "$(basename "$f")" "$n" $(($(stat -c %s "$f") / 1048576))
done

measure() { # label, command...
	local label=$1 out secs kb
	shift
	out=$(/usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1)
	secs=${out% *}
	kb=${out#* }
	printf '%-44s %8.2f s %12.0f rows/s %8d MiB peak RSS\n' "$label" "$secs" "$(echo "$rows / $secs" | bc -l)" $((kb / 1024))
}

import_script="$work/import.sql"
: >"$import_script"
for f in "$work"/project/exports/*.csv; do
	echo ".import --csv '$f' $(basename "$f" .csv)" >>"$import_script"
done
echo
echo "$rows rows in all; each tool starts from an empty database"
measure "sqlite3 .import (no mapping)" sqlite3 "$work/import.db" ".read $import_script"
measure "crmshift migrate (first load)" "$crmshift" -C "$work/project" migrate
measure "crmshift migrate (re-run, all unchanged)" "$crmshift" -C "$work/project" migrate
"$crmshift" -C "$work/project" status | tail -n 5
