#!/usr/bin/env bash
# Runs the test suites with TAP output and ends with the plain "N passed, N failed" line CI reads:
# first every test but the real-time ones, then test/live/ alone (timing wants a quiet machine).
set -u
pass=0; fail=0; skip=0; rc=0
phase() {
  local tap; tap=$(mktemp)
  npx ava --tap "$@" | tee "$tap"
  local r=${PIPESTATUS[0]}
  [ "$r" -ne 0 ] && rc=$r
  pass=$((pass + $(awk '/^# pass /{print $3}' "$tap" | tail -1 | grep -E '^[0-9]+$' || echo 0)))
  fail=$((fail + $(awk '/^# fail /{print $3}' "$tap" | tail -1 | grep -E '^[0-9]+$' || echo 0)))
  skip=$((skip + $(awk '/^# skip /{print $3}' "$tap" | tail -1 | grep -E '^[0-9]+$' || echo 0)))
  rm -f "$tap"
}
if [ $# -gt 0 ]; then
  phase "$@"
else
  phase
  phase --config ava.live.config.js
fi
echo "${pass} passed, ${fail} failed, ${skip} skipped"
exit "$rc"
