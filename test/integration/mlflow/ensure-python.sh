#!/usr/bin/env bash
# Installs Debian's Python 3 with venv for the MLflow suite when it is missing; failing to is an error, never a skip.
set -euo pipefail
# Skipped on purpose outside CI: the suite's runner says so.
if [ "${SLUICE_SKIP_MLFLOW:-}" = 1 ] && [ "${CI:-}" != true ]; then exit 0; fi
python="${SLUICE_PYTHON:-python3}"
if "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then exit 0; fi
if [ -n "${SLUICE_PYTHON:-}" ]; then
  echo "SLUICE_PYTHON=$SLUICE_PYTHON cannot make a venv (it needs the venv and ensurepip modules)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "python3 with venv is missing and installing it needs root: run 'apt-get install -y python3 python3-venv'" >&2
  exit 1
fi
echo "== installing python3 and python3-venv (apt-get)" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
python3 -c 'import venv, ensurepip'
