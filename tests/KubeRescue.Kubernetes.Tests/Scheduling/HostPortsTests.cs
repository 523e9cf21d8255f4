using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Kubernetes.Tests.Scheduling;

/// <summary>Pods with host ports written as upstream's tests write them: "PROTOCOL/HOSTIP/HOSTPORT" (parts may be empty).</summary>
static class Ports
{
    public static V1ContainerPort Port(string spec)
    {
        var parts = spec.Split('/');
        return new V1ContainerPort { Protocol = parts[0], HostIP = parts[1], HostPort = int.Parse(parts[2]) };
    }

    public static V1Pod Pod(params string[] ports) =>
        new() { Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Ports = ports.Select(Port).ToList() }] } };

    public static V1Pod InitPod(bool sidecar, params string[] ports) => new()
    {
        Spec = new V1PodSpec
        {
            InitContainers = [new V1Container { Name = "init", RestartPolicy = sidecar ? "Always" : null, Ports = ports.Select(Port).ToList() }],
            Containers = [new V1Container { Name = "c" }],
        },
    };
}

/// <summary>Upstream: pkg/scheduler/framework/plugins/nodeports node_ports_test.go TestNodePorts and TestFits.</summary>
public class NodePortsTests
{
    public static TheoryData<string, V1Pod, V1Pod[], bool> Cases => new()
    {
        // TestNodePorts
        { "skip filter: no ports", new V1Pod { Spec = new V1PodSpec() }, [], true },
        { "other port", Ports.Pod("UDP/127.0.0.1/8080"), [Ports.Pod("UDP/127.0.0.1/9090")], true },
        { "same udp port", Ports.Pod("UDP/127.0.0.1/8080"), [Ports.Pod("UDP/127.0.0.1/8080")], false },
        { "same tcp port", Ports.Pod("TCP/127.0.0.1/8080"), [Ports.Pod("TCP/127.0.0.1/8080")], false },
        { "different host ip", Ports.Pod("TCP/127.0.0.1/8080"), [Ports.Pod("TCP/127.0.0.2/8080")], true },
        { "different protocol", Ports.Pod("UDP/127.0.0.1/8080"), [Ports.Pod("TCP/127.0.0.1/8080")], true },
        { "second udp port conflict", Ports.Pod("UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"), [Ports.Pod("UDP/127.0.0.1/8080")], false },
        { "first tcp port conflict", Ports.Pod("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"), [Ports.Pod("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081")], false },
        { "first tcp port conflict due to 0.0.0.0 hostIP", Ports.Pod("TCP/0.0.0.0/8001"), [Ports.Pod("TCP/127.0.0.1/8001")], false },
        { "TCP hostPort conflict due to 0.0.0.0 hostIP", Ports.Pod("TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"), [Ports.Pod("TCP/127.0.0.1/8001")], false },
        { "second tcp port conflict to 0.0.0.0 hostIP", Ports.Pod("TCP/127.0.0.1/8001"), [Ports.Pod("TCP/0.0.0.0/8001")], false },
        { "second different protocol", Ports.Pod("UDP/127.0.0.1/8001"), [Ports.Pod("TCP/0.0.0.0/8001")], true },
        { "UDP hostPort conflict due to 0.0.0.0 hostIP", Ports.Pod("UDP/127.0.0.1/8001"), [Ports.Pod("TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001")], false },
        { "non-sidecar initContainer using hostPort", Ports.InitPod(false, "TCP//8001"), [Ports.Pod("TCP/0.0.0.0/8001")], true },
        { "TCP hostPort conflict from sidecar initContainer", Ports.InitPod(true, "TCP//8001"), [Ports.Pod("TCP/0.0.0.0/8001")], false },
        // TestFits
        { "non-conflicting ports", Ports.Pod("TCP/127.0.0.1/80"), [Ports.Pod("TCP/127.0.0.1/9090")], true },
        {
            "multiple non-conflicting ports", Ports.Pod("TCP/127.0.0.1/80", "TCP/127.0.1.1/80", "TCP/127.0.1.1/90", "TCP/127.0.1.1/100"),
            [Ports.Pod("TCP/127.0.0.1/9090", "TCP/127.0.0.1/9191", "TCP/127.0.1.1/8080")], true
        },
        { "same ports on different protocols", Ports.Pod("TCP/127.0.0.1/80"), [Ports.Pod("UDP/127.0.0.1/80")], true },
        { "conflicting ports", Ports.Pod("TCP/127.0.0.1/80"), [Ports.Pod("TCP/127.0.0.1/80")], false },
        {
            "multiple ports, some conflicting", Ports.Pod("TCP/127.0.0.1/80", "TCP/127.0.1.1/80", "TCP/127.0.1.1/90", "TCP/127.0.1.1/100"),
            [Ports.Pod("TCP/127.0.0.1/9090", "TCP/127.0.1.1/90", "TCP/127.0.1.1/8080")], false
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fit(string _, V1Pod pod, V1Pod[] onNode, bool fits) => Assert.Equal(fits, HostPorts.Fit(pod.Spec, onNode));

    [Fact]
    public void ASidecarOnTheNodeHoldsItsPort()
    {
        // The node's pods count the same way (NodeInfo.updateUsedPorts reads GetHostPorts too).
        Assert.False(HostPorts.Fit(Ports.Pod("TCP//8001").Spec, [Ports.InitPod(true, "TCP//8001")]));
        Assert.True(HostPorts.Fit(Ports.Pod("TCP//8001").Spec, [Ports.InitPod(false, "TCP//8001")]));
    }
}

/// <summary>
/// Upstream: pkg/scheduler/framework types_test.go TestHostPortInfo_Check: the ports already added are held by a pod
/// on the node, the port checked is the pod's own; an empty protocol is TCP and an empty host IP 0.0.0.0.
/// </summary>
public class HostPortInfoCheckTests
{
    // TestHostPortInfo_AddRemove is left out: it counts the entries of upstream's HostPortInfo set, which we have not.
    [Theory]
    [InlineData("empty check is 0.0.0.0 and TCP", new[] { "TCP/127.0.0.1/80" }, "//81", false)]
    [InlineData("empty check is 0.0.0.0 and TCP (conflicted)", new[] { "TCP/127.0.0.1/80" }, "//80", true)]
    [InlineData("empty port check should pass", new[] { "TCP/127.0.0.1/80" }, "//0", false)]
    [InlineData("0.0.0.0 checks every registered IP", new[] { "TCP/127.0.0.1/80" }, "TCP/0.0.0.0/80", true)]
    [InlineData("0.0.0.0 with a different protocol is allowed", new[] { "UDP/127.0.0.1/80" }, "TCP/0.0.0.0/80", false)]
    [InlineData("0.0.0.0 with a different port is allowed", new[] { "TCP/127.0.0.1/79", "TCP/127.0.0.1/81", "TCP/127.0.0.1/82" }, "TCP/0.0.0.0/80", false)]
    [InlineData("a normal IP checks every registered 0.0.0.0", new[] { "TCP/0.0.0.0/80" }, "TCP/127.0.0.1/80", true)]
    [InlineData("a normal IP with a different port or protocol is allowed (0.0.0.0)", new[] { "TCP/0.0.0.0/79", "UDP/0.0.0.0/80", "TCP/0.0.0.0/81", "TCP/0.0.0.0/82" }, "TCP/127.0.0.1/80", false)]
    [InlineData("a normal IP with a different port or protocol is allowed", new[] { "TCP/127.0.0.1/79", "UDP/127.0.0.1/80", "TCP/127.0.0.1/81", "TCP/127.0.0.1/82" }, "TCP/127.0.0.1/80", false)]
    public void CheckConflict(string _, string[] added, string check, bool conflict)
    {
        Assert.Equal(!conflict, HostPorts.Fit(Ports.Pod(check).Spec, [Ports.Pod(added)]));
        // The same through the record: every port the node holds against every one wanted.
        var held = HostPorts.Of(Ports.Pod(added).Spec).ToList();
        Assert.Equal(conflict, HostPorts.Of(Ports.Pod(check).Spec).Any(w => held.Any(w.Conflicts)));
    }

    [Fact]
    public void PortsAreReadWithTheirDefaults()
    {
        Assert.Equal([new HostPort("TCP", "0.0.0.0", 81), new HostPort("UDP", "10.0.0.1", 82)], HostPorts.Of(Ports.Pod("//81", "UDP/10.0.0.1/82", "TCP//0").Spec));
        Assert.Equal("81/TCP", new HostPort("TCP", "0.0.0.0", 81).ToString());
    }
}

/// <summary>
/// Upstream: pkg/apis/core/v1 defaults.go SetDefaults_Pod (defaultHostNetworkPorts): with hostNetwork, a port that
/// names no hostPort takes its containerPort, in containers and init containers alike.
/// </summary>
public class HostNetworkPortDefaultingTests
{
    /// <param name="init">null for a container; else an init container, restartable (a sidecar) if true</param>
    static V1PodSpec Spec(bool hostNetwork, int containerPort, int? hostPort, bool? init = null)
    {
        var ports = new List<V1ContainerPort> { new() { ContainerPort = containerPort, HostPort = hostPort } };
        var container = new V1Container { Name = "c", Ports = ports, RestartPolicy = init == true ? "Always" : null };
        return init is null
            ? new V1PodSpec { HostNetwork = hostNetwork, Containers = [container] }
            : new V1PodSpec { HostNetwork = hostNetwork, InitContainers = [container], Containers = [new V1Container { Name = "main" }] };
    }

    [Theory]
    [InlineData(true, 8080, null, 8080)]
    [InlineData(true, 8080, 0, 8080)]
    [InlineData(true, 8080, 8080, 8080)]
    [InlineData(false, 8080, null, null)]
    [InlineData(false, 8080, 9090, 9090)]
    public void HostPortOfAContainerPort(bool hostNetwork, int containerPort, int? hostPort, int? taken) =>
        Assert.Equal(taken, HostPorts.Of(Spec(hostNetwork, containerPort, hostPort)).Select(p => (int?)p.Port).SingleOrDefault());

    [Fact]
    public void HostNetworkSidecarsTakeTheirContainerPorts()
    {
        // kubernetes#132037: two hostNetwork pods whose sidecars listen on the same containerPort do not fit together.
        var sidecar = Spec(true, 8081, null, init: true);
        Assert.Equal([new HostPort("TCP", "0.0.0.0", 8081)], HostPorts.Of(sidecar));
        Assert.False(HostPorts.Fit(sidecar, [new V1Pod { Spec = Spec(true, 8081, null, init: true) }]));
        // An init container that runs to completion is defaulted too, but holds no port.
        Assert.Empty(HostPorts.Of(Spec(true, 8081, null, init: false)));
    }
}
