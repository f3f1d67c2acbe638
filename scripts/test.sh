#!/usr/bin/env bash
# Run every test: start PostgreSQL and Redis when they are not running, then pytest.
#
#   bash scripts/install.sh && bash scripts/test.sh      # the README's test command
#   bash scripts/test.sh tests/test_docs.py -x           # extra arguments go to pytest
#
# Exit status is pytest's (5 = no test collected; .ci/run treats that as a failure).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ ! -x .venv/bin/pytest ]; then
    echo "test: .venv/bin/pytest is missing: run 'bash scripts/install.sh' first" >&2
    exit 1
fi
# shellcheck source=scripts/services.sh
source scripts/services.sh
export PYTHONDONTWRITEBYTECODE=1
# -ra (from pyproject) lists every skip with its reason, so a skipped service shows.
exec .venv/bin/python -m pytest -q --durations=15 -p no:cacheprovider "$@"
