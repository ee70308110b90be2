#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright: passthru authors
# GNU General Public License v2.0 or later (GPL-2.0-or-later, so also usable under v3.0+;
# see https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)
"""passthru_info: passthru-setup status --json as the fact ansible_facts.passthru."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: passthru_info
short_description: Whether a passthru host is ready, as facts (passthru-setup status)
version_added: "0.1.0"
description:
  - Runs C(passthru-setup status --json) on the managed host and returns its document as the
    fact C(ansible_facts.passthru) (also the return value C(status)) - the IOMMU verdict, each
    configured device with its live driver, C(ready), C(message), C(drift) (each with the
    command that fixes it), C(reboot_required), C(trial) and the boot's own status document.
  - Read-only; runs the same in check mode. A host that is not ready (status exits 1) is not
    a task failure - C(ready) and C(message) say why; a usage error or no JSON document is.
extends_documentation_fragment:
  - passthru.host.passthru_setup
attributes:
  check_mode:
    support: full
    description: Reads only; the same run in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so has nothing to show.
  facts:
    support: full
    description: The fact C(passthru).
options: {}
notes:
  - C(passthru-setup status) takes no C(--root); an installation that is not running has no
    status.
seealso:
  - module: passthru.host.passthru
'''

EXAMPLES = r'''
- name: Read passthru's status
  passthru.host.passthru_info:

- name: Fail with passthru's own words unless the host is ready
  ansible.builtin.assert:
    that: ansible_facts.passthru.ready
    fail_msg: "{{ ansible_facts.passthru.message }}"
'''

RETURN = r'''
ready:
  description: Every configured device is claimed, the IOMMU is active and nothing drifted.
  returned: always
  type: bool
msg:
  description: status's sentence (its C(message)), with the next step when not ready.
  returned: always
  type: str
  sample: "ready: 2 devices on vfio-pci"
status:
  description: The whole C(passthru-setup status --json) document (the same as the fact).
  returned: always
  type: dict
ansible_facts:
  description: Facts.
  returned: always
  type: complex
  contains:
    passthru:
      description: The C(passthru-setup status --json) document (C(version), C(iommu),
        C(devices), C(errors), C(ready), C(reboot_required), C(message), C(drift),
        C(trial), C(boot)).
      type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.passthru.host.plugins.module_utils import passthru_setup


def main():
    module = AnsibleModule(
        argument_spec=dict(sysroot=dict(type='path')),
        supports_check_mode=True,
    )
    argv = [passthru_setup.find(module), 'status', '--json']
    if module.params['sysroot']:
        argv += ['--sysroot', module.params['sysroot']]
    rc, doc, stderr = passthru_setup.run(module, argv)
    result = dict(changed=False, ready=bool(doc.get('ready')), msg=doc.get('message') or '',
                  status=doc, ansible_facts=dict(passthru=doc))
    if rc not in (0, 1):  # 1: not ready, which ready and msg say; 2: a usage error
        result['msg'] = passthru_setup.words(doc, stderr)
        module.fail_json(rc=rc, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
