using k8s.Models;

namespace KubeRescue.Lab.Components.Nodes;

public enum NodeRole { Worker, Master }

/// <summary>
/// What one emulated node is, as data (KWOK's "behaviour as data"): the kubelet registers the Node from it and
/// admits pods against it. Capacity values are Kubernetes quantities; allocatable defaults to capacity.
/// </summary>
public sealed record NodeSpec(string Name, string InternalIP, NodeRole Role = NodeRole.Worker)
{
    /// <summary>Labels beyond the kubelet's own (hostname, os, arch, and the master role label).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints registered with the node; null means the role's default (masters: <c>node-role.kubernetes.io/master=:NoSchedule</c>).</summary>
    public IReadOnlyList<V1Taint>? Taints { get; init; }

    public string Cpu { get; init; } = "2";
    public string Memory { get; init; } = "4Gi";
    public int Pods { get; init; } = 110;

    public string? AllocatableCpu { get; init; }
    public string? AllocatableMemory { get; init; }
    public int? AllocatablePods { get; init; }

    public const string MasterRoleLabel = "node-role.kubernetes.io/master";

    public static NodeSpec Master(string name, string internalIP) => new(name, internalIP, NodeRole.Master);

    public static NodeSpec Worker(string name, string internalIP) => new(name, internalIP);

    /// <summary>The taints the node registers with.</summary>
    public IReadOnlyList<V1Taint> EffectiveTaints =>
        Taints ?? (Role == NodeRole.Master ? [new V1Taint { Key = MasterRoleLabel, Effect = "NoSchedule" }] : []);

    /// <summary>The labels the kubelet registers: its defaults, the role label for masters, then the spec's own.</summary>
    public Dictionary<string, string> EffectiveLabels()
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["beta.kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["kubernetes.io/hostname"] = Name,
            ["kubernetes.io/os"] = "linux",
        };
        if (Role == NodeRole.Master) labels[MasterRoleLabel] = "";
        foreach (var (k, v) in Labels) labels[k] = v;
        return labels;
    }
}
