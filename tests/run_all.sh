#!/usr/bin/env bash
# Runs every cmocka test binary given as an argument, then the shell-level
# tests (tests/*.sh), and ends with one line "N passed, N failed".
# Exit status: 0 when nothing failed.
set -u
passed=0
failed=0
failed_suites=()
for bin in "$@"; do
    out=$("$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        failed_suites+=("$bin")
        [ -z "$f" ] && failed=$((failed + 1))   # crashed before cmocka could count
    fi
done
for script in tests/*_test.sh; do
    [ -e "$script" ] || continue
    out=$(bash "$script" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        failed_suites+=("$script")
        [ -z "$f" ] && failed=$((failed + 1))
    fi
done
if [ ${#failed_suites[@]} -gt 0 ]; then
    echo "failing suites: ${failed_suites[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_suites[@]} -eq 0 ]
