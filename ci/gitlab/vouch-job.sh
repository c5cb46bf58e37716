#!/usr/bin/env bash
# The job of the GitLab CI template (ci/gitlab/vouch.gitlab-ci.yml): runs the gate once and leaves its
# report as artifacts, Code Quality JSON for the merge request and SARIF for download, then exits with
# vouch's exit code. Variables: VOUCH_COMMAND (verify | ci), VOUCH_ARGS, VOUCH_WORKING_DIRECTORY,
# VOUCH_REPORT_DIR, VOUCH_BIN (else vouch on PATH). docs/ci.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../run-vouch.sh
source "$here/../run-vouch.sh"

command=${VOUCH_COMMAND:-verify}
check_command "$command" || exit 2
project=${CI_PROJECT_DIR:?CI_PROJECT_DIR is not set: not in GitLab CI}
if ! find_vouch; then
  echo "vouch: not installed: set VOUCH_PACKAGE (the template installs it) or VOUCH_BIN (docs/ci.md)" >&2
  exit 2
fi
# Artifacts must lie inside the project directory, whatever folder the project is in.
reports="$project/${VOUCH_REPORT_DIR:-vouch-reports}"
rm -rf "$reports" && mkdir -p "$reports"
cd "$project/${VOUCH_WORKING_DIRECTORY:-.}"
split_args "${VOUCH_ARGS:-}"
run_gate "$command" \
  --report-file "codequality=$reports/gl-code-quality-report.json" \
  --report-file "sarif=$reports/vouch.sarif" \
  --report-file "json=$reports/vouch.json" \
  ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}
echo "vouch $command: decision $(decision_of "$reports/vouch.json"), exit $VOUCH_EXIT; reports in ${reports#"$project"/}/"
exit "$VOUCH_EXIT"
