using System.Reflection;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Components.Nodes;

namespace KubeRescue.Lab.Tests.Architecture;

/// <summary>
/// The walls between the lab's assemblies, as docs/architecture.md draws them, checked on the compiled code: an
/// assembly that uses one it must not reach fails here, whatever its project file says.
/// </summary>
public class AssemblyWallsTests
{
    static readonly Assembly Kubernetes = typeof(KubeRescue.Kubernetes.Text.GoDuration).Assembly;
    static readonly Assembly ApiServer = typeof(LabApiServer).Assembly;
    static readonly Assembly Components = typeof(KubeletFleet).Assembly;
    static readonly Assembly Host = typeof(LabCluster).Assembly;

    /// <summary>The kube-rescue assemblies <paramref name="assembly"/> uses.</summary>
    static IReadOnlyList<string> Uses(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("KubeRescue", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    static void UsesOnly(Assembly assembly, params string[] allowed) =>
        Assert.All(Uses(assembly), used => Assert.Contains(used, allowed));

    [Fact]
    public void The_emulated_components_never_reach_the_API_server_but_over_HTTP()
    {
        Assert.DoesNotContain(ApiServer.GetName().Name, Uses(Components));
        UsesOnly(Components, "KubeRescue.Kubernetes");
    }

    [Fact]
    public void The_API_server_knows_none_of_the_components_nor_the_host() => UsesOnly(ApiServer, "KubeRescue.Kubernetes");

    [Fact]
    public void The_shared_rules_depend_on_no_other_part_of_kube_rescue_nor_on_ASP_NET()
    {
        Assert.Empty(Uses(Kubernetes));
        Assert.DoesNotContain(Kubernetes.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void The_host_joins_the_two_lab_assemblies()
    {
        UsesOnly(Host, "KubeRescue.Kubernetes", "KubeRescue.Lab.ApiServer", "KubeRescue.Lab.Components");
        Assert.Contains("KubeRescue.Lab.ApiServer", Uses(Host));
        Assert.Contains("KubeRescue.Lab.Components", Uses(Host));
    }
}
