#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright: passthru authors
# GNU General Public License v2.0 or later (GPL-2.0-or-later, so also usable under v3.0+;
# see https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)
"""passthru: the module that runs passthru-setup install, uninstall or confirm with --json."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: passthru
short_description: Claim GPUs for VFIO passthrough at boot with passthru-setup
version_added: "0.1.0"
description:
  - Runs C(passthru-setup install), C(uninstall) or C(confirm) with C(--json) on the managed
    host (an argument list, never a shell) and reports what it changed, from the tool's own
    JSON document.
  - C(install) adds the devices to C(/etc/passthru.conf), sets the kernel arguments of every
    boot configuration the host uses (IOMMU on, C(iommu=pt)), enables passthru in the host's
    initramfs generator and rebuilds the images, so that the next boot binds the devices and
    their companions to vfio-pci before any host driver.
  - Nothing takes effect before a reboot; I(reboot_required) says when one is needed. The
    role C(passthru.host.vfio) reboots when allowed.
  - Idempotent, from passthru-setup's own C(changed); a second run of the same task reports
    C(changed=false).
  - A refusal (an unsafe IOMMU group, the root disk's controller, a boot configuration that
    would lose the arguments, no supported initramfs generator) fails the task with the tool's
    own words and changes nothing.
extends_documentation_fragment:
  - passthru.host.passthru_setup
attributes:
  check_mode:
    support: full
    description: Runs passthru-setup with C(--dry-run), which changes nothing and reports what
      it would change.
  diff_mode:
    support: full
    description: Each file's before and after text (passthru-setup C(--diff)).
options:
  state:
    description:
      - C(present) runs C(passthru-setup install).
      - C(absent) runs C(passthru-setup uninstall), which removes exactly what install added.
      - C(confirmed) runs C(passthru-setup confirm) on the boot of a trial (I(trial=true)) and
        makes it permanent; without a pending trial it changes nothing.
    type: str
    choices: [present, absent, confirmed]
    default: present
  devices:
    description:
      - Device selectors to claim, as after C(device =) in C(/etc/passthru.conf)
        (C(0000:01:00.0), C(01:00.0), C(10de:2204), C(10de:2204@0000:01:00.0),
        C(pci_0000_01_00_0)). Each is given as C(--device); one already in the config (after
        parsing) is not added again.
      - Selectors already in the config stay; this list adds, it does not replace.
      - An empty list installs the IOMMU arguments and the initramfs integration only (the
        seeds' order - IOMMU first, reboot, look at the groups with C(passthru-setup list),
        then choose).
    type: list
    elements: str
    default: []
  trial:
    description:
      - Install for the next boot only (C(--trial)); later boots are as before until the
        trial is confirmed (I(state=confirmed), or C(passthru-confirm.service) on the trial
        boot). A trial boot that hangs is undone by powering off.
    type: bool
    default: false
  auto_confirm:
    description:
      - With I(trial), C(--auto-confirm) - the trial boot confirms itself as soon as its
        status is ready, without waiting for a login (headless hosts).
    type: bool
    default: false
  bootloader:
    description:
      - C(--bootloader); not given, the choice of the last install is kept (C(auto) the first
        time).
    type: str
    choices: [auto, grub, grubby, kernel-install, uki, none]
  initramfs:
    description:
      - C(--initramfs) with a generator; C(none) is C(--no-initramfs) (passthru-setup prints
        the commands still to run). Not given, the last install's choice is kept.
    type: str
    choices: [auto, dracut, initramfs-tools, mkinitcpio, none]
  cpu:
    description:
      - C(--cpu), the CPU whose IOMMU arguments the kernel gets; not given, the last
        install's choice (C(auto) - this machine's - the first time).
    type: str
    choices: [auto, intel, amd, other]
  iommu_pt:
    description:
      - C(false) is C(--no-iommu-pt) (no C(iommu=pt)). passthru-setup keeps that choice for
        every later install until uninstall, so C(true) after C(false) does not add
        C(iommu=pt) back.
    type: bool
    default: true
  allow_unsafe_interrupts:
    description:
      - C(--allow-unsafe-interrupts), for hosts without interrupt remapping.
    type: bool
    default: false
  root:
    description:
      - C(--root), an installation mounted at this path (an image for another machine);
        no boot loader or initramfs command runs against the live host.
    type: path
notes:
  - The options are passthru-setup's; its manual (C(man passthru-setup)) says more.
  - The module never reboots. M(ansible.builtin.reboot) after a task with
    C(reboot_required) applies it.
seealso:
  - module: passthru.host.passthru_info
'''

EXAMPLES = r'''
- name: Claim the GPU at 01:00.0 for VFIO (reboot afterwards)
  passthru.host.passthru:
    devices:
      - "0000:01:00.0"
  register: passthru

- name: Reboot when the next boot differs
  ansible.builtin.reboot:
  when: passthru.reboot_required

- name: Try it for one boot only, confirmed by the trial boot once ready (headless)
  passthru.host.passthru:
    devices: ["10de:2204@0000:01:00.0"]
    trial: true
    auto_confirm: true

- name: Make the trial permanent (on the trial boot)
  passthru.host.passthru:
    state: confirmed

- name: Remove everything passthru installed
  passthru.host.passthru:
    state: absent
'''

RETURN = r'''
changed:
  description: Whether passthru-setup changed (in check mode, would change) anything.
  returned: always
  type: bool
reboot_required:
  description: Whether the next boot differs from this one (a reboot applies the change).
  returned: always
  type: bool
  sample: true
kernel_cmdlines:
  description: The kernel command line each boot configuration gives the next boot.
  returned: when passthru-setup reports them
  type: list
  elements: dict
  contains:
    label:
      description: The boot configuration.
      type: str
    line:
      description: The command line.
      type: str
  sample: [{"label": "GRUB", "line": "intel_iommu=on iommu=pt quiet"}]
msg:
  description: passthru-setup's closing sentence (its C(message)).
  returned: always
  type: str
  sample: "installed: reboot to apply"
files:
  description: Each file passthru-setup created, updated, removed or kept
    (with C(before) and C(after) in diff mode).
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/etc/default/grub.d/passthru.cfg", "action": "created"}]
commands:
  description: Each command passthru-setup ran (or, in check mode or with I(root), would
    run), as C(argv) and C(ran).
  returned: always
  type: list
  elements: dict
  sample: [{"argv": ["update-grub"], "ran": true}]
errors:
  description: passthru-setup's errors (empty on success).
  returned: always
  type: list
  elements: str
stderr:
  description: passthru-setup's words (what it prints for a person).
  returned: always
  type: str
rc:
  description: passthru-setup's exit status (0 done, 1 refused or failed, 2 usage or config
    error).
  returned: always
  type: int
cmd:
  description: The argument list that ran.
  returned: always
  type: list
  elements: str
diff:
  description: In diff mode, each changed file's before and after.
  returned: when diff mode is on
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.passthru.host.plugins.module_utils import passthru_setup

# options that only install takes
INSTALL_ONLY = ('devices', 'trial', 'auto_confirm', 'bootloader', 'initramfs', 'cpu',
                'iommu_pt', 'allow_unsafe_interrupts')
INSTALL_DEFAULTS = {'devices': [], 'trial': False, 'auto_confirm': False, 'iommu_pt': True,
                    'allow_unsafe_interrupts': False}


def install_argv(p):
    """install's options from the task's."""
    argv = []
    for sel in p['devices']:
        argv += ['--device', sel]
    if p['trial']:
        argv.append('--trial')
    if p['auto_confirm']:
        argv.append('--auto-confirm')
    if p['bootloader']:
        argv += ['--bootloader', p['bootloader']]
    if p['initramfs'] == 'none':
        argv.append('--no-initramfs')
    elif p['initramfs']:
        argv += ['--initramfs', p['initramfs']]
    if p['cpu']:
        argv += ['--cpu', p['cpu']]
    if not p['iommu_pt']:
        argv.append('--no-iommu-pt')
    if p['allow_unsafe_interrupts']:
        argv.append('--allow-unsafe-interrupts')
    return argv


def checked_params(module):
    """The task's options, failing on a combination passthru-setup has no meaning for."""
    p = module.params
    if p['state'] != 'present':
        given = [o for o in INSTALL_ONLY if p[o] != INSTALL_DEFAULTS.get(o)]
        if given:
            module.fail_json(msg='%s apply to state=present (install) only; state=%s takes '
                                 'root and sysroot' % (', '.join(given), p['state']))
    if p['auto_confirm'] and not p['trial']:
        module.fail_json(msg='auto_confirm applies to a trial: set trial: true as well')
    return p


def pending_trial(module, binary, p):
    """For state=confirmed: status's document; None when no trial is pending."""
    argv = [binary, 'status', '--json']
    if p['sysroot']:
        argv += ['--sysroot', p['sysroot']]
    dummy, doc, dummy = passthru_setup.run(module, argv)
    return doc if doc.get('trial') else None


def file_diffs(files):
    """Ansible's diff list: each file that changed, before and after."""
    out = []
    for f in files:
        if not isinstance(f, dict) or f.get('action') == 'kept':
            continue
        if 'before' not in f and 'after' not in f:
            continue
        out.append({'before_header': f.get('path'), 'after_header': f.get('path'),
                    'before': f.get('before') or '', 'after': f.get('after') or ''})
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent', 'confirmed']),
            devices=dict(type='list', elements='str', default=[]),
            trial=dict(type='bool', default=False),
            auto_confirm=dict(type='bool', default=False),
            bootloader=dict(type='str', choices=['auto', 'grub', 'grubby', 'kernel-install',
                                                 'uki', 'none']),
            initramfs=dict(type='str', choices=['auto', 'dracut', 'initramfs-tools',
                                                'mkinitcpio', 'none']),
            cpu=dict(type='str', choices=['auto', 'intel', 'amd', 'other']),
            iommu_pt=dict(type='bool', default=True),
            allow_unsafe_interrupts=dict(type='bool', default=False),
            root=dict(type='path'),
            sysroot=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    p = checked_params(module)
    binary = passthru_setup.find(module)

    if p['state'] == 'confirmed':
        status = pending_trial(module, binary, p)
        if status is None:
            module.exit_json(changed=False, reboot_required=False, kernel_cmdlines=[], files=[],
                             commands=[], errors=[], stderr='', rc=0, cmd=[],
                             msg='no trial is pending: nothing to confirm (on a trial boot, '
                                 'passthru-confirm.service confirms once status is ready '
                                 'and someone has logged in: an SSH login, such as '
                                 'Ansible\'s own connection, is one)')

    command = {'present': 'install', 'absent': 'uninstall', 'confirmed': 'confirm'}[p['state']]
    argv = [binary, command, '--json']
    if module.check_mode:
        argv.append('--dry-run')
    if module._diff:
        argv.append('--diff')
    if p['state'] == 'present':
        argv += install_argv(p)
    for opt in ('root', 'sysroot'):
        if p[opt]:
            argv += ['--' + opt, p[opt]]

    rc, doc, stderr = passthru_setup.run(module, argv)
    for warning in doc.get('warnings') or []:
        module.warn(warning)
    result = dict(
        changed=bool(doc.get('changed')),
        reboot_required=bool(doc.get('reboot_required')),
        kernel_cmdlines=doc.get('kernel_cmdlines') or [],
        files=doc.get('files') or [],
        commands=doc.get('commands') or [],
        errors=doc.get('errors') or [],
        msg=doc.get('message') or '',
        stderr=stderr,
        rc=rc,
        cmd=argv,
    )
    if module._diff:
        result['diff'] = file_diffs(result['files'])
    if rc != 0:
        result['msg'] = passthru_setup.words(doc, stderr)
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
