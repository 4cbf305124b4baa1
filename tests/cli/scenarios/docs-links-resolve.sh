# Every link of the README and docs/ resolves inside the repository: a
# relative link to a file that exists, a docs/ path named in backquotes
# too; no link leaves the repository for a sibling folder.
. "$(dirname "$0")/../scenario-lib.sh"
cd "$ROOT"
python3 - <<'PY' || fail "links that do not resolve (above)"
import glob, os, re, sys
bad = 0
for md in ["README.md"] + sorted(glob.glob("docs/**/*.md", recursive=True)):
    text = open(md, encoding="utf-8").read()
    for m in re.finditer(r"\]\(([^)#\s]+)(#[^)]*)?\)", text):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(md), target))
        if path.startswith("..") or not os.path.exists(path):
            print(f"{md}: {target}", file=sys.stderr)
            bad += 1
    for m in re.finditer(r"`(docs/[A-Za-z0-9_/.-]+\.md)`", text):
        if not os.path.exists(m.group(1)):
            print(f"{md}: {m.group(1)}", file=sys.stderr)
            bad += 1
sys.exit(1 if bad else 0)
PY
lines=$(wc -l <README.md)
[ "$lines" -le 200 ] || fail "README.md has $lines lines: the reference belongs in docs/"
