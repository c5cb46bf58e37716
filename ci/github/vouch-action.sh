#!/usr/bin/env bash
# The vouch GitHub Action (action.yml) does nothing but call this, so it runs the same on a laptop as on
# a runner (test/registry/ci-scripts.test.ts runs it with the environment Actions sets):
#   vouch-action.sh cache   where vouch keeps its evidence and the cache key, as step outputs (actions/cache)
#   vouch-action.sh run     get vouch, run the gate, write SARIF, the step summary and the outputs,
#                           then exit with vouch's exit code
# Inputs are environment variables (action.yml maps them): VOUCH_COMMAND (ci | verify), VOUCH_ARGS,
# VOUCH_WORKING_DIRECTORY, VOUCH_PACKAGE, VOUCH_BIN. docs/ci.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../run-vouch.sh
source "$here/../run-vouch.sh"

output() {
  printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: not in GitHub Actions}"
}

enter_project() {
  cd "${GITHUB_WORKSPACE:-$PWD}"
  cd "${VOUCH_WORKING_DIRECTORY:-.}"
}

# vouch keeps its evidence and the signing-log state it saw beside npm's cache (<npm cache>/_vouch), keyed
# by name@version@integrity: a lockfile's evidence is reused whole, a changed lockfile starts from the last.
cache_outputs() {
  local npm_cache hash os=${RUNNER_OS:-$(uname -s)}
  npm_cache=$(npm config get cache)
  hash=$(node -e '
    const { createHash } = require("crypto"); const { readFileSync } = require("fs");
    let text = ""; try { text = readFileSync("package-lock.json"); } catch {}
    process.stdout.write(createHash("sha256").update(text).digest("hex"));')
  output path "$npm_cache/_vouch"
  output key "vouch-evidence-$os-$hash"
  output restore-key "vouch-evidence-$os-"
}

# VOUCH_BIN as given; else VOUCH_PACKAGE (any npm spec) installed under RUNNER_TEMP; else this action's own
# checkout, built once (npm ci from vouch's lockfile, then tsc).
install_vouch() {
  if [ -n "${VOUCH_BIN:-}" ]; then return; fi
  if [ -n "${VOUCH_PACKAGE:-}" ]; then
    local tool="${RUNNER_TEMP:?}/vouch-tool" tarball
    echo "::group::vouch: installing $VOUCH_PACKAGE"
    mkdir -p "$tool/pack"
    # Packed first: a git spec is then built with its devDependencies (npm install -g of a git URL is not, npm/cli#8440).
    tarball=$(npm pack "$VOUCH_PACKAGE" --pack-destination "$tool/pack" --json | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].filename)')
    npm install --global --prefix "$tool" --no-audit --no-fund "$tool/pack/$tarball"
    echo "::endgroup::"
    VOUCH_BIN="$tool/bin/vouch"
    return
  fi
  local source="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: give VOUCH_BIN or VOUCH_PACKAGE}"
  if [ ! -f "$source/dist/lib/cli/main.js" ]; then
    echo "::group::vouch: building the action's checkout"
    (cd "$source" && npm ci --ignore-scripts --no-audit --no-fund && npm exec --no -- tsc -p tsconfig.json)
    echo "::endgroup::"
  fi
  VOUCH_BIN="$source/bin/vouch.js"
}

label_of() {
  case "$1" in
    0) if [ "$2" = warn ]; then echo 'allowed, with warnings'; else echo 'allowed'; fi ;;
    1) echo 'denied' ;;
    2) echo 'usage or configuration error' ;;
    3) echo 'could not verify' ;;
    *) echo 'internal error' ;;
  esac
}

# The text report, fenced, in the job's summary; GitHub takes at most 1 MiB per step.
write_summary() {
  local command=$1 code=$2 decision=$3 text=$4
  {
    printf '### vouch %s: %s\n\n' "$command" "$(label_of "$code" "$decision")"
    if [ -s "$text" ]; then
      printf '````text\n'
      head -c 900000 "$text"
      printf '````\n'
    else
      printf 'vouch wrote no report (exit %s): the reason is in the step log.\n' "$code"
    fi
  } >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
}

run_action() {
  local command=${VOUCH_COMMAND:-ci}
  check_command "$command" || exit 2
  enter_project
  install_vouch
  find_vouch
  local out="${RUNNER_TEMP:?}/vouch/${GITHUB_ACTION:-vouch}"
  rm -rf "$out" && mkdir -p "$out"
  local sarif="$out/vouch.sarif" json="$out/vouch.json" text="$out/vouch.txt"
  split_args "${VOUCH_ARGS:-}"
  run_gate "$command" --report-file "sarif=$sarif" --report-file "json=$json" --report-file "text=$text" ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}
  local decision
  decision=$(decision_of "$json")
  output decision "$decision"
  output exit-code "$VOUCH_EXIT"
  if [ -s "$sarif" ]; then output sarif-file "$sarif"; fi
  if [ -s "$json" ]; then output report-file "$json"; fi
  write_summary "$command" "$VOUCH_EXIT" "$decision" "$text"
  if [ "$VOUCH_EXIT" -ne 0 ]; then echo "::error title=vouch $command::$(label_of "$VOUCH_EXIT" "$decision") (exit $VOUCH_EXIT)"; fi
  exit "$VOUCH_EXIT"
}

case "${1:-run}" in
  cache) enter_project && cache_outputs ;;
  run) run_action ;;
  *) echo "usage: vouch-action.sh cache|run" >&2; exit 2 ;;
esac
