#!/usr/bin/env bash
# The manual rescue procedure of docs/runbooks/kube-scheduler-down.md and kube-controller-manager-down.md (the
# Tectonic page's, with today's kubectl and jq), typed as an operator types it: every wait is `kubectl get` polled
# every POLL seconds (default 2), except where the runbook itself runs a command that waits (rollout status, wait,
# delete --wait). For both components it follows field guide §2: both rescue pods, then both replacements, then the
# scheduler's hand-over, then the controller-manager's.
#
#   KUBECONFIG=FILE bench/Mttr/manual.sh scheduler|controller-manager|both
#
# KUBECTL names the kubectl binary (default: kubectl). Exits 0 once a pod of each component's own Deployment holds
# its Lease again.
set -euo pipefail

case "${1:-}" in
  scheduler) components=(kube-scheduler) ;;
  controller-manager) components=(kube-controller-manager) ;;
  both) components=(kube-scheduler kube-controller-manager) ;;
  *) echo "usage: $0 scheduler|controller-manager|both" >&2; exit 2 ;;
esac
kubectl="${KUBECTL:-kubectl}"
poll="${POLL:-2}"
ns=kube-system
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*"; }

# 1. A Ready master (every replica is gone, so any Ready one is one without a live replica).
master="$("$kubectl" get nodes -l node-role.kubernetes.io/master -o json \
  | jq -r '[.items[] | select(any(.status.conditions[]; .type == "Ready" and .status == "True")) | .metadata.name] | first // empty')"
[ -n "$master" ] || { echo "no Ready master" >&2; exit 1; }
say "master: $master"

# 2. Each rescue pod from its Deployment's template, pinned to the master, as the runbook's jq builds it.
for c in "${components[@]}"; do
  "$kubectl" -n "$ns" get deployment "$c" -o json | jq --arg node "$master" --arg name "$c-rescue" '{
    apiVersion: "v1", kind: "Pod",
    metadata: {name: $name, namespace: "kube-system"},
    spec: (.spec.template.spec
      | del(.nodeSelector, .affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, .affinity.podAntiAffinity, .priority)
      | .nodeName = $node | .serviceAccountName = "default" | .serviceAccount = "default")
  }' > "$work/$c-rescue.json"
  "$kubectl" create -f "$work/$c-rescue.json"
done

# 3. Watch each start: Ready, or Failed (rejected by the kubelet: the runbook's answer is another master).
for c in "${components[@]}"; do
  until [ "$("$kubectl" -n "$ns" get pod "$c-rescue" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; do
    phase="$("$kubectl" -n "$ns" get pod "$c-rescue" -o jsonpath='{.status.phase}')"
    [ "$phase" != Failed ] || { echo "$c-rescue failed on $master: try another master" >&2; exit 1; }
    sleep "$poll"
  done
  say "$c-rescue is Ready"
done

# 4. The Deployment's own pods. With the controller-manager alive the scheduler's Deployment status is current and
# rollout status can be trusted; otherwise that status is stale, and the runbook counts Running pods instead.
for c in "${components[@]}"; do
  if [ "${components[*]}" = kube-scheduler ]; then
    "$kubectl" -n "$ns" rollout status "deployment/$c" --timeout=5m
  else
    want="$("$kubectl" -n "$ns" get deployment "$c" -o jsonpath='{.spec.replicas}')"
    until [ "$("$kubectl" -n "$ns" get pods -l "k8s-app=$c" --field-selector status.phase=Running -o name | wc -l)" -ge "$want" ]; do
      sleep "$poll"
    done
    "$kubectl" -n "$ns" wait --for=condition=Ready pod -l "k8s-app=$c" --timeout=5m
  fi
  say "$c runs its own pods"
done

# 5. Remove each rescue pod and wait until a pod of the Deployment holds the Lease (the scheduler releases it when
# stopped; the controller-manager does not, so its successors wait out the lease duration).
for c in "${components[@]}"; do
  "$kubectl" delete -f "$work/$c-rescue.json" --wait
  until holder="$("$kubectl" -n "$ns" get lease "$c" -o jsonpath='{.spec.holderIdentity}')" && [ -n "$holder" ] && [[ "$holder" != "$c-rescue"* ]]; do
    sleep "$poll"
  done
  say "$c: lease held by $holder"
done
