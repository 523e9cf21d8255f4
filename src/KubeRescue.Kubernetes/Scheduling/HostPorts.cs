using k8s.Models;

namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>A host port a pod takes: protocol (TCP if unset), host IP (<c>0.0.0.0</c>, every address, if unset) and port.</summary>
public readonly record struct HostPort(string Protocol, string HostIP, int Port)
{
    public const string AllAddresses = "0.0.0.0";

    /// <summary>HostPortInfo.CheckConflict: the same protocol and port, where either binds every address or both the same one.</summary>
    public bool Conflicts(HostPort other) =>
        Protocol == other.Protocol && Port == other.Port && (HostIP == AllAddresses || other.HostIP == AllAddresses || HostIP == other.HostIP);

    public override string ToString() => $"{Port}/{Protocol}";
}

/// <summary>The host ports of a pod, as the scheduler's NodePorts plugin and the kubelet's admission read them.</summary>
public static class HostPorts
{
    /// <summary>
    /// The ports that take a host port, as the scheduler's GetHostPorts reads them: those of the restartable init
    /// containers (sidecars, which run the pod's whole life), then those of its containers; other init containers
    /// do not count. For a hostNetwork pod the API server defaults hostPort to containerPort; reading them that way
    /// also serves a pod not created yet, such as a rendered rescue pod.
    /// </summary>
    public static IEnumerable<HostPort> Of(V1PodSpec spec)
    {
        var running = (spec.InitContainers ?? []).Where(c => c.RestartPolicy == "Always").Concat(spec.Containers ?? []);
        foreach (var container in running)
            foreach (var port in container.Ports ?? [])
            {
                var hostPort = port.HostPort is > 0 ? port.HostPort.Value : spec.HostNetwork == true ? port.ContainerPort : 0;
                if (hostPort <= 0) continue;
                yield return new HostPort(string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol,
                    string.IsNullOrEmpty(port.HostIP) ? HostPort.AllAddresses : port.HostIP, hostPort);
            }
    }

    /// <summary>nodeports.Fits: whether none of the pod's host ports conflicts with one the node's pods hold.</summary>
    public static bool Fit(V1PodSpec spec, IEnumerable<V1Pod> podsOnNode)
    {
        var wanted = Of(spec).ToList();
        if (wanted.Count == 0) return true;
        foreach (var pod in podsOnNode)
            foreach (var held in Of(pod.Spec))
                if (wanted.Any(w => w.Conflicts(held))) return false;
        return true;
    }
}
