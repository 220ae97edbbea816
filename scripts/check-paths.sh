#!/usr/bin/env bash
# Fails when two paths in the repository differ only by letter case: they collide on
# case-insensitive file systems (macOS and Windows by default). Looks at tracked files, untracked
# files that are not ignored, and every directory above them (Tests/ against tests/ is a clash even
# when no two files clash).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
paths=$(
    git ls-files -z --cached --others --exclude-standard | tr '\0' '\n' |
        awk '{ p = $0; print p; while (sub(/\/[^\/]*$/, "", p)) print p }' | sort -u
)
clashes=$(printf '%s\n' "$paths" | sort -f | uniq -di)
if [ -n "$clashes" ]; then
    echo "check-paths: these paths differ only by letter case:"
    # Every spelling of each clash, one group per line.
    printf '%s\n' "$paths" | awk -v clashes="$clashes" '
        BEGIN { n = split(clashes, c, "\n"); for (i = 1; i <= n; i++) want[tolower(c[i])] = 1 }
        tolower($0) in want { k = tolower($0); group[k] = group[k] "  " $0 }
        END { for (k in group) print group[k] }' | sort
    exit 1
fi
echo "check-paths: no two paths differ only by letter case"
