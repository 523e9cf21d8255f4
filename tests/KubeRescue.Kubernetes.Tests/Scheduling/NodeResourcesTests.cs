using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Kubernetes.Tests.Scheduling;

/// <summary>
/// Upstream: pkg/scheduler/framework/plugins/noderesources fit_test.go TestEnoughRequests, TestNotEnoughRequests,
/// TestStorageRequests and TestRestartableInitContainers (sidecars enabled, as in v1.33). Resources are written as
/// upstream's framework.Resource: cpu in millicores ("cpu=1m"), everything else in units.
/// </summary>
public class NodeResourcesFitTests
{
    const string ExtA = "example.com/aaa";
    const string ExtB = "example.com/bbb";
    const string KubernetesIOA = "kubernetes.io/something";
    const string KubernetesIOB = "subdomain.kubernetes.io/something";
    const string HugePageA = "hugepages-2Mi";

    /// <summary>makeAllocatableResources(10, 20, 32, 5, 20, 5), the node of TestEnoughRequests and TestStorageRequests.</summary>
    const string Node = $"cpu=10m,memory=20,pods=32,{ExtA}=5,ephemeral-storage=20,{HugePageA}=5";

    static V1PodSpec Pod(params string[] containers) => Res.Spec(containers.Select(c => Res.Ctr(c)).ToArray());

    static V1PodSpec WithInit(V1PodSpec pod, params string[] init)
    {
        pod.InitContainers = init.Select(c => Res.Ctr(c)).ToList();
        return pod;
    }

    static V1PodSpec WithOverhead(V1PodSpec pod, string overhead)
    {
        pod.Overhead = Res.List(overhead);
        return pod;
    }

    static V1PodSpec WithPodLevel(V1PodSpec pod, string requests)
    {
        pod.Resources = new V1ResourceRequirements { Requests = Res.List(requests) };
        return pod;
    }

    static InsufficientResource Lacks(string resource, long requested, long used, long capacity) => new(resource, requested, used, capacity);

    static IReadOnlyList<InsufficientResource> Fits(V1PodSpec pod, string allocatable, params V1PodSpec[] onNode)
    {
        var pods = onNode.Select(spec => new V1Pod { Spec = spec }).ToList();
        return NodeResources.Insufficient(PodResources.Requests(pod), Res.Amounts(allocatable), NodeResources.Requested(pods), pods.Count);
    }

    public static TheoryData<string, V1PodSpec, V1PodSpec[], InsufficientResource[]> EnoughRequests => new()
    {
        { "no resources requested always fits", new V1PodSpec(), [Pod("cpu=10m,memory=20")], [] },
        { "too many resources fails", Pod("cpu=1m,memory=1"), [Pod("cpu=10m,memory=20")], [Lacks("cpu", 1, 10, 10), Lacks("memory", 1, 20, 20)] },
        { "fails due to init container cpu", WithInit(Pod("cpu=1m,memory=1"), "cpu=3m,memory=1"), [Pod("cpu=8m,memory=19")], [Lacks("cpu", 3, 8, 10)] },
        { "fails due to highest init container cpu", WithInit(Pod("cpu=1m,memory=1"), "cpu=3m,memory=1", "cpu=2m,memory=1"), [Pod("cpu=8m,memory=19")], [Lacks("cpu", 3, 8, 10)] },
        { "fails due to init container memory", WithInit(Pod("cpu=1m,memory=1"), "cpu=1m,memory=3"), [Pod("cpu=9m,memory=19")], [Lacks("memory", 3, 19, 20)] },
        { "fails due to highest init container memory", WithInit(Pod("cpu=1m,memory=1"), "cpu=1m,memory=3", "cpu=1m,memory=2"), [Pod("cpu=9m,memory=19")], [Lacks("memory", 3, 19, 20)] },
        { "init container fits: the max, not the sum", WithInit(Pod("cpu=1m,memory=1"), "cpu=1m,memory=1"), [Pod("cpu=9m,memory=19")], [] },
        { "multiple init containers fit: the max, not the sum", WithInit(Pod("cpu=1m,memory=1"), "cpu=1m,memory=1", "cpu=1m,memory=1"), [Pod("cpu=9m,memory=19")], [] },
        { "both resources fit", Pod("cpu=1m,memory=1"), [Pod("cpu=5m,memory=5")], [] },
        { "one resource memory fits", Pod("cpu=2m,memory=1"), [Pod("cpu=9m,memory=5")], [Lacks("cpu", 2, 9, 10)] },
        { "one resource cpu fits", Pod("cpu=1m,memory=2"), [Pod("cpu=5m,memory=19")], [Lacks("memory", 2, 19, 20)] },
        { "equal edge case", Pod("cpu=5m,memory=1"), [Pod("cpu=5m,memory=19")], [] },
        { "equal edge case for init container", WithInit(Pod("cpu=4m,memory=1"), "cpu=5m,memory=1"), [Pod("cpu=5m,memory=19")], [] },
        { "extended resource fits", Pod($"{ExtA}=1"), [Pod()], [] },
        { "extended resource fits for init container", WithInit(Pod(), $"{ExtA}=1"), [Pod()], [] },
        { "extended resource capacity enforced", Pod($"cpu=1m,memory=1,{ExtA}=10"), [Pod($"{ExtA}=0")], [Lacks(ExtA, 10, 0, 5)] },
        { "extended resource capacity enforced for init container", WithInit(Pod(), $"cpu=1m,memory=1,{ExtA}=10"), [Pod($"{ExtA}=0")], [Lacks(ExtA, 10, 0, 5)] },
        { "extended resource allocatable enforced", Pod($"cpu=1m,memory=1,{ExtA}=1"), [Pod($"{ExtA}=5")], [Lacks(ExtA, 1, 5, 5)] },
        { "extended resource allocatable enforced for init container", WithInit(Pod(), $"cpu=1m,memory=1,{ExtA}=1"), [Pod($"{ExtA}=5")], [Lacks(ExtA, 1, 5, 5)] },
        { "extended resource allocatable enforced for multiple containers", Pod($"cpu=1m,memory=1,{ExtA}=3", $"cpu=1m,memory=1,{ExtA}=3"), [Pod($"{ExtA}=2")], [Lacks(ExtA, 6, 2, 5)] },
        { "extended resource allocatable admits multiple init containers", WithInit(Pod(), $"cpu=1m,memory=1,{ExtA}=3", $"cpu=1m,memory=1,{ExtA}=3"), [Pod($"{ExtA}=2")], [] },
        { "extended resource allocatable enforced for multiple init containers", WithInit(Pod(), $"cpu=1m,memory=1,{ExtA}=6", $"cpu=1m,memory=1,{ExtA}=3"), [Pod($"{ExtA}=2")], [Lacks(ExtA, 6, 2, 5)] },
        { "extended resource allocatable enforced for unknown resource", Pod($"cpu=1m,memory=1,{ExtB}=1"), [Pod()], [Lacks(ExtB, 1, 0, 0)] },
        { "extended resource allocatable enforced for unknown resource for init container", WithInit(Pod(), $"cpu=1m,memory=1,{ExtB}=1"), [Pod()], [Lacks(ExtB, 1, 0, 0)] },
        { "kubernetes.io resource capacity enforced", Pod($"cpu=1m,memory=1,{KubernetesIOA}=10"), [Pod()], [Lacks(KubernetesIOA, 10, 0, 0)] },
        { "kubernetes.io resource capacity enforced for init container", WithInit(Pod(), $"cpu=1m,memory=1,{KubernetesIOB}=10"), [Pod()], [Lacks(KubernetesIOB, 10, 0, 0)] },
        { "hugepages resource capacity enforced", Pod($"cpu=1m,memory=1,{HugePageA}=10"), [Pod($"{HugePageA}=0")], [Lacks(HugePageA, 10, 0, 5)] },
        { "hugepages resource capacity enforced for init container", WithInit(Pod(), $"cpu=1m,memory=1,{HugePageA}=10"), [Pod($"{HugePageA}=0")], [Lacks(HugePageA, 10, 0, 5)] },
        { "hugepages resource allocatable enforced for multiple containers", Pod($"cpu=1m,memory=1,{HugePageA}=3", $"cpu=1m,memory=1,{HugePageA}=3"), [Pod($"{HugePageA}=2")], [Lacks(HugePageA, 6, 2, 5)] },
        // Left out: "skip checking ignored extended resource" and "... via resource groups" need the plugin's
        // IgnoredResources / IgnoredResourceGroups arguments, which a default scheduler does not set.
        { "resources + pod overhead fits", WithOverhead(Pod("cpu=1m,memory=1"), "cpu=3m,memory=13"), [Pod("cpu=5m,memory=5")], [] },
        { "requests + overhead does not fit for memory", WithOverhead(Pod("cpu=1m,memory=1"), "cpu=1m,memory=15"), [Pod("cpu=5m,memory=5")], [Lacks("memory", 16, 5, 20)] },
        { "skip checking extended resource request with quantity zero", Pod($"cpu=1m,memory=1,{ExtA}=0"), [Pod($"{ExtA}=6")], [] },
        { "skip checking resource request with quantity zero", Pod($"{ExtA}=1"), [Pod($"cpu=20m,memory=30,{ExtA}=1")], [] },
        { "both pod-level and container-level resources fit", WithPodLevel(Pod("cpu=1m,memory=1"), "cpu=1m,memory=2"), [Pod("cpu=5m,memory=5")], [] },
        { "pod-level cpu resource not fit", WithPodLevel(Pod("cpu=1m,memory=1"), "cpu=7m,memory=2"), [Pod("cpu=5m,memory=5")], [Lacks("cpu", 7, 5, 10)] },
        { "pod-level memory resource not fit", WithPodLevel(Pod("cpu=1m,memory=1"), "cpu=3m,memory=2"), [Pod("cpu=5m,memory=19")], [Lacks("memory", 2, 19, 20)] },
        { "pod-level hugepages resource fit", WithPodLevel(Pod(), $"cpu=3m,memory=2,{HugePageA}=5"), [], [] },
        { "both pod-level and container-level hugepages resource fit", WithPodLevel(Pod($"cpu=1m,memory=1,{HugePageA}=3"), $"cpu=3m,memory=2,{HugePageA}=5"), [], [] },
        { "pod-level hugepages resource not fit", WithPodLevel(Pod(), $"cpu=3m,memory=2,{HugePageA}=10"), [], [Lacks(HugePageA, 10, 0, 5)] },
        {
            "one pod-level cpu resource fits and all init and non-init containers resources fit",
            WithInit(WithPodLevel(Pod("cpu=1m,memory=1"), "cpu=3m,memory=2"), "cpu=1m,memory=1"), [Pod("cpu=5m,memory=19")], [Lacks("memory", 2, 19, 20)]
        },
        // TestStorageRequests
        { "empty storage requested, and pod fits", Pod("cpu=1m,memory=1"), [Pod("cpu=2m,memory=10")], [] },
        { "storage ephemeral local storage request exceeds allocatable", Pod("ephemeral-storage=25"), [Pod("cpu=2m,memory=2")], [Lacks("ephemeral-storage", 25, 0, 20)] },
        { "ephemeral local storage is sufficient", Pod("ephemeral-storage=5"), [Pod("cpu=2m,memory=2,ephemeral-storage=10")], [] },
        { "storage: pod fits", Pod("ephemeral-storage=10"), [Pod("cpu=2m,memory=2")], [] },
    };

    [Theory]
    [MemberData(nameof(EnoughRequests))]
    public void Insufficient(string _, V1PodSpec pod, V1PodSpec[] onNode, InsufficientResource[] lacking) => Assert.Equal(lacking, Fits(pod, Node, onNode));

    public static TheoryData<string, V1PodSpec> NotEnoughPods => new()
    {
        { "even without specified resources", new V1PodSpec() },
        { "even if both resources fit", Pod("cpu=1m,memory=1") },
        { "even for equal edge case", Pod("cpu=5m,memory=1") },
        { "even for equal edge case, due to init container", WithInit(Pod("cpu=5m,memory=1"), "cpu=5m,memory=1") },
    };

    [Theory]
    [MemberData(nameof(NotEnoughPods))]
    public void TooManyPods(string _, V1PodSpec pod)
    {
        // TestNotEnoughRequests: a node for one pod, which it has (one that leaves room for the cpu and memory asked).
        var lacking = Fits(pod, "cpu=10m,memory=20,pods=1", Pod("cpu=5m,memory=5"));
        Assert.Equal([Lacks("pods", 1, 1, 1)], lacking);
        Assert.Equal("Too many pods", lacking[0].Reason);
    }

    [Theory]
    [InlineData("", "", true)]
    [InlineData(null, null, true)]
    [InlineData("cpu=1m", "cpu=1m", true)]
    [InlineData("cpu=1m", "cpu=2m", false)]
    public void RestartableInitContainers(string? request, string? sidecarRequest, bool fits)
    {
        // TestRestartableInitContainers: a node with 2m of cpu, no memory and room for one pod; a
        // null pair stands for upstream's pod without a restartable init container.
        var pod = request is null ? Pod("") : Res.Spec([Res.Ctr(request)], [Res.Sidecar(sidecarRequest!)]);
        var lacking = Fits(pod, "cpu=2m,memory=0,pods=1");
        Assert.Equal(fits ? [] : [Lacks("cpu", 3, 0, 2)], lacking);
        if (!fits) Assert.Equal("Insufficient cpu", lacking[0].Reason);
    }

    [Fact]
    public void ReasonsComeInUpstreamsOrder()
    {
        // fitsRequest: pods, cpu, memory, ephemeral storage, then the scalar resources (by name here; a map upstream).
        var lacking = Fits(Pod($"{ExtB}=1,ephemeral-storage=21,memory=21,cpu=11m,{ExtA}=6"), "cpu=10m,memory=20,pods=1,ephemeral-storage=20", Pod());
        Assert.Equal(["pods", "cpu", "memory", "ephemeral-storage", ExtA, ExtB], lacking.Select(l => l.Resource));
        Assert.Equal(["Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage", $"Insufficient {ExtA}", $"Insufficient {ExtB}"], lacking.Select(l => l.Reason));
    }
}
