# SPDX-License-Identifier: GPL-2.0-or-later
# -*- coding: utf-8 -*-
# Copyright: passthru authors
# GNU General Public License v2.0 or later (GPL-2.0-or-later, so also usable under v3.0+;
# see https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)
"""fakehost: the local connection under another name, for the tests' fake hosts (tests/ansible)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: fakehost
short_description: The local connection, for a fake host whose reboot is a script
description:
  - ansible.builtin.reboot refuses the local connection (it would reboot the control node).
    The tests' fake hosts are folders on this machine whose reboot is
    tests/ansible/fakereboot.sh, given as the reboot task's reboot_command; this is the local
    connection under another name so that the reboot task runs that command. The test runs
    the play in a mount namespace where systemctl (shutdown, reboot) is /bin/false.
author: passthru authors (!UNKNOWN)
extends_documentation_fragment:
  - connection_pipelining
'''

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    """Everything as local; only the name differs."""
    transport = 'fakehost'
