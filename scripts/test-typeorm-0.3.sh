#!/usr/bin/env bash
# Runs the SQLite suite (or SYNCHRO_DIALECTS) against the newest TypeORM 0.3 (the oldest major the peer range allows), without
# touching the main node_modules: TypeORM 0.3 goes to .ci/typeorm-0.3 (gitignored) and jest.config.js
# maps `typeorm` and `typeorm/*` there (SYNCHRO_TYPEORM_PATH), keeping the repo's single reflect-metadata
# and better-sqlite3 (TypeORM 0.3 loads better-sqlite3 with a plain require, which jest maps too, so no
# DataSource `driver` option is needed).
#
#   bash scripts/test-typeorm-0.3.sh [extra jest args]      (npm run test:typeorm-0.3)
#   TYPEORM_0_3_VERSION=0.3.28 bash scripts/test-typeorm-0.3.sh
#   SYNCHRO_DIALECTS=postgres,mysql bash scripts/test-typeorm-0.3.sh test/capture   (other databases)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

version="${TYPEORM_0_3_VERSION:-0.3.31}"
prefix=.ci/typeorm-0.3
installed="$(node -p "try { require('./$prefix/node_modules/typeorm/package.json').version } catch { '' }")"
if [[ "$installed" != "$version" ]]; then
  rm -rf "$prefix"
  mkdir -p "$prefix"
  printf '{ "name": "synchro-typeorm-0-3", "private": true }\n' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "typeorm@$version"
fi
echo "TypeORM under test: $(node -p "require('./$prefix/node_modules/typeorm/package.json').version") ($prefix)"

SYNCHRO_TYPEORM_PATH="$prefix" SYNCHRO_DIALECTS="${SYNCHRO_DIALECTS:-sqlite}" npx jest --selectProjects functional "$@"
