#!/usr/bin/env bash
# Start-up, side by side in one run: the native kube-rescue, the JIT one, and kubectl, each started afresh N times,
# the commands taking turns so that a busy machine slows them alike. Prints a Markdown report (docs/benchmarks.md).
#   bench/startup/run.sh [--quick] [--runs N] [--kubeconfig FILE] [--native DIR] [--jit DLL]
#     --quick            3 runs, for CI (tests/KubeRescue.EndToEnd.Tests/NativeTests.cs)
#     --kubeconfig FILE  a healthy cluster to ask; default: a lab of its own, `lab up --time-scale 1`
#     --native DIR       the native build; default: artifacts/native, published first when absent
#     --jit DLL          the JIT build's kube-rescue.dll; default: the one ./kube-rescue builds
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=30 kubeconfig="" native="$root/artifacts/native" jit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) runs=3; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --kubeconfig) kubeconfig="$2"; shift 2 ;;
    --native) native="$2"; shift 2 ;;
    --jit) jit="$2"; shift 2 ;;
    *) echo "usage: $0 [--quick] [--runs N] [--kubeconfig FILE] [--native DIR] [--jit DLL]" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs needs a positive number, not $runs" >&2; exit 2; }

work="$(mktemp -d)"
lab_pid=""
cleanup() { [ -z "$lab_pid" ] || { kill -TERM "$lab_pid" 2>/dev/null && wait "$lab_pid" 2>/dev/null; } || true; rm -rf "$work"; }
trap cleanup EXIT

# Builds first, so that no build is timed.
if [ ! -x "$native/kube-rescue" ]; then
  dotnet publish "$root/src/KubeRescue.Cli/KubeRescue.Cli.csproj" -c Release -r linux-x64 -p:PublishAot=true -o "$native" -nologo -v quiet >&2
fi
if [ -z "$jit" ]; then
  "$root/kube-rescue" version >/dev/null
  jit="$root/artifacts/cli/kube-rescue.dll"
fi

if [ -z "$kubeconfig" ]; then
  kubeconfig="$work/kubeconfig"
  dotnet "$jit" lab up --time-scale 1 --kubeconfig "$kubeconfig" >"$work/lab.log" 2>&1 &
  lab_pid=$!
  for _ in $(seq 1800); do
    grep -q " ready at " "$work/lab.log" && break
    kill -0 "$lab_pid" 2>/dev/null || { cat "$work/lab.log" >&2; exit 1; }
    sleep 0.1
  done
  grep -q " ready at " "$work/lab.log" || { echo "the lab did not become ready in 180 s" >&2; exit 1; }
fi

# The kubectl that matches the server: the machine's kubectl may be a dispatcher that runs kubectl.1.NN beside it.
kubectl="$(command -v kubectl)"
server_minor="$("$kubectl" version --kubeconfig "$kubeconfig" -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | tail -1)"
versioned="$(dirname "$(readlink -f "$kubectl")")/kubectl.1.$server_minor"
[ -n "$server_minor" ] && [ -x "$versioned" ] && kubectl="$versioned"
cache="$work/kubectl-cache"

# The last row reads about what status reads (it makes some 16 requests, most of them at once), one list after another.
names=("kube-rescue version (native)" "kube-rescue version (JIT)" "kubectl version --client"
       "kube-rescue status (native)" "kubectl get deploy -n kube-system" "kubectl get nodes,deploy,rs,pods,leases,ds -n kube-system")
commands=("$native/kube-rescue version"
          "dotnet $jit version"
          "$kubectl version --client"
          "$native/kube-rescue status --kubeconfig $kubeconfig"
          "$kubectl get deploy -n kube-system --kubeconfig $kubeconfig --cache-dir $cache"
          "$kubectl get nodes,deploy,rs,pods,leases,ds -n kube-system --kubeconfig $kubeconfig --cache-dir $cache")

# One untimed round: kubectl's discovery cache is then warm, and every command is known to work.
for c in "${commands[@]}"; do
  $c >/dev/null 2>"$work/err" || { echo "failed: $c" >&2; cat "$work/err" >&2; exit 1; }
done

for ((r = 0; r < runs; r++)); do
  for i in "${!commands[@]}"; do
    start=$EPOCHREALTIME
    ${commands[$i]} >/dev/null 2>&1
    end=$EPOCHREALTIME
    echo "$i ${start/./} ${end/./}" >>"$work/times"
  done
done

echo "## Start-up: native, JIT and kubectl ($(date -u +%Y-%m-%d))"
echo
echo "Command: \`bench/startup/run.sh --runs $runs\`. Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1),"
echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "kubectl: $("$kubectl" version --client -o json | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -1) ($kubectl);"
echo "native binary: $(du -m "$native/kube-rescue" | cut -f1) MB. Each command started $runs times, taking turns; wall time per start, in ms."
echo
echo "| command | median | min | max |"
echo "|---|---:|---:|---:|"
for i in "${!names[@]}"; do
  awk -v i="$i" '$1 == i { print ($3 - $2) / 1000 }' "$work/times" | sort -g >"$work/t$i"
  n=$(wc -l <"$work/t$i")
  median=$(awk -v n="$n" 'NR == int((n + 1) / 2) { a = $1 } NR == int(n / 2) + 1 { b = $1 } END { printf "%.1f", (a + b) / 2 }' "$work/t$i")
  echo "$median" >"$work/m$i"
  printf '| `%s` | %s | %.1f | %.1f |\n' "${names[$i]}" "$median" "$(head -1 "$work/t$i")" "$(tail -1 "$work/t$i")"
done
ratio() { awk -v a="$(cat "$work/m$1")" -v b="$(cat "$work/m$2")" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "Ratios of medians: native version / kubectl version --client = $(ratio 0 2); native version / JIT version = $(ratio 0 1);"
echo "native status / kubectl get deploy = $(ratio 3 4); native status / kubectl get of status's six resources = $(ratio 3 5)."
echo "Goals: native version under 50 ms ($(cat "$work/m0") ms); status no slower than kubectl ($(ratio 3 4))."
