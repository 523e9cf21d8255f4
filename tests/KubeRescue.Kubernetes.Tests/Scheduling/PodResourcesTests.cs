using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Kubernetes.Tests.Scheduling;

/// <summary>Resource lists written "cpu=1,memory=10Mi", and pods built from containers of them.</summary>
static class Res
{
    public static Dictionary<string, ResourceQuantity>? List(string list) => list.Length == 0
        ? null
        : list.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => new ResourceQuantity(p[1]));

    public static V1Container Ctr(string requests = "", string limits = "", bool sidecar = false) => new()
    {
        Name = "c",
        RestartPolicy = sidecar ? "Always" : null,
        Resources = new V1ResourceRequirements { Requests = List(requests), Limits = List(limits) },
    };

    public static V1Container Sidecar(string requests) => Ctr(requests, sidecar: true);

    public static V1PodSpec Spec(V1Container[] containers, V1Container[]? init = null, string overhead = "", string podRequests = "", string podLimits = "") => new()
    {
        Containers = containers,
        InitContainers = init,
        Overhead = List(overhead),
        Resources = podRequests.Length + podLimits.Length == 0 ? null : new V1ResourceRequirements { Requests = List(podRequests), Limits = List(podLimits) },
    };

    /// <summary>Amounts as the rules count them (cpu in millicores), from a list written as above.</summary>
    public static Dictionary<string, long> Amounts(string list) => PodResources.Of(List(list));
}

/// <summary>Amounts: cpu in millicores, everything else in its base unit, rounded up as Quantity.MilliValue/Value do.</summary>
public class ResourceAmountTests
{
    [Theory]
    [InlineData("cpu", "1", 1000)]
    [InlineData("cpu", "100m", 100)]
    [InlineData("cpu", "1.5", 1500)]
    [InlineData("cpu", "0.0001", 1)]
    [InlineData("memory", "1Gi", 1073741824)]
    [InlineData("memory", "30M", 30000000)]
    [InlineData("memory", "500m", 1)]
    [InlineData("example.com/aaa", "3", 3)]
    public void Amount(string resource, string quantity, long expected) => Assert.Equal(expected, PodResources.Amount(resource, new ResourceQuantity(quantity)));

    [Fact]
    public void ScoringDefaultsAreSchedutils()
    {
        // schedutil.DefaultMilliCPURequest and DefaultMemoryRequest.
        Assert.Equal(100, PodResources.ScoringDefaults[PodResources.Cpu]);
        Assert.Equal(200L * 1024 * 1024, PodResources.ScoringDefaults[PodResources.Memory]);
    }
}

/// <summary>
/// Upstream: component-helpers resource helpers_test.go (PodRequests): TestPodRequestsAndLimits,
/// TestPodRequestsAndLimitsWithoutOverhead, TestPodResourceRequests, TestAggregateContainerRequestsAndLimits,
/// TestPodLevelResourceRequests and TestPodRequestsAndLimitsVerticalScalingWrappers (NonMissingContainerRequests). Left out: cases with UseStatusResources (in-place resize status), ExcludeOverhead,
/// SkipPodLevelResources and DRA claims, options our rule has not; and the limits-only PodLimits side.
/// </summary>
public class PodRequestsTests
{
    /// <summary>getPod: one container and one init container with the same resources, and the pod overhead.</summary>
    static V1PodSpec GetPod(string requests, string limits, string overhead) => Res.Spec([Res.Ctr(requests, limits)], [Res.Ctr(requests, limits)], overhead);

    public static TheoryData<string, V1PodSpec, string> Cases => new()
    {
        // TestPodRequestsAndLimits. "just-limit-no-overhead" expects no requests for a pod upstream has not defaulted;
        // our rule reads a pod as the API server stores it, requests defaulted from limits (SetDefaults_Pod).
        { "just-limit-no-overhead, defaulted", GetPod("", "cpu=9", ""), "cpu=9" },
        { "just-overhead", GetPod("", "", "cpu=5,memory=5"), "cpu=5,memory=5" },
        { "req-and-overhead", GetPod("cpu=1,memory=10", "", "cpu=5,memory=5"), "cpu=6,memory=15" },
        { "all-req-lim-and-overhead", GetPod("cpu=1,memory=10", "cpu=2,memory=12", "cpu=5,memory=5"), "cpu=6,memory=15" },
        { "req-some-lim-and-overhead", GetPod("cpu=1,memory=10", "cpu=2", "cpu=5,memory=5"), "cpu=6,memory=15" },
        // TestPodRequestsAndLimitsWithoutOverhead (the pods there without overhead)
        {
            "two containers, no overhead: the sum of the containers",
            Res.Spec([Res.Ctr("cpu=1,memory=5", "cpu=2,memory=10"), Res.Ctr("cpu=4,memory=12", "cpu=8,memory=24")]),
            "cpu=5,memory=17"
        },
        // Its "massive init" case excludes the overhead; we always count it, so this expects upstream's 40/120 plus 3/8.
        {
            "massive init: the largest init container, plus the overhead",
            Res.Spec(
                [Res.Ctr("cpu=1,memory=5", "cpu=2,memory=10"), Res.Ctr("cpu=4,memory=12", "cpu=8,memory=24")],
                [Res.Ctr("cpu=1,memory=5", "cpu=1,memory=5"), Res.Ctr("cpu=40,memory=120", "cpu=80,memory=240")],
                overhead: "cpu=3,memory=8"),
            "cpu=43,memory=128"
        },
        // TestPodResourceRequests
        { "larger init container", Res.Spec([Res.Ctr("cpu=1")], [Res.Ctr("cpu=4")]), "cpu=4" },
        { "larger containers", Res.Spec([Res.Ctr("cpu=2"), Res.Ctr("cpu=3")], [Res.Ctr("cpu=2")]), "cpu=5" },
        {
            "pod overhead included", Res.Spec([Res.Ctr("cpu=2"), Res.Ctr("cpu=3")], [Res.Ctr("cpu=2", "cpu=2")], overhead: "cpu=1,memory=1Gi"),
            "cpu=6,memory=1Gi"
        },
        { "restartable init container", Res.Spec([Res.Ctr("cpu=1")], [Res.Sidecar("cpu=1")]), "cpu=2" },
        {
            "multiple restartable init containers: max(5, 3+2+1 + 1)",
            Res.Spec([Res.Ctr("cpu=1")], [Res.Ctr("cpu=5"), Res.Sidecar("cpu=1"), Res.Sidecar("cpu=2"), Res.Sidecar("cpu=3")]),
            "cpu=7"
        },
        {
            "multiple restartable and regular init containers: init-2 needs 5 + the sidecars started before it",
            Res.Spec([Res.Ctr("cpu=1")], [Res.Ctr("cpu=5"), Res.Sidecar("cpu=1"), Res.Sidecar("cpu=2"), Res.Ctr("cpu=5"), Res.Sidecar("cpu=3")]),
            "cpu=8"
        },
        { "restartable-init, init and regular", Res.Spec([Res.Ctr("cpu=100")], [Res.Sidecar("cpu=10"), Res.Ctr("cpu=200")]), "cpu=210" },
        // TestAggregateContainerRequestsAndLimits
        { "regular containers with requests", Res.Spec([Res.Ctr("cpu=9"), Res.Ctr("cpu=9")]), "cpu=18" },
        { "regular and init containers with requests", Res.Spec([Res.Ctr("cpu=9")], [Res.Ctr("cpu=9")]), "cpu=9" },
        { "regular, init and sidecar containers with requests", Res.Spec([Res.Ctr("cpu=9")], [Res.Sidecar("cpu=8"), Res.Ctr("cpu=6")]), "cpu=17" },
        // TestPodLevelResourceRequests (PodLevelResources: cpu, memory and hugepages set at pod level stand)
        { "nil", Res.Spec([]), "" },
        { "pod level memory", Res.Spec([], podRequests: "memory=2Mi"), "memory=2Mi" },
        { "pod level memory and container level cpu", Res.Spec([Res.Ctr("cpu=2m")], podRequests: "memory=2Mi"), "memory=2Mi,cpu=2m" },
        { "unsupported resource at pod and container level", Res.Spec([Res.Ctr("storage=3Mi")], podRequests: "storage=2Mi"), "storage=3Mi" },
        { "unsupported resource at pod level", Res.Spec([Res.Ctr("memory=3Mi")], podRequests: "storage=2Mi"), "memory=3Mi" },
        { "only container level", Res.Spec([Res.Ctr("memory=3Mi,cpu=2m")]), "memory=3Mi,cpu=2m" },
        { "both container and pod level", Res.Spec([Res.Ctr("memory=3Mi,cpu=2m")], podRequests: "memory=6Mi,cpu=8m"), "memory=6Mi,cpu=8m" },
        { "container level and init container", Res.Spec([Res.Ctr("memory=3Mi,cpu=2m")], [Res.Ctr("memory=5Mi,cpu=4m")]), "memory=5Mi,cpu=4m" },
        { "container level and sidecar", Res.Spec([Res.Ctr("memory=3Mi,cpu=2m")], [Res.Sidecar("memory=5Mi,cpu=4m")]), "memory=8Mi,cpu=6m" },
        {
            "container level, init and sidecar", Res.Spec([Res.Ctr("memory=3Mi,cpu=2m")], [Res.Sidecar("memory=5Mi,cpu=4m"), Res.Ctr("memory=6Mi,cpu=8m")]),
            "memory=11Mi,cpu=12m"
        },
        {
            "pod level, container level, init and sidecar",
            Res.Spec([Res.Ctr("memory=3Mi,cpu=2m")], [Res.Sidecar("memory=5Mi,cpu=4m"), Res.Ctr("memory=6Mi,cpu=8m")], podRequests: "memory=15Mi,cpu=18m"),
            "memory=15Mi,cpu=18m"
        },
        {
            "pod level hugepages, single page size", Res.Spec([], podRequests: "memory=10Mi,hugepages-2Mi=2Mi", podLimits: "hugepages-2Mi=2Mi"),
            "memory=10Mi,hugepages-2Mi=2Mi"
        },
        {
            "pod level hugepages, multiple page sizes",
            Res.Spec([], podRequests: "cpu=1,hugepages-2Mi=2Mi,hugepages-1Gi=1Gi", podLimits: "hugepages-2Mi=2Mi,hugepages-1Gi=1Gi"),
            "cpu=1,hugepages-2Mi=2Mi,hugepages-1Gi=1Gi"
        },
        {
            "pod and container level hugepages, single page size",
            Res.Spec([Res.Ctr("hugepages-2Mi=6Mi", "hugepages-2Mi=6Mi")], podRequests: "cpu=1,hugepages-2Mi=10Mi", podLimits: "hugepages-2Mi=10Mi"),
            "cpu=1,hugepages-2Mi=10Mi"
        },
        {
            "pod and container level hugepages, multiple page sizes",
            Res.Spec([Res.Ctr("cpu=1,hugepages-1Gi=2Gi", "hugepages-1Gi=2Gi")], podRequests: "cpu=1,hugepages-2Mi=10Mi,hugepages-1Gi=2Gi", podLimits: "hugepages-2Mi=10Mi,hugepages-1Gi=2Gi"),
            "cpu=1,hugepages-2Mi=10Mi,hugepages-1Gi=2Gi"
        },
        {
            "hugepage page sizes split between pod and container level",
            Res.Spec([Res.Ctr("memory=4Mi,hugepages-1Gi=1Gi", "hugepages-1Gi=1Gi")], podRequests: "cpu=1,hugepages-2Mi=10Mi", podLimits: "hugepages-2Mi=10Mi"),
            "cpu=1,memory=4Mi,hugepages-2Mi=10Mi,hugepages-1Gi=1Gi"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Requests(string _, V1PodSpec spec, string expected) => Assert.Equal(Res.Amounts(expected), PodResources.Requests(spec));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NonMissingContainerRequestsFillWhatAContainerLeavesUnset(bool init)
    {
        // TestPodRequestsAndLimitsVerticalScalingWrappers: "non missing container requests applied to init/regular container".
        var spec = init ? Res.Spec([], [Res.Ctr("cpu=1")]) : Res.Spec([Res.Ctr("cpu=1")]);
        Assert.Equal(Res.Amounts("cpu=1,memory=100Mi"), PodResources.Requests(spec, Res.Amounts("memory=100Mi")));
    }

    [Fact]
    public void NonMissingDefaultsApplyPerContainer()
    {
        // A container without requests counts the scoring defaults; one with a cpu request keeps it.
        var spec = Res.Spec([Res.Ctr(), Res.Ctr("cpu=1")]);
        Assert.Equal(Res.Amounts("cpu=1100m,memory=400Mi"), PodResources.Requests(spec, PodResources.ScoringDefaults));
        Assert.Equal(Res.Amounts("cpu=1"), PodResources.Requests(spec));
    }
}
