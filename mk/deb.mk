# SPDX-License-Identifier: GPL-2.0-or-later
# mk/deb.mk: make deb: build/pkg/passthru_VERSION-REV_ARCH.deb from packaging/debian/ by
# dpkg-buildpackage (scripts/build-deb.sh) on the release tarball (make dist), with no network;
# lintian-clean.
.PHONY: deb
deb: dist
	sh scripts/build-deb.sh $(DIST_TARBALL)

# the deb's lifecycle (tests/lifecycle/run.sh, the deb set): apt-get install, purge and install
# in a chroot of a Debian 12 root (tests/deb/chroot.sh), then three boots by real GRUB: install
# --device, claimed, apt-get purge; the next boot as before install, byte for byte
DEB_FILE = $(B)/pkg/passthru_$(shell dpkg-parsechangelog -l packaging/debian/changelog -S Version)_$(shell dpkg-architecture -qDEB_HOST_ARCH).deb
.PHONY: check-deb
check-deb: all deb
	PASSTHRU_LIFECYCLE_SET=deb PASSTHRU_LIFECYCLE_DEB=$(DEB_FILE) tests/lifecycle/run.sh
