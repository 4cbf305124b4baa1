# crmshift runs itself once more, before anything else, with glibc's
# malloc asking for transparent huge pages (GLIBC_TUNABLES=
# glibc.malloc.hugetlb=1; cli/main.c: use_huge_pages), and then does its
# work as ever; a GLIBC_TUNABLES the user set is left as it is and nothing
# runs again. strace shows each execve and the environment it passed;
# timeout ends a command that would run itself again and again.
. "$(dirname "$0")/../scenario-lib.sh"
command -v strace >/dev/null || {
	echo "strace is not installed"
	exit 77
}
strace -f -qq -e trace=execve -o /dev/null true 2>/dev/null || {
	echo "strace cannot trace here"
	exit 77
}
# LeakSanitizer cannot run under ptrace: in an ASan build this scenario checks no leaks (every other does)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
P=$(copy_sample p)
"$CRMSHIFT" -C "$P" migrate >/dev/null || fail "migrate"
expected=$(GLIBC_TUNABLES=glibc.malloc.hugetlb=0 "$CRMSHIFT" -C "$P" status)

# execve calls of the traced command: the program, then its environment's GLIBC_TUNABLES
execs() { # trace file
	sed -n 's/^[0-9]* *execve("\([^"]*\)", .*"GLIBC_TUNABLES=\([^"]*\)".*) = 0$/\1 \2/p; t; s/^[0-9]* *execve("\([^"]*\)", .*) = 0$/\1 -/p' "$1"
}

# the user set nothing: one execve of crmshift, one of itself with the tunable
out=$(env -u GLIBC_TUNABLES timeout 60 strace -f -qq -v -s 4096 -e trace=execve -o "$SCRATCH/trace" "$CRMSHIFT" -C "$P" status) ||
	fail "status under strace"
expect_eq "the status, run again with huge pages" "$out" "$expected"
# again by its own file's path, so the process keeps its name (the path's last part)
expect_eq "the execve calls" "$(execs "$SCRATCH/trace")" "$CRMSHIFT -
$(readlink -f "$CRMSHIFT") glibc.malloc.hugetlb=1"

# the user's own tunables: left as they are, nothing run again
for tunables in glibc.malloc.hugetlb=0 glibc.malloc.arena_max=2; do
	out=$(GLIBC_TUNABLES=$tunables timeout 60 strace -f -qq -v -s 4096 -e trace=execve -o "$SCRATCH/trace" \
		"$CRMSHIFT" -C "$P" status) || fail "status under strace with $tunables"
	expect_eq "the status with GLIBC_TUNABLES=$tunables" "$out" "$expected"
	expect_eq "the execve calls with GLIBC_TUNABLES=$tunables" "$(execs "$SCRATCH/trace")" "$CRMSHIFT $tunables"
done
echo ok
