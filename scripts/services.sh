#!/usr/bin/env bash
# Start the services the scale-out tests use, if they are not running already:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, no password) and Redis on 127.0.0.1:6379.
#
#   bash scripts/services.sh          # start what is missing, say what runs
#   source scripts/services.sh        # the same, and export the test URLs below
#
# Exports (defaults, kept when already set):
#   TRILHA_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres
#   TRILHA_TEST_REDIS_URL=redis://127.0.0.1:6379/15
#
# The start commands are the ones this machine's documentation gives. A fresh Debian
# PostgreSQL cluster uses peer auth on the socket and scram on 127.0.0.1; when the test URL
# cannot connect and we are root, a `trust` line for user postgres from 127.0.0.1/::1 is
# added to that cluster's pg_hba.conf (a test machine only; the line is marked) and the
# cluster reloaded. Never fatal: what cannot be started is reported, and the tests that
# need it skip loudly (or fail, when CI is set).

export TRILHA_TEST_PG_URL="${TRILHA_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
export TRILHA_TEST_REDIS_URL="${TRILHA_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

_svc_say()  { printf 'services: %s\n' "$*"; }
_svc_warn() { printf 'services: WARNING: %s\n' "$*" >&2; }

_svc_pg_ok() {
    # Exactly what the tests do: TCP to 127.0.0.1 as postgres, no password.
    PGCONNECT_TIMEOUT=5 psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1
}

_svc_postgres() {
    if ! command -v psql >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        _svc_warn "PostgreSQL is not installed (bash scripts/install.sh as root installs it)"
        return 1
    fi
    if _svc_pg_ok; then _svc_say "PostgreSQL is running"; return 0; fi
    if [ "$(id -u)" -ne 0 ]; then
        _svc_warn "PostgreSQL does not answer on 127.0.0.1:5432 and we are not root: not starting it"
        return 1
    fi
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$version" ]; then
        version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
        [ -n "$version" ] || { _svc_warn "no PostgreSQL server binaries in /usr/lib/postgresql"; return 1; }
    fi
    if [ ! -d "/etc/postgresql/$version/main" ]; then
        _svc_say "creating PostgreSQL $version cluster 'main'"
        pg_createcluster "$version" main >/dev/null || { _svc_warn "pg_createcluster failed"; return 1; }
    fi
    if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
        _svc_say "starting PostgreSQL $version/main"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start \
            || { _svc_warn "pg_ctlcluster start failed"; return 1; }
    fi
    local i
    for i in $(seq 1 30); do _svc_pg_ok && break; pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    if ! _svc_pg_ok; then
        local hba="/etc/postgresql/$version/main/pg_hba.conf"
        if [ -f "$hba" ] && ! grep -q 'added by trilha scripts/services.sh' "$hba"; then
            _svc_say "allowing user postgres from 127.0.0.1 without password in $hba (test machine)"
            local tmp
            tmp="$(mktemp)"
            {
                echo "# added by trilha scripts/services.sh: tests connect as postgres over TCP without a password"
                echo "host    all    postgres    127.0.0.1/32    trust"
                echo "host    all    postgres    ::1/128         trust"
                cat "$hba"
            } >"$tmp" && cat "$tmp" >"$hba" && rm -f "$tmp"
            pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
            sleep 1
        fi
    fi
    if _svc_pg_ok; then _svc_say "PostgreSQL is running"; return 0; fi
    _svc_warn "PostgreSQL still does not accept postgres@127.0.0.1:5432"
    return 1
}

_svc_redis_ok() {
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
}

_svc_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        _svc_warn "Redis is not installed (bash scripts/install.sh as root installs it)"
        return 1
    fi
    if _svc_redis_ok; then _svc_say "Redis is running"; return 0; fi
    local dir=/var/lib/redis logfile=/var/log/redis/ci.log
    if [ ! -w "$dir" ] || [ ! -w "$(dirname "$logfile")" ]; then
        dir="$(mktemp -d -t trilha-redis.XXXXXX)"; logfile="$dir/redis.log"
    fi
    _svc_say "starting Redis on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir "$dir" --logfile "$logfile" >/dev/null \
        || { _svc_warn "redis-server failed to start (see $logfile)"; return 1; }
    local i
    for i in $(seq 1 20); do _svc_redis_ok && break; sleep 0.25; done
    if _svc_redis_ok; then _svc_say "Redis is running"; return 0; fi
    _svc_warn "Redis does not answer on 127.0.0.1:6379 (see $logfile)"
    return 1
}

_svc_postgres || true
_svc_redis || true
unset -f _svc_say _svc_warn _svc_pg_ok _svc_postgres _svc_redis_ok _svc_redis
