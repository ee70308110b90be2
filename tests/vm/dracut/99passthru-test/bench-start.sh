#!/bin/sh
# bench-start.sh: test-only pre-udev hook (before passthru): note the time, for make bench-vm.
getargbool 0 passthru.bench || return 0
date +%s%N >/run/passthru-bench.t0
