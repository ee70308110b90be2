#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh: make rpm: rpmbuild -bb of packaging/rpm/passthru.spec on the release tarball, in
# build/pkg/rpm (its _topdir); the rpm is copied to build/pkg/.
# usage: packaging/rpm/build.sh TARBALL VERSION   (from the top of the tree)
# --nodeps: on Debian rpm's database is empty, so no BuildRequires could be found there; the
# tools they name are installed as Debian packages (scripts/install-deps.sh).
set -eu
me=rpm
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 TARBALL VERSION"
tarball=$1
version=$2
spec=packaging/rpm/passthru.spec
command -v rpmbuild >/dev/null 2>&1 || die "rpmbuild not found (Debian package rpm)"
specver=$(sed -n 's/^Version:[[:space:]]*//p' "$spec")
[ "$specver" = "$version" ] || die "$spec says Version: $specver, src/lib/version.h says" \
	"$version: set the spec's Version (and a %changelog entry) to $version"
top=$(pwd)/build/pkg/rpm
rm -rf "$top"
mkdir -p "$top/SOURCES"
cp "$tarball" "$top/SOURCES/"
log=$top/rpmbuild.log
# _smp_mflags: the machine's rule, two jobs at the most
if ! rpmbuild -bb --nodeps --define "_topdir $top" --define "_smp_mflags -j2" "$spec" \
	>"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "rpmbuild failed (whole log: $log)"
fi
arch=$(rpm --eval '%{_arch}')
rel=$(sed -n 's/^Release:[[:space:]]*//p' "$spec" | sed 's/%{?dist}//')
rpm=$top/RPMS/$arch/passthru-$version-$rel.$arch.rpm
[ -f "$rpm" ] || die "rpmbuild made no $rpm (log: $log)"
cp "$rpm" build/pkg/
echo "$me: build/pkg/${rpm##*/} ($(wc -c <"$rpm") bytes; %check passed: $(grep -c '^PASS' "$log")" \
	"PASS lines); install it with: dnf install ./${rpm##*/}"
