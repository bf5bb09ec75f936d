#!/usr/bin/env bash
# Installs what `make test` needs and a fresh machine may lack, idempotently:
# Chromium for the browser tests, poppler-utils to read the PDFs the tests download,
# PostgreSQL server binaries when no server answers,
# and the npm packages of package-lock.json (Tailwind CLI, htmx, axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && [ -z "${CHROME_PATH:-}" ]; then
  need_apt+=(chromium fonts-dejavu-core)
fi
# pdftotext, pdfinfo and pdftoppm read the PDFs the tests download.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  need_apt+=(poppler-utils)
fi
pg_answers() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then return 0; fi
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}
if ! pg_answers && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "missing: ${need_apt[*]} — install them (Debian: sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "missing: npm (Node.js) — install it (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
