using System.Globalization;
using k8s.Models;

namespace KubeRescue.Placement;

/// <summary>
/// How a pod meets a node in the kubelet's admission, as upstream's component-helpers and the scheduler's
/// framework define it: tolerations against taints, nodeSelector and required node affinity, resource requests,
/// host ports.
/// </summary>
internal static class NodeRules
{
    public const string NoExecute = "NoExecute";

    /// <summary>v1.Toleration.ToleratesTaint: an empty effect tolerates every effect, an empty key with Exists every key.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) => tolerations?.Any(t => Tolerates(t, taint)) ?? false;

    /// <summary>The node's NoExecute taints the pod does not tolerate: the kubelet refuses the pod for any of them.</summary>
    public static IEnumerable<V1Taint> UntoleratedNoExecute(V1PodSpec spec, V1Node node) =>
        (node.Spec?.Taints ?? []).Where(t => t.Effect == NoExecute && !Tolerates(spec.Tolerations, t));

    /// <summary>nodeSelector and required node affinity: terms ORed, a term's requirements ANDed.</summary>
    public static bool Matches(V1PodSpec spec, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        if (spec.NodeSelector is { } selector && selector.Any(kv => !labels.TryGetValue(kv.Key, out var v) || v != kv.Value)) return false;
        var required = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || (required.NodeSelectorTerms?.Any(term => Matches(term, node)) ?? false);
    }

    /// <summary>A term holds when all its label expressions and fields (metadata.name only) hold; an empty term selects nothing.</summary>
    static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0) return false;
        var labels = node.Metadata.Labels;
        return expressions.All(e => Holds(e, labels is not null && labels.TryGetValue(e.Key, out var v) ? v : null))
            && fields.All(f => f.Key == "metadata.name" && Holds(f, node.Metadata.Name));
    }

    static bool Holds(V1NodeSelectorRequirement r, string? value) => r.OperatorProperty switch
    {
        "In" => value is not null && (r.Values?.Contains(value) ?? false),
        "NotIn" => value is null || !(r.Values?.Contains(value) ?? false),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" or "Lt" => value is not null && r.Values is [var bound]
            && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var have)
            && long.TryParse(bound, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var want)
            && (r.OperatorProperty == "Gt" ? have > want : have < want),
        _ => false,
    };

    /// <summary>
    /// The host ports a pod takes, as (protocol, host IP, port). The API server defaults hostPort to containerPort for
    /// hostNetwork pods; reading them that way also covers a pod not yet created (the rendered rescue pod).
    /// </summary>
    public static IEnumerable<(string Protocol, string HostIP, int Port)> HostPorts(V1PodSpec spec)
    {
        foreach (var c in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
            foreach (var port in c.Ports ?? [])
            {
                var hostPort = port.HostPort is > 0 ? port.HostPort.Value : spec.HostNetwork == true ? port.ContainerPort : 0;
                if (hostPort > 0) yield return (port.Protocol ?? "TCP", string.IsNullOrEmpty(port.HostIP) ? "0.0.0.0" : port.HostIP, hostPort);
            }
    }

    /// <summary>Two host ports collide on the same protocol and port when either binds every address or both bind the same one.</summary>
    public static bool Collide((string Protocol, string HostIP, int Port) a, (string Protocol, string HostIP, int Port) b) =>
        a.Protocol == b.Protocol && a.Port == b.Port && (a.HostIP == "0.0.0.0" || b.HostIP == "0.0.0.0" || a.HostIP == b.HostIP);
}
