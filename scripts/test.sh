#!/usr/bin/env bash
# Installs smsbot with its test extra into .venv, then runs the linters, the type checker and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/ruff check bot storage tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
