#!/usr/bin/env bash
# Install everything trilha and its tests need on a fresh Debian machine, idempotently.
#
#   bash scripts/install.sh
#
# 1. Debian packages (as root; skipped with a warning otherwise):
#      chromium     - the browser the map/report tests drive through Playwright
#                     (never `playwright install`: Debian's build at /usr/bin/chromium)
#      postgresql   - the server, for the scale-out tests (store on PostgreSQL)
#      redis-server - the shared crawl queue of several crawler workers (scrapy-redis)
#      nginx-light  - the fast local web server of bench/crawl.py
#      wrk          - optional, to check that the bench server is not the bottleneck
# 2. A virtual environment in .venv with trilha installed editable, with the
#    `test` and `scale` extras of pyproject.toml.
#
# Quiet when all goes well; on failure it names the step and shows the tail of its log.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOG="$(mktemp -t trilha-install.XXXXXX.log)"
STEP="starting"

say()  { printf 'install: %s\n' "$*"; }
warn() { printf 'install: WARNING: %s\n' "$*" >&2; }
die()  { printf 'install: FAILED at step "%s": %s\n' "$STEP" "$*" >&2; exit 1; }
on_error() {
    local rc=$?
    printf '\ninstall: FAILED at step "%s" (exit %s). Last lines of %s:\n' "$STEP" "$rc" "$LOG" >&2
    tail -n 40 "$LOG" >&2 || true
    exit "$rc"
}
trap on_error ERR

APT_REQUIRED=(chromium redis-server postgresql nginx-light)
APT_OPTIONAL=(wrk)

missing_debs() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            printf '%s\n' "$pkg"
        fi
    done
}

# --- 1. Debian packages -----------------------------------------------------
STEP="Debian packages"
if ! command -v apt-get >/dev/null 2>&1; then
    warn "no apt-get here: install ${APT_REQUIRED[*]} yourself (tests that need them are skipped)"
elif [ "$(id -u)" -ne 0 ]; then
    mapfile -t need < <(missing_debs "${APT_REQUIRED[@]}")
    if [ "${#need[@]}" -gt 0 ]; then
        warn "not root: skipping apt-get; missing Debian packages: ${need[*]}"
        warn "(as root: apt-get update && apt-get install -y ${need[*]})"
    fi
else
    mapfile -t need < <(missing_debs "${APT_REQUIRED[@]}" "${APT_OPTIONAL[@]}")
    if [ "${#need[@]}" -gt 0 ]; then
        say "apt-get install ${need[*]} (log: $LOG)"
        export DEBIAN_FRONTEND=noninteractive
        STEP="apt-get update"
        apt-get update -qq >>"$LOG" 2>&1
        STEP="apt-get install ${APT_REQUIRED[*]}"
        mapfile -t need_req < <(missing_debs "${APT_REQUIRED[@]}")
        if [ "${#need_req[@]}" -gt 0 ]; then
            apt-get install -y -qq --no-install-recommends "${need_req[@]}" >>"$LOG" 2>&1
        fi
        STEP="apt-get install ${APT_OPTIONAL[*]} (optional)"
        mapfile -t need_opt < <(missing_debs "${APT_OPTIONAL[@]}")
        if [ "${#need_opt[@]}" -gt 0 ]; then
            apt-get install -y -qq --no-install-recommends "${need_opt[@]}" >>"$LOG" 2>&1 \
                || warn "optional ${need_opt[*]} not installed (only bench/ uses it)"
        fi
    fi
    STEP="check Debian packages"
    mapfile -t still < <(missing_debs "${APT_REQUIRED[@]}")
    [ "${#still[@]}" -eq 0 ] || die "still missing after apt-get: ${still[*]}"
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing although the package is installed"
fi

# --- 2. Python virtual environment ------------------------------------------
STEP="find Python >= 3.11"
PY=""
for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PY="$candidate"; break
    fi
done
[ -n "$PY" ] || die "no Python >= 3.11 found (tried ${PYTHON:-} python3 python3.13 python3.12 python3.11; set PYTHON=/path/to/python3.11)"

STEP="create .venv"
if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $("$PY" --version 2>&1)"
    if ! "$PY" -m venv .venv >>"$LOG" 2>&1; then
        # Debian's own Python needs python3-venv (ensurepip) for `python3 -m venv`
        rm -rf .venv
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            STEP="apt-get install python3-venv"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >>"$LOG" 2>&1
            STEP="create .venv"
            "$PY" -m venv .venv >>"$LOG" 2>&1
        else
            die "'$PY -m venv' failed (on Debian: apt-get install python3-venv)"
        fi
    fi
fi

STEP="pip install -e .[test,scale]"
# Re-run pip only when pyproject.toml (or the checkout's place) changed since the last install.
STAMP=".venv/.trilha-install-stamp"
WANT="$(cat pyproject.toml <(printf '%s\n' "$ROOT") | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ] || ! .venv/bin/python -c 'import trilha, crawler' >/dev/null 2>&1; then
    say "pip install -e '.[test,scale]' into .venv (log: $LOG)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >>"$LOG" 2>&1
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,scale]' >>"$LOG" 2>&1
    printf '%s\n' "$WANT" >"$STAMP"
fi

STEP="check the installation"
.venv/bin/trilha --help >>"$LOG" 2>&1 || die "'.venv/bin/trilha --help' does not run"
rm -f "$LOG"
say "ok: .venv/bin/trilha is ready"
