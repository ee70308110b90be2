# SPDX-License-Identifier: GPL-2.0-or-later
# mk/ansible.mk: the Ansible collection passthru.host (ansible/), built by ansible-galaxy, and its tests.
ANSIBLE_VERSION := $(shell sed -n 's/^\#define PASSTHRU_VERSION "\(.*\)"$$/\1/p' src/lib/version.h)
ANSIBLE_COLL := $(B)/ansible/ansible_collections/passthru/host
ANSIBLE_PKG := $(B)/pkg/passthru-host-$(ANSIBLE_VERSION).tar.gz

.PHONY: ansible check-ansible check-ansible-e2e
# the collection's tree with the project's version in galaxy.yml, then the tarball (--force:
# a second make ansible replaces it)
ansible:
	@[ -n "$(ANSIBLE_VERSION)" ] || { echo "make ansible: no version in src/lib/version.h"; exit 1; }
	rm -rf $(ANSIBLE_COLL) && mkdir -p $(ANSIBLE_COLL) $(B)/pkg
	cd ansible && find . -name __pycache__ -prune -o -name '*.in' -o -type f -print | \
		cpio -pdm --quiet ../$(ANSIBLE_COLL)
	sed 's/@VERSION@/$(ANSIBLE_VERSION)/' ansible/galaxy.yml.in >$(ANSIBLE_COLL)/galaxy.yml
	ansible-galaxy collection build --force --output-path $(B)/pkg $(ANSIBLE_COLL)

# ansible-playbook against fake hosts on this machine (connection local, fixture trees), then
# ansible-test sanity (the tests this machine can run offline) and ansible-lint on the built tree
check-ansible: ansible $(B)/passthru-setup $(B)/passthru-claim
	tests/ansible/run.sh $(B)/passthru-setup $(B)/passthru-claim $(ANSIBLE_PKG)
	tests/ansible/sanity.sh $(ANSIBLE_COLL)

# the role over SSH against a Debian 12 guest booted by GRUB under QEMU (tests/ansible/e2e.sh):
# install and ansible.builtin.reboot, the same play again, state absent, a trial; make check-slow
check-ansible-e2e: ansible all
	tests/ansible/e2e.sh $(ANSIBLE_PKG)
