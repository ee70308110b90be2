#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# spdx.sh: every source file of the project names its license in an SPDX line near its top.
# Source files: C, shell (by name or shebang), make, Python, systemd units, man pages; not data
# (fixtures, corpora), Markdown, the bundled upstream tarballs or the example config.
# usage: tests/suite/spdx.sh   (from the top of the tree; a git checkout or a release tarball)
set -u
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files)
else
    files=$(find . -path ./build -prune -o -type f -print | sed 's#^\./##')
fi
missing=0 n=0
for f in $files; do
    case $f in
    tests/fixtures/* | tests/vendor/* | tests/setup/corpus/* | sources/* | conf/passthru.conf | *.md) continue ;;
    *.c | *.h | *.sh | *.mk | Makefile | *.py | *.service | *.[0-9] | .ci/run) ;;
    *) head -c 2 "$f" 2>/dev/null | grep -q '^#!' || continue ;;
    esac
    n=$((n + 1))
    if ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: '; then
        echo "FAIL $f: no SPDX-License-Identifier line in its first three lines"
        missing=$((missing + 1))
    fi
done
[ "$missing" -eq 0 ] || { echo "spdx: $missing of $n source files lack the line"; exit 1; }
echo "PASS every one of $n source files has an SPDX line"
