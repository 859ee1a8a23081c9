#!/usr/bin/env bash
# Runs ava with TAP output and ends with the plain "N passed, N failed" line CI reads.
set -u
tap=$(mktemp)
npx ava --tap "$@" | tee "$tap"
rc=${PIPESTATUS[0]}
pass=$(awk '/^# pass /{print $3}' "$tap"); fail=$(awk '/^# fail /{print $3}' "$tap"); skip=$(awk '/^# skip /{print $3}' "$tap")
rm -f "$tap"
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit "$rc"
