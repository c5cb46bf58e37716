# shellcheck shell=bash
# Sourced by the CI scripts (ci/github/vouch-action.sh, ci/gitlab/vouch-job.sh): finds vouch, runs one gate
# (`vouch ci` or `vouch verify`) that writes its report as text on the log and as files in several formats
# from the same run, and reads the decision back. docs/ci.md.

# The vouch to run, into the array VOUCH: $VOUCH_BIN (a bin/vouch.js or an executable), else vouch on PATH.
find_vouch() {
  if [ -n "${VOUCH_BIN:-}" ]; then
    case "$VOUCH_BIN" in
      *.js) VOUCH=(node "$VOUCH_BIN") ;;
      *) VOUCH=("$VOUCH_BIN") ;;
    esac
  elif command -v vouch >/dev/null 2>&1; then
    VOUCH=(vouch)
  else
    return 1
  fi
}

# Refuses anything but the two gates: the reports and the exit codes below are theirs.
check_command() {
  case "$1" in
    ci | verify) return 0 ;;
    *) echo "vouch: the command must be ci or verify, got \"$1\"" >&2; return 2 ;;
  esac
}

# run_gate ARGS...: runs `vouch ARGS...` (its report on stdout) and sets VOUCH_EXIT to vouch's exit code
# (0 allowed, 1 denied, 2 usage or configuration, 3 could not verify, 70 internal) without stopping the script.
run_gate() {
  set +e
  "${VOUCH[@]}" "$@"
  VOUCH_EXIT=$?
  set -e
}

# The decision of a JSON report (allow, warn or deny), or "error" when vouch wrote none (exit 2 or 70).
decision_of() {
  if [ -s "$1" ]; then
    node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).decision))' "$1"
  else
    printf 'error'
  fi
}

# Splits a string of extra flags on blanks, into the array EXTRA_ARGS. Never evaluated by a shell: a
# workflow that builds it from event data cannot inject commands.
split_args() {
  EXTRA_ARGS=()
  # -d '': the whole string, newlines included (a YAML block scalar), not only its first line.
  if [ -n "$1" ]; then read -r -d '' -a EXTRA_ARGS <<<"$1" || true; fi
}
