# SPDX-License-Identifier: GPL-2.0-or-later
# mk/pkg.mk: make dist, rpm, arch: the release tarball and the packages built from it, in build/pkg/.
#
#   make dist        build/pkg/passthru-VERSION.tar.gz (packaging/dist.sh): builds offline
#   make rpm         build/pkg/passthru-VERSION-REV.ARCH.rpm (rpmbuild, packaging/rpm/)
#   make arch        build/pkg/passthru-VERSION-REV-ARCH.pkg.tar.zst (makepkg, packaging/arch/)
#   make check-pkg   all three, then their contents and the offline build (tests/pkg/)
# VERSION is src/lib/version.h's (what --version prints); the spec and the PKGBUILD must say
# the same (the build scripts check), REV is their release number.
PKG_VERSION := $(shell sed -n 's/^\#define PASSTHRU_VERSION "\(.*\)"$$/\1/p' src/lib/version.h)
PKG_DIR := $(B)/pkg
DIST_TARBALL := $(PKG_DIR)/passthru-$(PKG_VERSION).tar.gz

.PHONY: dist rpm arch check-pkg
dist: $(DEPS_STAMP)
	sh packaging/dist.sh $(PKG_VERSION) $(DIST_TARBALL)
