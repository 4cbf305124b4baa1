# Every command 'crmshift --help' lists has its page, docs/commands/<command>.md,
# and the options the page's table lists are the ones 'crmshift <command>
# --help' names: an option added to one and not the other fails here.
. "$(dirname "$0")/../scenario-lib.sh"
commands=$("$CRMSHIFT" --help 2>&1 | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "crmshift --help lists no commands"
for c in $commands; do
	page="$ROOT/docs/commands/$c.md"
	[ -f "$page" ] || fail "no page for '$c': $page"
	# the options of the usage lines and of the option list (not those its prose mentions)
	help_opts=$("$CRMSHIFT" "$c" --help 2>&1 | { grep -E '^(usage:| +crmshift | +\[|  --)' || true; } |
		{ grep -o -- '--[a-z][a-z-]*' || true; } | { grep -vx -- '--help' || true; } | sort -u | tr '\n' ' ')
	page_opts=$(sed -n '/^## Options/,/^## /p' "$page" | { grep '^| `' || true; } | cut -d'|' -f2 |
		{ grep -o -- '--[a-z][a-z-]*' || true; } | sort -u | tr '\n' ' ')
	expect_eq "options of $c (--help against $page)" "$page_opts" "$help_opts"
	grep -q '^## Synopsis' "$page" && grep -q '^## Exit codes' "$page" && grep -q '^## Example' "$page" ||
		fail "$page lacks a section (Synopsis, Exit codes, Example)"
done
