#!/bin/sh
# passthru-pre-udev.sh: dracut pre-udev hook: hand the configured devices to vfio-pci.
# Sourced by dracut: never exit, never fail; rd.passthru=0 skips it.
if getargbool 1 rd.passthru; then
    /usr/lib/passthru/passthru-claim >/dev/null 2>&1 || :
fi
