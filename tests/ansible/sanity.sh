#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sanity.sh: ansible-test sanity and ansible-lint on the built collection, what runs offline here.
# usage: tests/ansible/sanity.sh COLLECTION_DIR   (make check-ansible; build/ansible/.../host)
# ansible-test finds a collection's files with git and puts the tests that need Python packages
# in virtual environments it fills with pip from the internet: here (no internet) those cannot
# start. So: the collection is copied into a git repository of its own under build/; every
# ansible-test sanity test that needs no venv runs as ansible-test runs it; validate-modules and
# pep8 run the way ansible-test runs them, with Debian's voluptuous and pycodestyle; ansible-doc
# and import are covered by tests/ansible/run.sh (ansible-doc, real runs of both modules);
# pylint, yamllint and runtime-metadata do not run (no Debian package or a venv only).
set -u
top=$(pwd)
coll=$1
case $coll in /*) ;; *) coll=$top/$coll ;; esac
work=${WORK:-$top/build/tests/ansible-sanity}
case $work in /*) ;; *) work=$top/$work ;; esac
dir=$work/ansible_collections/passthru/host
S=/usr/lib/python3/dist-packages/ansible_test/_util/controller/sanity
py=/usr/bin/python3
pass=0
fail=0
# shellcheck source=tests/setup/lib.sh
. "$top/tests/setup/lib.sh"

rm -rf "$work"
mkdir -p "$dir"
cp -R "$coll/." "$dir/"
cd "$dir" || exit 1
git init -q && git add -A || { bad "git" "cannot make the copy a repository"; exit 1; }
export ANSIBLE_COLLECTIONS_PATH="$work" ANSIBLE_HOME="$work/home" ANSIBLE_NOCOLOR=1

# the ones that need a venv (pip from the internet) are skipped here
venv_only="ansible-doc import pep8 pylint runtime-metadata validate-modules yamllint"
skips=""
for s in $venv_only; do skips="$skips --skip-test $s"; done
# shellcheck disable=SC2086
out=$(ansible-test sanity --python 3.11 $skips 2>&1)
code=$?
ran=$(echo "$out" | sed -n 's/^Running sanity test "\([^"]*\)".*/\1/p' | tr '\n' ' ')
[ $code -eq 0 ] && [ -n "$ran" ] && ok "ansible-test sanity --python 3.11 ran: $ran" ||
    bad "ansible-test sanity" "exit $code: $(echo "$out" | grep -v 'locale\|Reviewing' | tail -n 15)"

# validate-modules: the documentation against the argument spec, as ansible-test runs it
out=$(ANSIBLE_COLLECTIONS_PATH=$work $py "$S/validate-modules/validate.py" --format json --arg-spec \
    --collection ansible_collections/passthru/host --collection-version "$(sed -n 's/^version: "\(.*\)"/\1/p' galaxy.yml)" \
    plugins/modules/*.py 2>&1)
[ "$out" = "{}" ] && ok "validate-modules (ansible-test's, with Debian's voluptuous): no error" ||
    bad "validate-modules" "$out"

# pep8: ansible-test's pycodestyle settings
out=$($py -m pycodestyle --max-line-length 160 --ignore "$(paste -sd, "$S/pep8/current-ignore.txt")" plugins 2>&1)
[ $? -eq 0 ] && ok "pep8 (pycodestyle, ansible-test's settings)" || bad "pep8" "$out"

# ansible-lint on the role (its production profile)
out=$(ansible-lint --offline --nocolor roles/vfio 2>&1)
code=$?
[ $code -eq 0 ] && echo "$out" | grep -q 'Passed with production profile' && ok "ansible-lint roles/vfio: passed, production profile" ||
    bad "ansible-lint" "exit $code: $(echo "$out" | tail -n 15)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
