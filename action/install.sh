#!/usr/bin/env bash
# Install archguard into a virtualenv of its own under RUNNER_TEMP (runner Pythons may refuse
# system-wide pip installs, PEP 668) and publish the executable's path as the step output
# `archguard`. ARCHGUARD_PACKAGE: a pip requirement; default: the action's own checkout.
# ARCHGUARD_VENV: reuse (or create) the virtualenv there instead.
set -euo pipefail

venv="${ARCHGUARD_VENV:-${RUNNER_TEMP:-/tmp}/archguard-venv}"
package="${ARCHGUARD_PACKAGE:-${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}}"
if [ ! -x "$venv/bin/python" ]; then
  python="$(command -v python3 || command -v python)"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package"
"$venv/bin/archguard" --version
echo "archguard=$venv/bin/archguard" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
