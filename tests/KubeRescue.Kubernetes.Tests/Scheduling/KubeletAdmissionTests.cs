using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Kubernetes.Tests.Scheduling;

/// <summary>Pods and nodes as pkg/kubelet/lifecycle predicate_test.go builds them.</summary>
static class Kubelet
{
    /// <summary>makeAllocatableResources(10, 20, 32, 0, 0, 0): cpu 10m, memory 20, 32 pods, none of the rest.</summary>
    public const string Allocatable = "cpu=10m,memory=20,pods=32,example.com/aaa=0,ephemeral-storage=0,hugepages-2Mi=0";

    public static V1Node Machine1(string allocatable = Allocatable, V1Taint[]? taints = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "machine1" },
        Spec = new V1NodeSpec { Taints = taints },
        Status = new V1NodeStatus { Allocatable = Res.List(allocatable) },
    };

    public static V1Pod Pod(V1PodSpec? spec = null, bool fromFile = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "p",
            Annotations = fromFile ? new Dictionary<string, string> { ["kubernetes.io/config.source"] = "file" } : null,
        },
        Spec = spec ?? new V1PodSpec(),
    };

    public static V1Pod Requesting(string requests) => Pod(Res.Spec([Res.Ctr(requests)]));

    public static V1Pod WithHostPort(int port) =>
        Pod(new V1PodSpec { Containers = [new V1Container { Name = "c", Ports = [new V1ContainerPort { HostPort = port }] }] });

    public static V1Taint Taint(string key, string effect) => new() { Key = key, Effect = effect };

    public static V1PodSpec FooExists(string? nodeName = null)
    {
        var spec = Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "Exists")));
        spec.NodeName = nodeName;
        return spec;
    }
}

/// <summary>
/// Upstream: pkg/kubelet/lifecycle predicate_test.go TestGeneralPredicates, with the first failure as Admit reports
/// it. Left out: the cases that fetch the node afresh when the cached one fails node affinity, and
/// skipIgnorableChecks (newer kubelets; ours judges the one node it is given).
/// </summary>
public class GeneralPredicatesTests
{
    public static TheoryData<string, V1Pod, V1Pod[], V1Node, string[]> Cases => new()
    {
        { "no resources/port/host requested always fits", Kubelet.Pod(), [Kubelet.Requesting("cpu=9m,memory=19")], Kubelet.Machine1(), [] },
        { "not enough cpu and memory resource", Kubelet.Requesting("cpu=8m,memory=10"), [Kubelet.Requesting("cpu=5m,memory=19")], Kubelet.Machine1(), ["OutOfcpu", "OutOfmemory"] },
        { "host not match", Kubelet.Pod(new V1PodSpec { NodeName = "machine2" }), [], Kubelet.Machine1(), [AdmissionFailure.NodeName] },
        { "hostport conflict", Kubelet.WithHostPort(123), [Kubelet.WithHostPort(123)], Kubelet.Machine1(), [AdmissionFailure.NodePorts] },
        {
            "taint/toleration match",
            Kubelet.Pod(new V1PodSpec { Tolerations = [new V1Toleration { Key = "foo" }, new V1Toleration { Key = "bar" }] }), [],
            Kubelet.Machine1(taints: [Kubelet.Taint("foo", "NoSchedule"), Kubelet.Taint("bar", "NoExecute")]), []
        },
        { "NoSchedule taint/toleration not match", Kubelet.Pod(), [], Kubelet.Machine1(taints: [Kubelet.Taint("foo", "NoSchedule")]), [] },
        { "NoExecute taint/toleration not match", Kubelet.Pod(), [], Kubelet.Machine1(taints: [Kubelet.Taint("bar", "NoExecute")]), [AdmissionFailure.TaintToleration] },
        { "PreferNoSchedule taint/toleration not match", Kubelet.Pod(), [], Kubelet.Machine1(taints: [Kubelet.Taint("baz", "PreferNoSchedule")]), [] },
        {
            "static pods ignore taints", Kubelet.Pod(fromFile: true), [],
            Kubelet.Machine1(taints: [Kubelet.Taint("foo", "NoSchedule"), Kubelet.Taint("bar", "NoExecute")]), []
        },
        { "node affinity failure", Kubelet.Pod(Kubelet.FooExists(), fromFile: true), [], Kubelet.Machine1(), [AdmissionFailure.NodeAffinity] },
        {
            "node affinity failure and node name doesn't match", Kubelet.Pod(Kubelet.FooExists("some-node-name"), fromFile: true), [],
            Kubelet.Machine1(), [AdmissionFailure.NodeAffinity, AdmissionFailure.NodeName]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check(string _, V1Pod pod, V1Pod[] others, V1Node node, string[] reasons) =>
        Assert.Equal(reasons, KubeletAdmission.Check(pod, node, others).Select(f => f.Reason));

    [Fact]
    public void MessagesAreTheKubeletsErrors()
    {
        // InsufficientResourceError.Error and PredicateFailureError.Error, as the rejected pod's status message.
        var failures = KubeletAdmission.Check(Kubelet.Requesting("cpu=8m,memory=10"), Kubelet.Machine1(), [Kubelet.Requesting("cpu=5m,memory=19")]);
        Assert.Equal(
            ["Node didn't have enough resource: cpu, requested: 8, used: 5, capacity: 10", "Node didn't have enough resource: memory, requested: 10, used: 19, capacity: 20"],
            failures.Select(f => f.Message));
        var name = Assert.Single(KubeletAdmission.Check(Kubelet.Pod(new V1PodSpec { NodeName = "machine2" }), Kubelet.Machine1(), []));
        Assert.Equal("Predicate NodeName failed: node(s) didn't match the requested node name", name.Message);
        var taint = Assert.Single(KubeletAdmission.Check(Kubelet.Pod(), Kubelet.Machine1(taints: [Kubelet.Taint("bar", "NoExecute")]), []));
        Assert.Equal("Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate", taint.Message);
    }

    [Fact]
    public void FailuresComeInTheKubeletsOrder()
    {
        // AdmissionCheck (resources, node affinity, node name, host ports), then the NoExecute taints.
        var pod = Kubelet.Pod(Kubelet.FooExists("machine2"));
        pod.Spec.Containers = [new V1Container { Name = "c", Ports = [new V1ContainerPort { HostPort = 123 }], Resources = new V1ResourceRequirements { Requests = Res.List("cpu=1") } }];
        var node = Kubelet.Machine1("cpu=10m,memory=20,pods=1", [Kubelet.Taint("bar", "NoExecute")]);
        Assert.Equal(
            ["OutOfpods", "OutOfcpu", AdmissionFailure.NodeAffinity, AdmissionFailure.NodeName, AdmissionFailure.NodePorts, AdmissionFailure.TaintToleration],
            KubeletAdmission.Check(pod, node, [Kubelet.WithHostPort(123)]).Select(f => f.Reason));
    }

    [Fact]
    public void ChoosingANodeIgnoresTheNodeThePodNames()
    {
        // Ours, not upstream's: checkNodeName false judges the node whatever node the pod names.
        var pod = Kubelet.Pod(new V1PodSpec { NodeName = "machine2" });
        Assert.Empty(KubeletAdmission.Check(pod, Kubelet.Machine1(), [], checkNodeName: false));
    }

    [Theory]
    [InlineData("file", true)]
    [InlineData("http", true)]
    [InlineData("api", false)]
    [InlineData(null, false)]
    public void StaticPodsComeFromAnotherSource(string? source, bool isStatic)
    {
        // kubelet types.IsStaticPod: the config source annotation names a source other than the API server.
        var pod = Kubelet.Pod();
        if (source is not null) pod.Metadata.Annotations = new Dictionary<string, string> { ["kubernetes.io/config.source"] = source };
        Assert.Equal(isStatic, KubeletAdmission.IsStatic(pod));
    }
}

/// <summary>
/// Upstream: predicate_test.go TestRemoveMissingExtendedResources, seen through admission: a request of an extended
/// resource the node does not advertise is dropped before the check; one it advertises, even as 0, is checked.
/// Left out: the DRAExtendedResource cases (requests backed by DRA claims).
/// </summary>
public class RemoveMissingExtendedResourcesTests
{
    const string Base = "cpu=10m,memory=20,pods=32";

    /// <summary>makeTestPod: one container and one init container with the same requests and limits.</summary>
    static V1Pod TestPod(string requests, string limits) => Kubelet.Pod(Res.Spec([Res.Ctr(requests, limits)], [Res.Ctr(requests, limits)]));

    public static TheoryData<string, V1Pod, string, V1Pod[], string[]> Cases => new()
    {
        // Upstream's pod there is not defaulted; stored, its limit would be its request too, and is dropped likewise.
        { "requests in limits", TestPod("", "foo.com/bar=1"), $"{Base},foo.com/baz=1", [], [] },
        { "requests for resources available in node are checked", TestPod("foo.com/bar=1", ""), $"{Base},foo.com/bar=1", [TestPod("foo.com/bar=1", "")], ["OutOffoo.com/bar"] },
        { "requests for resources unavailable in node are dropped", TestPod("foo.com/bar=1", ""), $"{Base},foo.com/baz=1", [], [] },
        { "requests for extended resources with allocatable 0 are kept", TestPod("foo.com/bar=1", "foo.com/bar=1"), $"{Base},foo.com/bar=0", [], ["OutOffoo.com/bar"] },
        { "requests for extended resources not in the node are dropped", TestPod("foo.com/bar=1", "foo.com/bar=1"), Base, [], [] },
        // Ours, after IsExtendedResourceName: native resources, hugepages and kubernetes.io ones are never dropped.
        { "hugepages are no extended resource", TestPod("hugepages-2Mi=2Mi", ""), Base, [], ["OutOfhugepages-2Mi"] },
        { "kubernetes.io resources are no extended resource", TestPod("kubernetes.io/something=1", ""), Base, [], ["OutOfkubernetes.io/something"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check(string _, V1Pod pod, string allocatable, V1Pod[] others, string[] reasons) =>
        Assert.Equal(reasons, KubeletAdmission.Check(pod, Kubelet.Machine1(allocatable), others).Select(f => f.Reason));
}
