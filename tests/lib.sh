# shellcheck shell=bash
# lib.sh — what the shell-level tests share (sourced, not run): a temporary
# directory, ok / not_ok lines that tests/run_all.sh counts, drsim run into
# $TMP/out and $TMP/err with its status in $rc, out and err (that output),
# and check (a condition).  Set DRSIM before sourcing (default ./drsim);
# TEST_TMP_NAME names the temporary directory (default drsim-test), as in
# `TEST_TMP_NAME=drsim-cli source "$(dirname "$0")/lib.sh"`.  The caller
# prints the totals with `tests_summary` at the end.  A script that needs
# more (a time limit on drsim, its own EXIT trap) redefines drsim or sets
# its trap after sourcing; such a trap must still remove $TMP.

DRSIM=${DRSIM:-./drsim}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/${TEST_TMP_NAME:-drsim-test}.XXXXXX") || { echo "cannot make a temp dir"; exit 2; }
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
rc=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }

# not_ok DESCRIPTION [DETAIL...]: details are printed as "#" lines.
not_ok() {
    echo "not ok - $1"
    shift
    local line
    for detail in "$@"; do
        while IFS= read -r line; do printf '#   %s\n' "$line"; done <<<"$detail"
    done
    failed=$((failed + 1))
}

drsim() { "$DRSIM" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
out() { cat "$TMP/out"; }
err() { cat "$TMP/err"; }

# check DESCRIPTION CONDITION: ok when the shell condition holds, else the
# exit status and the ends of the last command's output.
check() {
    local description=$1
    shift
    if eval "$@"; then
        ok "$description"
    else
        not_ok "$description" "exit $rc" "$(tail -n 40 "$TMP/out")" "$(cat "$TMP/err")"
    fi
}

tests_summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
