#!/usr/bin/env bash
# Time from `kube-rescue lab up` to its ready line, and the lab process's RSS then, for each worker count given
# (default: 500 and 5000), at real timings.
#   bench/lab-up/run.sh [WORKERS ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/kube-rescue" --help >/dev/null   # build first, so the build is not timed
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(500 5000)
printf '| workers | masters | time to ready (s) | RSS at ready (MiB) | peak RSS (MiB) |\n|---|---|---|---|---|\n'
for workers in "${counts[@]}"; do
  dir="$(mktemp -d)"
  start=$(date +%s.%N)
  dotnet "$root/artifacts/cli/kube-rescue.dll" lab up --masters 3 --workers "$workers" --kubeconfig "$dir/kubeconfig" >"$dir/out" 2>&1 &
  pid=$!
  until grep -q " ready at " "$dir/out"; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/out" >&2; exit 1; }
    sleep 0.2
  done
  ready=$(date +%s.%N)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  awk -v w="$workers" -v s="$start" -v r="$ready" -v rss="$rss" -v hwm="$hwm" 'BEGIN { printf "| %s | 3 | %.1f | %.0f | %.0f |\n", w, r - s, rss / 1024, hwm / 1024 }' 
  rm -rf "$dir"
done
