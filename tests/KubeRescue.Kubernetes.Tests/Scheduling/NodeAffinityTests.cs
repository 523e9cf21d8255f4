using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Kubernetes.Tests.Scheduling;

/// <summary>Small builders for node selector terms and nodes.</summary>
static class Affinity
{
    public static V1NodeSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    public static V1NodeSelectorTerm Labels(params V1NodeSelectorRequirement[] expressions) => new() { MatchExpressions = expressions };

    public static V1NodeSelectorTerm Fields(params V1NodeSelectorRequirement[] fields) => new() { MatchFields = fields };

    public static V1NodeSelectorTerm Both(V1NodeSelectorRequirement expression, V1NodeSelectorRequirement field) =>
        new() { MatchExpressions = [expression], MatchFields = [field] };

    public static V1Node Node(string? name = null, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels.Length == 0 ? null : labels.ToDictionary(l => l.Key, l => l.Value) },
    };

    public static V1PodSpec Requiring(params V1NodeSelectorTerm[] terms) => new()
    {
        Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = terms } } },
    };

    public static bool Matches(V1Node node, params V1NodeSelectorTerm[] terms) => NodeAffinity.MatchesRequired(Requiring(terms), node);
}

/// <summary>
/// Upstream: component-helpers scheduling/corev1 helpers_test.go TestMatchNodeSelectorTerms, and nodeaffinity_test.go
/// TestNodeSelectorMatch (terms ORed, a term's requirements ANDed, matchFields on metadata.name).
/// </summary>
public class NodeSelectorTermsTests
{
    // Left out: "nil terms" with a nil node; our rule always has a node, and a pod without a node selector is
    // unconstrained (see PodMatchesNodeSelectorAndAffinityTermsTests).
    public static TheoryData<string, V1NodeSelectorTerm[], V1Node, bool> Cases => new()
    {
        { "node label matches matchExpressions terms", [Affinity.Labels(Affinity.Req("label_1", "In", "label_1_val"))], Affinity.Node(null, ("label_1", "label_1_val")), true },
        { "node field matches matchFields terms", [Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1"))], Affinity.Node("host_1"), true },
        { "invalid node field requirement", [Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1", "host_2"))], Affinity.Node("host_1"), false },
        { "fieldSelectorTerm with node labels", [Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1"))], Affinity.Node("not_host_1", ("metadata.name", "host_1")), false },
        { "labelSelectorTerm with node fields", [Affinity.Labels(Affinity.Req("metadata.name", "In", "host_1"))], Affinity.Node("host_1"), false },
        {
            "labels and fields set, only node fields",
            [Affinity.Both(Affinity.Req("label_1", "In", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1"))],
            Affinity.Node("host_1"), false
        },
        {
            "labels and fields set, both match",
            [Affinity.Both(Affinity.Req("label_1", "In", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1"))],
            Affinity.Node("host_1", ("label_1", "label_1_val")), true
        },
        {
            "labels and fields set, one mismatched",
            [Affinity.Both(Affinity.Req("label_1", "In", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1"))],
            Affinity.Node("host_1", ("label_1", "label_1_val-failed")), false
        },
        {
            "multi-selector: the fields term matches though the labels term does not",
            [Affinity.Labels(Affinity.Req("label_1", "In", "label_1_val")), Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1"))],
            Affinity.Node("host_1", ("label_1", "label_1_val-failed")), true
        },
        // TestNodeSelectorMatch
        {
            "node matches field selector, but not labels",
            [Affinity.Both(Affinity.Req("label_1", "In", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1"))],
            Affinity.Node("host_1"), false
        },
        {
            "second term matches",
            [Affinity.Labels(Affinity.Req("label_1", "In", "label_1_val")), Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1"))],
            Affinity.Node("host_1"), true
        },
        // Upstream's "invalid field selector and label selector" expects NewNodeSelector to refuse the terms; read
        // lazily, as GetRequiredNodeAffinity does, each invalid term selects nothing, even a node it would fit.
        { "invalid: matchFields with two values", [Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1", "host_2"))], Affinity.Node("host_2"), false },
        { "invalid: a key that is no label key", [Affinity.Labels(Affinity.Req("invalid key", "In", "label_value"))], Affinity.Node("n", ("invalid key", "label_value")), false },
        {
            "invalid terms do not stop a valid one",
            [
                Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1", "host_2")),
                Affinity.Both(Affinity.Req("label_1", "In", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1")),
                Affinity.Labels(Affinity.Req("invalid key", "In", "label_value")),
            ],
            Affinity.Node("host_1", ("label_1", "label_1_val")), true
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesRequired(string _, V1NodeSelectorTerm[] terms, V1Node node, bool expected) => Assert.Equal(expected, Affinity.Matches(node, terms));

    [Fact]
    public void MatchingLeavesTheSelectorAsItWas()
    {
        // TestMatchNodeSelectorTermsStateless: unordered values stay unordered.
        var term = Affinity.Both(Affinity.Req("label_1", "In", "label_2_val", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1"));
        Assert.True(Affinity.Matches(Affinity.Node("host_1", ("label_1", "label_1_val")), term));
        Assert.Equal(["label_2_val", "label_1_val"], term.MatchExpressions[0].Values);
    }

    [Fact]
    public void ANodeWithoutANameHasNoFieldsToCheck()
    {
        // extractNodeFields: metadata.name only when set; a term's field requirements are then not checked.
        Assert.True(Affinity.Matches(Affinity.Node(), Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1"))));
        Assert.True(Affinity.Matches(Affinity.Node("host_2"), Affinity.Fields(Affinity.Req("metadata.name", "NotIn", "host_1"))));
        Assert.False(Affinity.Matches(Affinity.Node("host_1"), Affinity.Fields(Affinity.Req("metadata.name", "NotIn", "host_1"))));
    }
}

/// <summary>Upstream: nodeaffinity_test.go TestPodMatchesNodeSelectorAndAffinityTerms (GetRequiredNodeAffinity(pod).Match).</summary>
public class PodMatchesNodeSelectorAndAffinityTermsTests
{
    static V1PodSpec Selecting(params (string Key, string Value)[] selector) => new() { NodeSelector = selector.ToDictionary(s => s.Key, s => s.Value) };

    public static TheoryData<string, V1PodSpec, V1Node, bool> Cases => new()
    {
        { "no selector", new V1PodSpec(), Affinity.Node(), true },
        { "missing labels", Selecting(("foo", "bar")), Affinity.Node(), false },
        { "same labels", Selecting(("foo", "bar")), Affinity.Node(null, ("foo", "bar")), true },
        { "node labels are superset", Selecting(("foo", "bar")), Affinity.Node(null, ("foo", "bar"), ("baz", "blah")), true },
        { "node labels are subset", Selecting(("foo", "bar"), ("baz", "blah")), Affinity.Node(null, ("foo", "bar")), false },
        { "In matches", Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "In", "bar", "value2"))), Affinity.Node(null, ("foo", "bar")), true },
        { "Gt matches", Affinity.Requiring(Affinity.Labels(Affinity.Req("kernel-version", "Gt", "0204"))), Affinity.Node(null, ("kernel-version", "0206")), true },
        { "NotIn matches", Affinity.Requiring(Affinity.Labels(Affinity.Req("mem-type", "NotIn", "DDR", "DDR2"))), Affinity.Node(null, ("mem-type", "DDR3")), true },
        { "Exists matches", Affinity.Requiring(Affinity.Labels(Affinity.Req("GPU", "Exists"))), Affinity.Node(null, ("GPU", "NVIDIA-GRID-K1")), true },
        { "affinity that does not match the labels", Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "In", "value1", "value2"))), Affinity.Node(null, ("foo", "bar")), false },
        { "a nil []NodeSelectorTerm", Affinity.Requiring(null!), Affinity.Node(null, ("foo", "bar")), false },
        { "an empty []NodeSelectorTerm", Affinity.Requiring(), Affinity.Node(null, ("foo", "bar")), false },
        { "empty MatchExpressions select nothing", Affinity.Requiring(Affinity.Labels()), Affinity.Node(null, ("foo", "bar")), false },
        { "no affinity", new V1PodSpec(), Affinity.Node(null, ("foo", "bar")), true },
        { "affinity but nil NodeSelector", new V1PodSpec { Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity() } }, Affinity.Node(null, ("foo", "bar")), true },
        {
            "matchExpressions ANDed, matching", Affinity.Requiring(Affinity.Labels(Affinity.Req("GPU", "Exists"), Affinity.Req("GPU", "NotIn", "AMD", "INTER"))),
            Affinity.Node(null, ("GPU", "NVIDIA-GRID-K1")), true
        },
        {
            "matchExpressions ANDed, not matching", Affinity.Requiring(Affinity.Labels(Affinity.Req("GPU", "Exists"), Affinity.Req("GPU", "In", "AMD", "INTER"))),
            Affinity.Node(null, ("GPU", "NVIDIA-GRID-K1")), false
        },
        {
            "terms ORed", Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "In", "bar", "value2")), Affinity.Labels(Affinity.Req("diffkey", "In", "wrong", "value2"))),
            Affinity.Node(null, ("foo", "bar")), true
        },
        {
            "affinity and nodeSelector both satisfied",
            WithSelector(Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "Exists"))), "foo", "bar"), Affinity.Node(null, ("foo", "bar")), true
        },
        {
            "affinity satisfied, nodeSelector not",
            WithSelector(Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "Exists"))), "foo", "bar"), Affinity.Node(null, ("foo", "barrrrrr")), false
        },
        {
            "an invalid value in an affinity term", Affinity.Requiring(Affinity.Labels(Affinity.Req("foo", "NotIn", "invalid value: ___@#$%^"))),
            Affinity.Node(null, ("foo", "bar")), false
        },
        { "matchFields In matching", Affinity.Requiring(Affinity.Fields(Affinity.Req("metadata.name", "In", "node_1"))), Affinity.Node("node_1"), true },
        { "matchFields In not matching", Affinity.Requiring(Affinity.Fields(Affinity.Req("metadata.name", "In", "node_1"))), Affinity.Node("node_2"), false },
        {
            "two terms: matchFields does not match, matchExpressions does",
            Affinity.Requiring(Affinity.Fields(Affinity.Req("metadata.name", "In", "node_1")), Affinity.Labels(Affinity.Req("foo", "In", "bar"))),
            Affinity.Node("node_2", ("foo", "bar")), true
        },
        {
            "one term: matchFields does not match, matchExpressions does",
            Affinity.Requiring(Affinity.Both(Affinity.Req("foo", "In", "bar"), Affinity.Req("metadata.name", "In", "node_1"))),
            Affinity.Node("node_2", ("foo", "bar")), false
        },
        {
            "one term: both match",
            Affinity.Requiring(Affinity.Both(Affinity.Req("foo", "In", "bar"), Affinity.Req("metadata.name", "In", "node_1"))),
            Affinity.Node("node_1", ("foo", "bar")), true
        },
        {
            "two terms: neither matches",
            Affinity.Requiring(Affinity.Fields(Affinity.Req("metadata.name", "In", "node_1")), Affinity.Labels(Affinity.Req("foo", "In", "not-match-to-bar"))),
            Affinity.Node("node_2", ("foo", "bar")), false
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesRequired(string _, V1PodSpec spec, V1Node node, bool expected) => Assert.Equal(expected, NodeAffinity.MatchesRequired(spec, node));

    static V1PodSpec WithSelector(V1PodSpec spec, string key, string value)
    {
        spec.NodeSelector = new Dictionary<string, string> { [key] = value };
        return spec;
    }
}

/// <summary>
/// Upstream: apimachinery pkg/labels selector_test.go TestRequirementConstructor, read through a node affinity term
/// (which takes Gt and Lt): a requirement labels.NewRequirement refuses fails its term even on a node it would fit.
/// </summary>
public class NodeSelectorRequirementConversionTests
{
    [Theory]
    [InlineData("x", "In", null, false)]
    [InlineData("x", "NotIn", new string[0], false)]
    [InlineData("x", "In", new[] { "foo" }, true)]
    [InlineData("x", "NotIn", new[] { "foo" }, true)]
    [InlineData("x", "Exists", null, true)]
    [InlineData("x", "DoesNotExist", null, true)]
    [InlineData("1foo", "In", new[] { "bar" }, true)]
    [InlineData("1234", "In", new[] { "bar" }, true)]
    [InlineData("y", "Gt", new[] { "1" }, true)]
    [InlineData("z", "Lt", new[] { "6" }, true)]
    [InlineData("foo", "Gt", new[] { "bar" }, false)]
    [InlineData("barz", "Lt", new[] { "blah" }, false)]
    public void ARefusedRequirementSelectsNothing(string key, string op, string[]? values, bool valid)
    {
        // A node made to fit the requirement as its operator reads, were it accepted.
        var label = op switch
        {
            "In" => values?.FirstOrDefault(),
            "Exists" => "v",
            "Gt" => long.TryParse(values![0], out var gt) ? (gt + 1).ToString() : "1",
            "Lt" => long.TryParse(values![0], out var lt) ? (lt - 1).ToString() : "1",
            _ => null,
        };
        var node = label is null ? Affinity.Node("n") : Affinity.Node("n", (key, label));
        var requirement = new V1NodeSelectorRequirement { Key = key, OperatorProperty = op, Values = values };
        Assert.Equal(valid, Affinity.Matches(node, Affinity.Labels(requirement)));
    }

    [Fact]
    public void ATooLongKeySelectsNothing()
    {
        // The last constructor case: 254 a's are no key (a key's name part has at most 63 characters).
        var key = new string('a', 254);
        Assert.False(Affinity.Matches(Affinity.Node("n", (key, "v")), Affinity.Labels(Affinity.Req(key, "Exists"))));
        Assert.True(Affinity.Matches(Affinity.Node("n", (key[..63], "v")), Affinity.Labels(Affinity.Req(key[..63], "Exists"))));
    }

    [Theory]
    [InlineData("Foo")]
    [InlineData("")]
    public void AnUnknownOperatorSelectsNothing(string op) =>
        Assert.False(Affinity.Matches(Affinity.Node("n", ("x", "1")), Affinity.Labels(Affinity.Req("x", op, "1"))));

    [Theory]
    [InlineData("Exists")]
    [InlineData("Gt")]
    public void MatchFieldsTakeOnlyInAndNotIn(string op) =>
        Assert.False(Affinity.Matches(Affinity.Node("n"), Affinity.Fields(Affinity.Req("metadata.name", op, "n"))));
}

/// <summary>Upstream: nodeaffinity_test.go TestPreferredSchedulingTermsScore.</summary>
public class PreferredSchedulingTermsScoreTests
{
    static V1PreferredSchedulingTerm Weighted(int weight, V1NodeSelectorTerm term) => new() { Weight = weight, Preference = term };

    static long PreferredScore(IList<V1PreferredSchedulingTerm>? terms, V1Node node) =>
        NodeAffinity.Of(new V1PodSpec { Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity { PreferredDuringSchedulingIgnoredDuringExecution = terms } } }).Score(node);

    [Fact]
    public void FirstAndThirdTermMatch() => Assert.Equal(16, PreferredScore(
        [
            Weighted(5, Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1"))),
            Weighted(7, Affinity.Labels(Affinity.Req("unknown_label", "In", "unknown_label_val"))),
            Weighted(11, Affinity.Labels(Affinity.Req("label_1", "In", "label_1_val"))),
        ],
        Affinity.Node("host_1", ("label_1", "label_1_val"))));

    [Fact]
    public void AnInvalidTermWithoutWeightIsNotRead() =>
        Assert.Equal(0, PreferredScore([Weighted(0, Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1", "host_2")))], Affinity.Node("host_1")));

    [Fact]
    public void InvalidTermsScoreNothing()
    {
        // Upstream's "invalid field selector and label selector": NewPreferredSchedulingTerms refuses the set and the
        // scheduler's PreScore fails for the pod. A score has no error to give; the invalid terms add nothing.
        Assert.Equal(1, PreferredScore(
            [
                Weighted(1, Affinity.Fields(Affinity.Req("metadata.name", "In", "host_1", "host_2"))),
                Weighted(1, Affinity.Both(Affinity.Req("label_1", "In", "label_1_val"), Affinity.Req("metadata.name", "In", "host_1"))),
                Weighted(1, Affinity.Labels(Affinity.Req("invalid key", "In", "label_value"))),
            ],
            Affinity.Node("host_1", ("label_1", "label_1_val"), ("invalid key", "label_value"))));
    }

    [Fact]
    public void EmptyAndMissingTermsScoreNothing()
    {
        Assert.Equal(0, PreferredScore(null, Affinity.Node("n")));
        Assert.Equal(0, PreferredScore([Weighted(10, Affinity.Labels())], Affinity.Node("n")));
    }
}
