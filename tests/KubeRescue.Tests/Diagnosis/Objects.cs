using k8s.Models;
using KubeRescue.Diagnosis;

namespace KubeRescue.Tests.Diagnosis;

/// <summary>API objects as a cluster returns them, built for the pure diagnosis functions; one fixed instant.</summary>
static class Objects
{
    public static readonly DateTime Now = new(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    public static V1Deployment Deployment(string name = "kube-scheduler", int replicas = 2, int? available = 2, string revision = "1") => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = "kube-system", Uid = $"uid-{name}", Annotations = new Dictionary<string, string> { ["deployment.kubernetes.io/revision"] = revision } },
        Spec = new() { Replicas = replicas, Selector = new() { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = name } }, Template = new() },
        Status = new() { AvailableReplicas = available },
    };

    public static V1ReplicaSet ReplicaSet(string name, string ownerUid, string revision, int replicas = 2, int reported = 2) => new()
    {
        Metadata = new()
        {
            Name = name, NamespaceProperty = "kube-system", Uid = $"uid-{name}",
            Annotations = new Dictionary<string, string> { ["deployment.kubernetes.io/revision"] = revision },
            OwnerReferences = [new() { Kind = "Deployment", Name = "x", Uid = ownerUid, Controller = true, ApiVersion = "apps/v1" }],
        },
        Spec = new() { Replicas = replicas, Selector = new() },
        Status = new() { Replicas = reported },
    };

    /// <summary>A pod; Running and Ready unless told otherwise, owned by <paramref name="owner"/> (a ReplicaSet's name).</summary>
    public static V1Pod Pod(string name, string? node = "master-1", string phase = "Running", bool ready = true, string? owner = null,
        int restarts = 0, string? waiting = null, int? exitCode = null, bool hostNetwork = false, bool deleting = false,
        IDictionary<string, string>? labels = null, IDictionary<string, string>? annotations = null, DateTime? created = null,
        string? schedulerName = "default-scheduler", string ns = "kube-system", string? scheduledReason = null)
    {
        var state = new V1ContainerState();
        if (waiting is not null) state.Waiting = new() { Reason = waiting };
        else if (exitCode is { } code) state.Terminated = new() { ExitCode = code, Reason = code == 0 ? "Completed" : "Error" };
        else if (phase == "Running") state.Running = new();
        var conditions = new List<V1PodCondition> { new() { Type = "Ready", Status = ready ? "True" : "False" } };
        if (scheduledReason is not null) conditions.Add(new() { Type = "PodScheduled", Status = "False", Reason = scheduledReason });
        return new()
        {
            Metadata = new()
            {
                Name = name, NamespaceProperty = ns, Uid = $"uid-{name}", Labels = labels, Annotations = annotations,
                CreationTimestamp = created ?? Now.AddMinutes(-5),
                DeletionTimestamp = deleting ? Now : null,
                OwnerReferences = owner is null ? null : [new() { Kind = "ReplicaSet", Name = owner, Uid = $"uid-{owner}", Controller = true, ApiVersion = "apps/v1" }],
            },
            Spec = new() { NodeName = node, HostNetwork = hostNetwork, SchedulerName = schedulerName, Containers = [new() { Name = "c", Image = "i" }] },
            Status = new()
            {
                Phase = phase, Conditions = conditions,
                ContainerStatuses = node is null ? null : [new() { Name = "c", Image = "i", ImageID = "", Ready = ready, RestartCount = restarts, State = state }],
            },
        };
    }

    public static V1Pod Rescue(string component, string node = "master-2", string? revision = "1") => Pod($"{component}-rescue", node,
        labels: new Dictionary<string, string> { [RescueMetadata.ComponentLabel] = component },
        annotations: revision is null ? null : new Dictionary<string, string> { [RescueMetadata.RevisionAnnotation] = revision });

    public static LeaderRecord Lease(string? holder, double secondsAgo = 2, int duration = 15) =>
        new(holder, duration, Now.AddSeconds(-secondsAgo), "Lease");
}
