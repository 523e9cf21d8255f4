using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>Pod defaulting, admission defaults and graceful deletion, as the API server applies them.</summary>
public sealed class PodStrategy : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec) return;
        DefaultPodSpec(spec);
        spec["priority"] ??= 0;
        spec["preemptionPolicy"] ??= "PreemptLowerPriority";
        // ServiceAccount admission: the default account, mirrored into the deprecated field.
        spec["serviceAccountName"] ??= (string?)spec["serviceAccount"] ?? "default";
        spec["serviceAccount"] = (string?)spec["serviceAccountName"];
        // DefaultTolerationSeconds admission: 300s on not-ready and unreachable nodes before eviction.
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var key in (ReadOnlySpan<string>)["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
        {
            if (tolerations.Any(t => (string?)t?["key"] == key && (string?)t?["effect"] is null or "NoExecute")) continue;
            if (tolerations.Any(t => t?["key"] is null && (string?)t?["operator"] == "Exists")) continue;
            tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
        }
        spec["tolerations"] = tolerations;
        pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(spec) };
    }

    /// <summary>SetDefaults_PodSpec and the container defaults: what pods and pod templates both get.</summary>
    public static void DefaultPodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        foreach (var list in (ReadOnlySpan<string>)["initContainers", "containers"])
            if (spec[list] is JsonArray containers)
                foreach (var c in containers.OfType<JsonObject>()) DefaultContainer(c);
    }

    static void DefaultContainer(JsonObject c)
    {
        c["terminationMessagePath"] ??= "/dev/termination-log";
        c["terminationMessagePolicy"] ??= "File";
        c["resources"] ??= new JsonObject();
        if (c["imagePullPolicy"] is null)
        {
            var image = (string?)c["image"] ?? "";
            var tag = image.Contains('@') ? "digest" : image.LastIndexOf(':') > image.LastIndexOf('/') ? image[(image.LastIndexOf(':') + 1)..] : "latest";
            c["imagePullPolicy"] = tag == "latest" ? "Always" : "IfNotPresent";
        }
        if (c["ports"] is JsonArray ports)
            foreach (var p in ports.OfType<JsonObject>()) p["protocol"] ??= "TCP";
    }

    /// <summary>Guaranteed when every container has equal cpu and memory requests and limits; BestEffort when none has any.</summary>
    static string QosClass(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var c in containers)
        {
            var requests = c["resources"]?["requests"] as JsonObject;
            var limits = c["resources"]?["limits"] as JsonObject;
            if (requests is { Count: > 0 } || limits is { Count: > 0 }) any = true;
            foreach (var r in (ReadOnlySpan<string>)["cpu", "memory"])
            {
                var limit = (string?)limits?[r]?.ToString();
                var request = (string?)requests?[r]?.ToString() ?? limit;
                if (limit is null || request != limit) guaranteed = false;
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj) => Validators.Pod(obj);

    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => [.. Validators.Pod(obj), .. Validators.ImmutableFieldsOnUpdate("Pod", old, obj)];

    /// <summary>
    /// An unscheduled or finished pod goes at once; a scheduled one waits its grace period for the kubelet
    /// (the request's, else spec.terminationGracePeriodSeconds).
    /// </summary>
    public override long? GracePeriod(JsonObject pod, long? requested)
    {
        var phase = (string?)pod["status"]?["phase"];
        if (string.IsNullOrEmpty((string?)pod["spec"]?["nodeName"]) || phase is "Succeeded" or "Failed") return 0;
        return requested ?? (long?)pod["spec"]?["terminationGracePeriodSeconds"] ?? 30;
    }
}

/// <summary>pods/binding: the scheduler's one write. Sets spec.nodeName once and marks the pod scheduled.</summary>
public sealed class BindingSubresource : Subresource
{
    public override IReadOnlyList<string> Verbs { get; } = ["create"];
    public override string Kind => "Binding";

    public override async Task HandleAsync(ApiRequest req, ResourceStorage storage)
    {
        var rt = req.Resource;
        if (req.Http.Request.Method != "POST") throw ApiException.MethodNotSupported(new GroupResource("", "pods/binding"), req.Http.Request.Method.ToLowerInvariant());
        var name = req.Info.Name!;
        var dryRun = req.DryRun;
        var binding = await req.ReadObjectAsync("Binding", "v1", typeof(k8s.Models.V1Binding));
        var node = (string?)binding["target"]?["name"];
        if (string.IsNullOrEmpty(node))
            throw ApiException.Invalid("Binding", "", name, [new("FieldValueRequired", "target.name", "Required value")]);
        var resource = new GroupResource("", "pods/binding");
        await storage.UpdateAsync(rt, req.Info.Namespace, name, pod =>
        {
            if ((string?)pod["metadata"]!["uid"] is { } uid && (string?)binding["metadata"]?["uid"] is { Length: > 0 } want && want != uid)
                throw ApiException.Conflict(resource, name, $"Precondition failed: UID in precondition: {want}, UID in object meta: {uid}");
            if (pod["metadata"]!["deletionTimestamp"] is not null)
                throw ApiException.Conflict(resource, name, $"pod {name} is being deleted, cannot be assigned to a host");
            if ((string?)pod["spec"]?["nodeName"] is { Length: > 0 } bound)
                throw ApiException.Conflict(resource, name, $"pod {name} is already assigned to node \"{bound}\"");
            pod["spec"]!["nodeName"] = node;
            var status = pod["status"] as JsonObject ?? [];
            var conditions = status["conditions"] as JsonArray ?? [];
            foreach (var c in conditions.Where(c => (string?)c?["type"] == "PodScheduled").ToList()) conditions.Remove(c);
            conditions.Add(new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = storage.Now() });
            status["conditions"] = conditions;
            pod["status"] = status;
            return pod;
        }, dryRun, req.Aborted);
        await req.WriteJsonAsync(201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 });
    }
}

/// <summary>
/// pods/eviction: a graceful delete that honours PodDisruptionBudgets. A pod whose budget allows no disruption
/// gets 429 TooManyRequests; otherwise the budget's disruptionsAllowed is spent and the pod deleted.
/// </summary>
public sealed class EvictionSubresource : Subresource
{
    public override IReadOnlyList<string> Verbs { get; } = ["create"];
    public override string Kind => "Eviction";
    public override string Group => "policy";
    public override string Version => "v1";

    public override async Task HandleAsync(ApiRequest req, ResourceStorage storage)
    {
        var rt = req.Resource;
        if (req.Http.Request.Method != "POST") throw ApiException.MethodNotSupported(new GroupResource("", "pods/eviction"), req.Http.Request.Method.ToLowerInvariant());
        var name = req.Info.Name!;
        var ns = req.Info.Namespace!;
        var dryRun = req.DryRun;
        var eviction = await req.ReadObjectAsync("Eviction", "policy/v1", typeof(k8s.Models.V1Eviction));
        if ((string?)eviction["metadata"]?["name"] is { Length: > 0 } evictName && evictName != name)
            throw ApiException.BadRequest($"name in URL does not match name in Eviction object");
        var pod = (await storage.GetAsync(rt, ns, name, req.Aborted)).Object;
        var options = DeleteOptions.From(eviction["deleteOptions"] as JsonObject, _ => null);

        // Pods that are not running disrupt nothing, and a pod already terminating is simply deleted again.
        var phase = (string?)pod["status"]?["phase"];
        if (phase is "Running" && pod["metadata"]?["deletionTimestamp"] is null && !dryRun)
            await SpendBudgetAsync(storage, ns, pod, req.Aborted);

        await storage.DeleteAsync(rt, ns, name, options, dryRun, req.Aborted);
        await req.WriteJsonAsync(201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 });
    }

    static async Task SpendBudgetAsync(ResourceStorage storage, string ns, JsonObject pod, CancellationToken ct)
    {
        var pdbType = storage.Registry.Get("policy", "v1", "poddisruptionbudgets");
        var budgets = (await storage.ListAsync(pdbType, ns, ct)).Select(stored => stored.Object)
            .Where(pdb => pdb["spec"]?["selector"] is JsonObject sel && LabelSelector.FromLabelSelectorJson(sel).Matches(pod)).ToList();
        if (budgets.Count > 1)
            throw new ApiException(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        if (budgets.Count == 0) return;
        var pdb = budgets[0];
        var pdbName = (string)pdb["metadata"]!["name"]!;
        var allowed = (long?)pdb["status"]?["disruptionsAllowed"] ?? 0;
        if (allowed <= 0)
        {
            var desired = (long?)pdb["status"]?["desiredHealthy"] ?? 0;
            var healthy = (long?)pdb["status"]?["currentHealthy"] ?? 0;
            throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject
                    {
                        ["reason"] = "DisruptionBudget",
                        ["message"] = $"The disruption budget {pdbName} needs {desired} healthy pods and has {healthy} currently",
                    }),
                }) { RetryAfterSeconds = 10 };
        }
        await storage.UpdateAsync(pdbType, ns, pdbName, o =>
        {
            var status = o["status"]!.AsObject();
            status["disruptionsAllowed"] = ((long?)status["disruptionsAllowed"] ?? 0) - 1;
            var disrupted = status["disruptedPods"] as JsonObject ?? [];
            disrupted[(string)pod["metadata"]!["name"]!] = storage.Now();
            status["disruptedPods"] = disrupted;
            return o;
        }, false, ct);
    }
}
