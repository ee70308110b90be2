#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh: make rpm: rpmbuild -bb of packaging/rpm/passthru.spec on the release tarball, in
# build/pkg/rpm (its _topdir); the rpm is copied to build/pkg/.
# usage: packaging/rpm/build.sh TARBALL VERSION   (from the top of the tree)
# --nodeps: on Debian rpm's database is empty, so no BuildRequires could be found there; the
# tools they name are installed as Debian packages (scripts/install-deps.sh).
set -eu
me=rpm
. packaging/lib.sh
pkg_args 2 "TARBALL VERSION" "$@"
tarball=$1 version=$2
spec=packaging/rpm/passthru.spec
command -v rpmbuild >/dev/null 2>&1 || die "rpmbuild not found (Debian package rpm)"
same_version "$spec" "$(sed -n 's/^Version:[[:space:]]*//p' "$spec")" "$version" \
	"set the spec's Version (and a %changelog entry) to $version"
top=$(pwd)/build/pkg/rpm
rm -rf "$top"
mkdir -p "$top/SOURCES"
cp "$tarball" "$top/SOURCES/"
# _smp_mflags: the machine's rule, two jobs at the most
run_logged "$top/rpmbuild.log" rpmbuild \
	rpmbuild -bb --nodeps --define "_topdir $top" --define "_smp_mflags -j2" "$spec"
arch=$(rpm --eval '%{_arch}')
rel=$(sed -n 's/^Release:[[:space:]]*//p' "$spec" | sed 's/%{?dist}//')
deliver "$top/RPMS/$arch/passthru-$version-$rel.$arch.rpm" "$top/rpmbuild.log" %check "dnf install ./"
