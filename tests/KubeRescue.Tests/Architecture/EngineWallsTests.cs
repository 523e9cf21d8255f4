using KubeRescue.Recovery;

namespace KubeRescue.Tests.Architecture;

/// <summary>The engine works the same against any cluster: its compiled code uses no lab assembly (docs/architecture.md).</summary>
public class EngineWallsTests
{
    [Fact]
    public void The_engine_uses_the_shared_rules_and_nothing_of_the_lab()
    {
        var uses = typeof(RecoveryRunner).Assembly.GetReferencedAssemblies().Select(a => a.Name!)
            .Where(n => n.StartsWith("KubeRescue", StringComparison.Ordinal)).ToList();
        Assert.Equal(["KubeRescue.Kubernetes"], uses);
    }
}
