#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fakereboot.sh: the reboot of a fake host (tests/setup/fakehost.sh's boot, after noting what its
# images hold), the reboot_command tests/ansible/role_reboot.yml gives ansible.builtin.reboot.
# usage: fakereboot.sh TOP TREE KVER
set -u
top=$1
here=$top/tests/setup
work=$(dirname "$2")
kver=$3
export kver work
# shellcheck source=tests/setup/fakehost.sh
. "$here/fakehost.sh"
imgconf "$2"
boot "$2"
