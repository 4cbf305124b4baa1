#!/usr/bin/env bash
# make fuzz: runs each libFuzzer harness for SECONDS, starting from its
# seed corpus in tests/fuzz/corpus/NAME (kept in the repository, minimised)
# plus what earlier local runs found (build-fuzz/corpus/NAME, not kept).
# A crash, a sanitizer report, a leak, a timeout (10 s an input) or memory
# over 2 GiB is a finding: the input is kept in build-fuzz/findings and the
# run fails. Prints executions and coverage per harness.
set -uo pipefail
seconds=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build-fuzz"
mkdir -p "$out/findings" "$out/tmp"
export TMPDIR="$out/tmp"
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	seeds="$root/tests/fuzz/corpus/$name"
	corpus="$out/corpus/$name"
	mkdir -p "$corpus"
	log="$out/$name.log"
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$out/findings/$name-" "$corpus" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		echo "$name: FINDING after ${runs:-?} runs (exit $rc); the input is in $out/findings, the report in $log:"
		grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|ALARM|out-of-memory' "$log" | sed 's/^/  /'
	else
		echo "$name: ${runs:-?} runs in $seconds s, ${cov:-cov: ?} edges, no finding"
	fi
done
rm -rf "$out/tmp"
echo "fuzz: $# harnesses, $seconds s each"
echo "$(($# - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
