using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Kubernetes.Tests.Scheduling;

/// <summary>Upstream: k8s.io/api core/v1 toleration_test.go TestTolerationToleratesTaint.</summary>
public class TolerationToleratesTaintTests
{
    // Upstream's Gt/Lt cases are left out: numeric toleration operators are the TaintTolerationComparisonOperators
    // alpha gate (v1.35); in v1.33 an operator other than Equal or Exists tolerates nothing (see the last case).
    [Theory]
    [InlineData("same key and effect, Exists, taint without value", "foo", "Exists", "", "NoSchedule", "foo", "", "NoSchedule", true)]
    [InlineData("same key and effect, Exists, taint with a value", "foo", "Exists", "", "NoSchedule", "foo", "bar", "NoSchedule", true)]
    [InlineData("empty key with Exists matches every key", "", "Exists", "", "NoSchedule", "foo", "bar", "NoSchedule", true)]
    [InlineData("same key, effect and value, Equal", "foo", "Equal", "bar", "NoSchedule", "foo", "bar", "NoSchedule", true)]
    [InlineData("same key and effect, different values, Equal", "foo", "Equal", "value1", "NoSchedule", "foo", "value2", "NoSchedule", false)]
    [InlineData("same key and value, different effects, Equal", "foo", "Equal", "bar", "NoSchedule", "foo", "bar", "NoExecute", false)]
    [InlineData("v1.33: Gt is no operator a toleration has", "node.kubernetes.io/sla", "Gt", "750", "NoSchedule", "node.kubernetes.io/sla", "950", "NoSchedule", false)]
    public void Tolerates(string _, string key, string op, string value, string effect, string taintKey, string taintValue, string taintEffect, bool tolerated) =>
        Assert.Equal(tolerated, Taints.Tolerates(Toleration(key, op, value, effect), Taint(taintKey, taintValue, taintEffect)));

    internal static V1Toleration Toleration(string key, string op, string value, string effect) =>
        new() { Key = key, OperatorProperty = op, Value = value, Effect = effect };

    internal static V1Taint Taint(string key, string value, string effect) => new() { Key = key, Value = value, Effect = effect };
}

/// <summary>Upstream: component-helpers scheduling/corev1 helpers_test.go TestFindMatchingUntoleratedTaint.</summary>
public class FindMatchingUntoleratedTaintTests
{
    // The inclusion filter as Kubernetes writes it: effects (upstream's nil filter, every taint, is all three).
    static readonly string[] Every = [Taints.NoSchedule, Taints.PreferNoSchedule, Taints.NoExecute];

    static readonly V1Toleration FooExistsNoSchedule = TolerationToleratesTaintTests.Toleration("foo", "Exists", "", "NoSchedule");

    public static TheoryData<string, V1Toleration[], V1Taint[], string[], bool> Cases => new()
    {
        { "empty tolerations tolerate empty taints", [], [], Every, true },
        { "non-empty tolerations tolerate empty taints", [FooExistsNoSchedule], [], Every, true },
        { "tolerations match all taints", [FooExistsNoSchedule], [Taint("foo", "NoSchedule")], Every, true },
        { "no taint passes the filter", [FooExistsNoSchedule], [Taint("bar", "NoSchedule")], [], true },
        // Upstream passes a nil filter here, which considers every taint.
        { "every taint considered, none tolerated", [FooExistsNoSchedule], [Taint("bar", "NoSchedule")], Every, false },
        {
            "tolerations match the NoExecute taints the filter passes",
            [TolerationToleratesTaintTests.Toleration("foo", "Exists", "", "NoExecute")],
            [Taint("foo", "NoExecute"), Taint("bar", "NoSchedule")],
            [Taints.NoExecute],
            true
        },
        // Upstream's remaining cases need the TaintTolerationComparisonOperators alpha gate (Gt/Lt tolerations).
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FirstUntolerated(string _, V1Toleration[] tolerations, V1Taint[] taints, string[] considered, bool tolerated) =>
        Assert.Equal(tolerated, Taints.Untolerated(taints, tolerations, considered).FirstOrDefault() is null);

    [Fact]
    public void FirstUntoleratedIsTheFirstInTheNodesOrder()
    {
        V1Taint[] taints = [Taint("a", "NoSchedule"), Taint("b", "NoExecute"), Taint("c", "NoExecute")];
        Assert.Same(taints[1], Taints.Untolerated(taints, [], Taints.NoExecute).FirstOrDefault());
        Assert.Equal(["b", "c"], Taints.Untolerated(taints, [], Taints.NoExecute).Select(t => t.Key));
    }

    static V1Taint Taint(string key, string effect) => TolerationToleratesTaintTests.Taint(key, "", effect);
}

/// <summary>Upstream: k8s.io/api core/v1 taint_test.go TestTaintToString.</summary>
public class TaintToStringTests
{
    [Theory]
    [InlineData("foo", "bar", "NoSchedule", "foo=bar:NoSchedule")]
    [InlineData("foo", "", "NoSchedule", "foo:NoSchedule")]
    [InlineData("foo", "", "", "foo")]
    [InlineData("foo", "bar", "", "foo=bar:")]
    public void Describe(string key, string value, string effect, string expected) =>
        Assert.Equal(expected, Taints.Describe(TolerationToleratesTaintTests.Taint(key, value, effect)));
}
