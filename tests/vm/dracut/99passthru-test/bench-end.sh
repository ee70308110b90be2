#!/bin/sh
# bench-end.sh: test-only pre-udev hook (after passthru): log how long the claim hook took.
getargbool 0 passthru.bench || return 0
t1=$(date +%s%N)
echo "passthru-bench: hook_us=$(( (t1 - $(cat /run/passthru-bench.t0)) / 1000 ))" >/dev/kmsg
