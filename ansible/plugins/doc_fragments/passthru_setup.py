# SPDX-License-Identifier: GPL-2.0-or-later
# -*- coding: utf-8 -*-
# Copyright: passthru authors
# GNU General Public License v2.0 or later (GPL-2.0-or-later, so also usable under v3.0+;
# see https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)
"""passthru_setup: the documentation both modules share (they run passthru-setup on the host)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
author:
  - passthru authors (!UNKNOWN)
requirements:
  - passthru-setup (the passthru package) on the managed host
attributes:
  platform:
    support: full
    description: Linux hosts with passthru-setup.
    platforms: posix
options:
  sysroot:
    description:
      - C(--sysroot), where C(/sys), C(/proc) and C(/run) are read (the host view; status
        also reads C(/etc) there).
    type: path
'''
