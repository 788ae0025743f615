#!/usr/bin/env bash
# Tries the package as a user gets it: packs it, then, in a temporary folder outside the repository, installs the
# tarball, scaffolds a project with `sluice init`, installs, tests, runs its sample and synthesizes it — on each Node
# version given (default 22 and 24), with Node binaries from the npm registry's `node` package; on the last version
# also the events template.
# Usage: bash scripts/try-package.sh [22] [24]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22 24)
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-try-XXXXXX")
trap 'rm -rf "$work"' EXIT
quiet=(--no-audit --no-fund --loglevel=error)

echo "== pack"
(cd "$repo" && npm pack --pack-destination "$work" --json "${quiet[@]}" >"$work/pack.json")
node -e '
const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const bad = p.files.map((f) => f.path).filter((f) => /(^|\/)(test|bench|examples)\/|\.test\.ts$|^lib\/|^lineage\/|^bin\//.test(f) && !f.startsWith("templates/"));
console.log(`tarball ${p.filename}: ${(p.size / 1024).toFixed(0)} KiB packed, ${(p.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${p.entryCount} files`);
if (bad.length) { console.error(`the package ships what it must not: ${bad.slice(0, 10).join(", ")}`); process.exit(1); }
' "$work/pack.json"
tarball="$work/$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[0].filename)' "$work/pack.json")"

for version in "${versions[@]}"; do
  echo "== Node $version"
  # A Node of this major from the registry, on a PATH that holds nothing of the repository.
  mkdir -p "$work/node-$version"
  (cd "$work/node-$version" && npm install --no-save "${quiet[@]}" "node@$version" >/dev/null)
  nodebin="$work/node-$version/node_modules/node/bin"
  export PATH="$nodebin:/usr/local/bin:/usr/bin:/bin"
  echo "node $(node --version), npm $(npm --version)"
  user="$work/user-$version"
  mkdir -p "$user"
  cd "$user"
  npm init -y >/dev/null
  npm install "${quiet[@]}" "$tarball" zod
  npx sluice --help >/dev/null
  npx sluice init demo --sluice "$tarball"
  cd demo
  npm install "${quiet[@]}"
  npm test
  npx sluice validate pipelines/orders.ts
  npx sluice run pipelines/orders.ts --input data/orders.csv
  set +e
  npx sluice run pipelines/orders.ts --input data/orders-bad.csv >/dev/null
  bad=$?
  set -e
  [ "$bad" -eq 1 ] || { echo "the bad sample must end the run with exit 1, got $bad" >&2; exit 1; }
  npx cdk synth --quiet
  ls cdk.out/*.template.json
  echo "-- SIGTERM to the PID of npx sluice lineage serve stops it within 2 s and frees its port"
  npx sluice lineage serve --port 0 --state-dir "$user/serve-state" >"$work/serve-$version.out" 2>&1 &
  serve=$!
  for _ in $(seq 600); do grep -q 'lineage catalog on http' "$work/serve-$version.out" && break; sleep 0.1; done
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve-$version.out" | head -1)
  [ -n "$url" ] || { echo "lineage serve did not start:" >&2; cat "$work/serve-$version.out" >&2; exit 1; }
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url/api/v1/namespaces"
  started=$(date +%s%N)
  kill -TERM "$serve"
  for _ in $(seq 20); do kill -0 "$serve" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$serve" 2>/dev/null; then echo "npx sluice lineage serve still runs 2 s after SIGTERM" >&2; exit 1; fi
  # npx passes the signal on and may end before its child has: the server itself gets the rest of the 2 s, and 2 s more.
  for _ in $(seq 40); do ps -eo args | grep -v grep | grep -q -- "--state-dir $user/serve-state" || break; sleep 0.1; done
  if ps -eo args | grep -v grep | grep -q -- "--state-dir $user/serve-state"; then echo "a lineage serve process outlived npx by 4 s" >&2; exit 1; fi
  if node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$url/api/v1/namespaces"; then
    echo "$url still answers after SIGTERM" >&2
    exit 1
  fi
  echo "stopped in $((($(date +%s%N) - started) / 1000000)) ms, $url refuses connections"
  if [ "$version" = "${versions[-1]}" ]; then
    echo "-- the events template"
    cd "$user"
    npx sluice init events --template events --sluice "$tarball" >/dev/null
    cd events
    npm install "${quiet[@]}"
    npm test
    npx sluice validate pipelines/*.ts
    npx cdk synth --quiet
  fi
done
echo "package tried on Node ${versions[*]}"
