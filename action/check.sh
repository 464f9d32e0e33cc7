#!/usr/bin/env bash
# Run `archguard check` for the GitHub Action: annotations on stdout (--format github), the
# Markdown job summary (the CLI appends it to GITHUB_STEP_SUMMARY), SARIF to a file, and
# `--diff BASE` when a base is known. archguard's exit code becomes the step output
# `exit-code` (a later step fails the job with it, after the SARIF upload); this step itself
# succeeds so that the upload still runs.
set -uo pipefail

archguard="${ARCHGUARD:-archguard}"
[ -n "$archguard" ] || archguard=archguard
output="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
args=(check --format github)
if [ -n "${ARCHGUARD_CONFIG:-}" ]; then
  args+=(--config "$ARCHGUARD_CONFIG")
fi

# The base to compare with: the `base` input, else the pull request's base commit, else its branch.
base="${ARCHGUARD_BASE:-${PR_BASE_SHA:-}}"
if [ -z "$base" ] && [ -n "${PR_BASE_REF:-}" ]; then
  base="origin/$PR_BASE_REF"
fi
if [ -n "$base" ]; then
  if "$archguard" check --help 2>/dev/null | grep -q -- "--diff"; then
    # Shallow checkouts (actions/checkout's default) lack the base commit: fetch just it.
    if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
      git fetch --quiet --no-tags --depth=1 origin "${base#origin/}" 2>/dev/null \
        || echo "::warning title=archguard::cannot fetch $base; use actions/checkout with fetch-depth: 0"
    fi
    args+=(--diff "$base")
  else
    echo "::warning title=archguard::this archguard has no --diff option; checking the whole tree instead of the change against $base"
  fi
fi

sarif="${ARCHGUARD_SARIF:-}"
if [ -n "$sarif" ]; then
  args+=(--output "sarif=$sarif")
fi
extra=()
if [ -n "${ARCHGUARD_ARGS:-}" ]; then
  read -r -a extra <<< "$ARCHGUARD_ARGS"
fi

echo "archguard ${args[*]} ${extra[*]}"
"$archguard" "${args[@]}" "${extra[@]}"
code=$?
echo "exit-code=$code" >> "$output"
if [ -n "$sarif" ] && [ -f "$sarif" ]; then
  echo "sarif-file=$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")" >> "$output"
else
  echo "sarif-file=" >> "$output"
fi
exit 0
