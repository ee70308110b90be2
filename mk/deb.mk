# SPDX-License-Identifier: GPL-2.0-or-later
# mk/deb.mk: make deb: build/pkg/passthru_VERSION-REV_ARCH.deb from packaging/debian/ by
# dpkg-buildpackage (scripts/build-deb.sh), lintian-clean.
.PHONY: deb
deb:
	sh scripts/build-deb.sh
