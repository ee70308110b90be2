# SPDX-License-Identifier: GPL-2.0-or-later
# -*- coding: utf-8 -*-
# Copyright: passthru authors
# GNU General Public License v2.0 or later (GPL-2.0-or-later, so also usable under v3.0+;
# see https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)
"""passthru_setup: what the modules share: find passthru-setup, run it with --json, read its words."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json


def find(module):
    """The path of passthru-setup on the managed host, or the task fails saying what to install."""
    path = module.get_bin_path('passthru-setup', opt_dirs=['/usr/sbin', '/sbin'])
    if not path:
        module.fail_json(msg='passthru-setup is not installed on this host (not in PATH, '
                             '/usr/sbin or /sbin): install the passthru package first')
    return path


def run(module, argv):
    """Run argv (a list: never through a shell); (rc, document, stderr). The task fails when
    stdout is not one JSON object: passthru-setup prints one on every --json run."""
    rc, out, err = module.run_command(argv, check_rc=False)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        module.fail_json(msg='%s printed no JSON document (exit %d): %s'
                             % (' '.join(argv), rc, (err or out).strip()),
                         rc=rc, cmd=argv, stdout=out, stderr=err)
    return rc, doc, err


def words(doc, stderr):
    """The tool's own words for a refusal: its errors, then its message (stderr when both
    are empty)."""
    parts = [e for e in (doc.get('errors') or []) if isinstance(e, str) and e]
    message = doc.get('message')
    if isinstance(message, str) and message and message not in parts:
        parts.append(message)
    if not parts and stderr.strip():
        parts.append(stderr.strip())
    return '; '.join(parts) or 'passthru-setup failed without saying why'
