#!/bin/sh
# passthru-pre-udev.sh: dracut pre-udev hook: hand the configured devices to vfio-pci.
# Sourced by dracut: never exit, never fail; rd.passthru=0 skips it. --timeout: the claim
# runs in a child and the binary returns after 10 s even if the kernel blocks in an unbind
# or a probe (rd.passthru.timeout=SECONDS changes the bound; 0 waits for ever).
if getargbool 1 rd.passthru; then
    /usr/lib/passthru/passthru-claim --timeout 10 >/dev/null 2>&1 || :
fi
