#!/usr/bin/env bash
# Runs every test: the unit test binaries given as arguments, then the
# end-to-end cases in tests/cli/cases (data: a project, a command, the
# expected exit code, output and database state) and the scenarios in
# tests/cli/scenarios (scripts for what a case cannot say: kill and resume,
# row-by-row checks against the source). Ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
export CRMSHIFT="$root/$build/crmshift"
export ROOT="$root"
passed=0
failed=0
skipped=0
skips=()
failures=()

# A private PostgreSQL server for the scenarios that load into one
# (tests/pg-cluster.sh), stopped when the run ends, also when a test fails.
# Without a server binary those scenarios say "skipped" with the reason.
pg_dir=$(mktemp -d /tmp/crmshift-pg.XXXXXX)
trap '"$root/tests/pg-cluster.sh" stop "$pg_dir"' EXIT
if pg_env=$("$root/tests/pg-cluster.sh" start "$pg_dir" 2>"$pg_dir.err"); then
	eval "$pg_env"
	echo "PostgreSQL test server: 127.0.0.1:$PGPORT ($CRMSHIFT_PG_BIN)"
else
	export CRMSHIFT_PG_SKIP="$(head -n 1 "$pg_dir.err")"
	echo "PostgreSQL test server not started: $CRMSHIFT_PG_SKIP"
fi
rm -f "$pg_dir.err"

# RUN names the parts to run (all by default): units cases scenarios
run_parts=${RUN:-units cases scenarios}
part() { [[ " $run_parts " == *" $1 "* ]]; }

# One unit binary: its cases count as tests. With a first argument
# "sweep", under HARNESS_ALLOC_SWEEP (harness.h): each case again with every
# allocation point failing in turn.
run_unit() { # [sweep] bin
	local mode=plain out rc line p f
	if [ "$1" = sweep ]; then
		mode=sweep
		shift
	fi
	if [ "$mode" = sweep ]; then
		out=$(HARNESS_ALLOC_SWEEP=1 "$1" 2>&1)
	else
		out=$("$1" 2>&1)
	fi
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E ': [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
	f=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
	if [ -z "$line" ]; then
		p=0
		f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # a crash or a sanitizer report after the last case
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" >&2
		failures+=("$([ "$mode" = sweep ] && echo "allocation sweep of ")$1")
	elif [ "$mode" = sweep ]; then
		printf 'allocation sweep: %s (%s)\n' "$line" \
			"$(printf '%s\n' "$out" | grep -oE '[0-9]+ allocation points injected')"
	else
		printf '%s\n' "$line"
	fi
}

# UNIT_ALLOC_SWEEP=1 (make check-asan) sweeps every unit binary too: under
# AddressSanitizer, a failed allocation must neither crash nor leak.
for bin in "$@"; do
	part units || break
	run_unit "$bin"
	if [ "${UNIT_ALLOC_SWEEP:-0}" = 1 ]; then
		run_unit sweep "$bin"
	fi
done

# A case: its project copied (and set up), pointed on PostgreSQL at a new
# empty database, its command run with target-lib.sh's helpers (target_sql
# queries the target on either backend) and pipefail, its exit code, output
# and target compared with what the case expects: stdout and stderr
# exactly (after normalise), or stdout.contains and stderr.contains as lines
# found in order.
# A stream as cases state it: the project's folder as PROJECT, UTC times as
# TIME, durations as N s.
normalise() { # file project
	sed -e "s#$2#PROJECT#g" -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][.0-9]*Z/TIME/g' \
		-e 's/\([0-9]\)*[0-9]\.[0-9][0-9] s\b/N s/g' "$1"
}

# The first expected line (blank ones aside) not found in the actual
# stream in order: each within a line at or after the line of the one
# before (two may be parts of one line; one line never counts twice for the
# same text); nothing when all are.
contains_in_order() { # expected actual
	awk 'NR == FNR { if ($0 != "") want[n++] = $0; next }
	     { while (i < n && index($0, want[i])) i++ }
	     END { if (i < n) print want[i] }' "$1" "$2"
}

run_case() { # dir backend
	local dir=$1 backend=$2 name tmp project rc expected lib="$root/tests/cli/target-lib.sh"
	name=$(basename "$dir")
	[ "$backend" = sqlite ] || name="$name@$backend"
	tmp=$(mktemp -d "/tmp/crmshift-case-$name.XXXXXX")
	project="$tmp/project"
	if [ -f "$dir/project" ]; then
		cp -r "$root/$(cat "$dir/project")" "$project"
	elif [ -d "$dir/project" ]; then
		cp -r "$dir/project" "$project"
	else
		mkdir -p "$project"
	fi
	if [ -f "$dir/setup" ]; then
		(cd "$project" && PROJECT="$project" BASH_ENV="$lib" bash -e "$dir/setup") >"$tmp/setup.log" 2>&1 || {
			echo "FAIL $name: setup failed (see $tmp/setup.log)" >&2
			return 1
		}
	fi
	if [ "$backend" = postgres ]; then
		(. "$lib" && use_target "$project" "$(pg_new_db case)") || {
			echo "FAIL $name: no database for it" >&2
			return 1
		}
	fi
	(cd "$project" && PROJECT="$project" BASH_ENV="$lib" bash -o pipefail "$dir/cmd") >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	expected=$(cat "$dir/exit" 2>/dev/null || echo 0)
	local ok=1 missing
	if [ "$rc" != "$expected" ]; then
		echo "FAIL $name: exit code $rc, expected $expected" >&2
		ok=0
	fi
	for stream in stdout stderr; do
		normalise "$tmp/$stream" "$project" >"$tmp/$stream.normal"
		# CASE_OUTPUT=DIR keeps what each case printed, normalised, to write or review expectations from
		[ -z "${CASE_OUTPUT:-}" ] || cp "$tmp/$stream.normal" "$CASE_OUTPUT/$name.$stream"
		# the whole stream, exactly, once the project's folder and times are normalised
		if [ -f "$dir/$stream" ]; then
			if ! diff -u "$dir/$stream" "$tmp/$stream.normal" >"$tmp/$stream.diff"; then
				echo "FAIL $name: $stream differs:" >&2
				sed 's/^/  /' "$tmp/$stream.diff" | head -n 40 >&2
				ok=0
			fi
		fi
		# these lines, each within a line of the stream, in this order, each matched once
		if [ -f "$dir/$stream.contains" ]; then
			missing=$(contains_in_order "$dir/$stream.contains" "$tmp/$stream")
			if [ -n "$missing" ]; then
				echo "FAIL $name: $stream lacks (in this order): $missing" >&2
				ok=0
			fi
		fi
	done
	if [ -f "$dir/absent" ]; then
		while IFS= read -r unwanted || [ -n "$unwanted" ]; do
			[ -z "$unwanted" ] && continue
			if grep -rqF -- "$unwanted" "$tmp/stdout" "$tmp/stderr"; then
				echo "FAIL $name: output shows: $unwanted" >&2
				ok=0
			fi
		done <"$dir/absent"
	fi
	if [ -f "$dir/sql" ]; then
		(. "$lib" && target_sql "$project" "$(cat "$dir/sql")") >"$tmp/sql.out" 2>&1
		if ! diff -u "$dir/sql.expected" "$tmp/sql.out" >"$tmp/sql.diff"; then
			echo "FAIL $name: target database differs:" >&2
			cat "$tmp/sql.diff" >&2
			ok=0
		fi
	fi
	if [ $ok -eq 1 ]; then
		rm -rf "$tmp"
		return 0
	fi
	echo "  output kept in $tmp; re-run: (cd $project && PROJECT=$project CRMSHIFT=$CRMSHIFT BASH_ENV=$lib bash $dir/cmd)" >&2
	sed 's/^/  stdout: /' "$tmp/stdout" | head -n 40 >&2
	sed 's/^/  stderr: /' "$tmp/stderr" | head -n 20 >&2
	return 1
}

# Every case on SQLite; a case whose file "backends" names postgres runs
# again on PostgreSQL, named NAME@postgres (skipped, with the reason,
# where no server could start).
cases=0
for backend in sqlite postgres; do
	for dir in "$root"/tests/cli/cases/*/; do
		[ -d "$dir" ] && part cases || continue
		dir=${dir%/}
		if [ "$backend" = postgres ]; then
			grep -qw postgres "$dir/backends" 2>/dev/null || continue
			if [ -z "${PGPORT:-}" ]; then
				skipped=$((skipped + 1))
				skips+=("case $(basename "$dir")@postgres: no PostgreSQL test server: $CRMSHIFT_PG_SKIP")
				continue
			fi
		fi
		cases=$((cases + 1))
		if run_case "$dir" "$backend"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			failures+=("$(basename "$dir")$([ "$backend" = sqlite ] || echo "@$backend")")
		fi
	done
done
echo "tests/cli/cases: $cases run"

# A scenario marked "# backends: sqlite postgres" runs once per backend
# (scenario-lib.sh: CRMSHIFT_TEST_TARGET), the second time named NAME@postgres.
runs=()
for script in "$root"/tests/cli/scenarios/*.sh; do
	[ -f "$script" ] && part scenarios || continue
	runs+=("$script sqlite")
	if grep -q '^# backends: sqlite postgres$' "$script"; then
		runs+=("$script postgres")
	fi
done
for run in ${runs[@]+"${runs[@]}"}; do
	script=${run% *}
	backend=${run##* }
	name=$(basename "$script" .sh)
	[ "$backend" = sqlite ] || name="$name@$backend"
	out=$(CRMSHIFT_TEST_TARGET=$backend bash "$script" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "scenario $name: ok"
	elif [ $rc -eq 77 ]; then
		# the scenario cannot run here; it printed why
		skipped=$((skipped + 1))
		skips+=("scenario $name: $(printf '%s\n' "$out" | tail -n 1)")
		echo "scenario $name: skipped: $(printf '%s\n' "$out" | tail -n 1)"
	else
		failed=$((failed + 1))
		failures+=("scenario $name")
		echo "FAIL scenario $name:" >&2
		printf '%s\n' "$out" | sed 's/^/  /' >&2
	fi
done

if [ ${#failures[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}" >&2
fi
if [ "$skipped" -gt 0 ]; then
	printf 'skipped: %s\n' "${skips[@]}"
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
