using k8s.Models;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Kubernetes.Tests.Selectors;

/// <summary>Label sets and metav1 selectors for the matching tests.</summary>
static class Sel
{
    public static Dictionary<string, string> Set(params (string Key, string Value)[] labels) => labels.ToDictionary(l => l.Key, l => l.Value);

    public static V1LabelSelectorRequirement Req(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values };

    public static V1LabelSelector Of(params V1LabelSelectorRequirement[] expressions) => new() { MatchExpressions = expressions };
}

/// <summary>
/// Upstream: apimachinery meta/v1 helpers_test.go TestLabelSelectorAsSelector. Each selector must match exactly what
/// the selector upstream converts it to (written as a string) matches.
/// </summary>
public class LabelSelectorAsSelectorTests
{
    static readonly Dictionary<string, string>[] LabelSets =
    [
        Sel.Set(),
        Sel.Set(("foo", "bar")),
        Sel.Set(("foo", "baz")),
        Sel.Set(("baz", "qux")),
        Sel.Set(("baz", "norf"), ("foo", "bar")),
        Sel.Set(("baz", "other"), ("foo", "bar")),
    ];

    static readonly Dictionary<string, string> MatchLabels = new() { ["foo"] = "bar" };
    static readonly V1LabelSelectorRequirement[] MatchExpressions = [Sel.Req("baz", "In", "qux", "norf")];

    public static TheoryData<string, V1LabelSelector, string> Converted => new()
    {
        { "matchLabels", new V1LabelSelector { MatchLabels = MatchLabels }, "foo=bar" },
        { "matchExpressions", new V1LabelSelector { MatchExpressions = MatchExpressions }, "baz in (norf,qux)" },
        { "both", new V1LabelSelector { MatchLabels = MatchLabels, MatchExpressions = MatchExpressions }, "baz in (norf,qux),foo=bar" },
        { "empty selects everything", new V1LabelSelector(), "" },
    };

    [Theory]
    [MemberData(nameof(Converted))]
    public void MatchesAsItsConversion(string _, V1LabelSelector selector, string converted)
    {
        var parsed = LabelSelector.Parse(converted);
        foreach (var labels in LabelSets) Assert.Equal(parsed.Matches(labels), LabelSelector.Matches(selector, labels));
    }

    [Fact]
    public void NilSelectsNothing()
    {
        foreach (var labels in LabelSets) Assert.False(LabelSelector.Matches(null, labels));
        Assert.False(LabelSelector.Matches(null, null));
    }

    [Fact]
    public void ExistsWithValuesSelectsNothing()
    {
        // Upstream's conversion refuses it ("values set must be empty for exists and does not exist").
        Assert.False(LabelSelector.Matches(Sel.Of(Sel.Req("baz", "Exists", "qux", "norf")), Sel.Set(("baz", "qux"))));
    }

    [Fact]
    public void MatchingLeavesTheSelectorAsItWas()
    {
        var selector = Sel.Of(Sel.Req("baz", "In", "qux", "norf"));
        Assert.True(LabelSelector.Matches(selector, Sel.Set(("baz", "norf"))));
        Assert.Equal(["qux", "norf"], selector.MatchExpressions[0].Values);
    }
}

/// <summary>
/// Requirements LabelSelectorAsSelector would refuse (labels.NewRequirement) select nothing, even labels they would
/// fit were they accepted.
/// </summary>
public class LabelSelectorConversionTests
{
    public static TheoryData<string, V1LabelSelector, Dictionary<string, string>> Refused => new()
    {
        { "NotIn without values", Sel.Of(Sel.Req("x", "NotIn")), Sel.Set() },
        { "DoesNotExist with a value", Sel.Of(Sel.Req("x", "DoesNotExist", "a")), Sel.Set() },
        { "Gt, a node selector operator", Sel.Of(Sel.Req("x", "Gt", "1")), Sel.Set(("x", "2")) },
        { "an invalid key", Sel.Of(Sel.Req("-x", "Exists")), Sel.Set(("-x", "v")) },
        { "an invalid value", Sel.Of(Sel.Req("x", "NotIn", "=blah")), Sel.Set(("x", "v")) },
        // matchLabels convert through NewRequirement too (unlike labels.SelectorFromSet, which checks nothing).
        { "an invalid matchLabels value", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["x"] = "=blah" } }, Sel.Set(("x", "=blah")) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void SelectsNothing(string _, V1LabelSelector selector, Dictionary<string, string> labels) =>
        Assert.False(LabelSelector.Matches(selector, labels));
}

/// <summary>Upstream: apimachinery pkg/labels selector_test.go TestSelectorMatches (requirements read from a string).</summary>
public class SelectorMatchesTests
{
    static readonly Dictionary<string, string> FooBarBazBlah = Sel.Set(("foo", "bar"), ("baz", "blah"));

    public static TheoryData<string, Dictionary<string, string>, bool> Cases => new()
    {
        { "", Sel.Set(("x", "y")), true },
        { "x=y", Sel.Set(("x", "y")), true },
        { "x=y,z=w", Sel.Set(("x", "y"), ("z", "w")), true },
        { "x!=y,z!=w", Sel.Set(("x", "z"), ("z", "a")), true },
        { "notin=in", Sel.Set(("notin", "in")), true },
        { "x", Sel.Set(("x", "z")), true },
        { "!x", Sel.Set(("y", "z")), true },
        { "x>1", Sel.Set(("x", "2")), true },
        { "x<1", Sel.Set(("x", "0")), true },
        { "x=z", Sel.Set(), false },
        { "x=y", Sel.Set(("x", "z")), false },
        { "x=y,z=w", Sel.Set(("x", "w"), ("z", "w")), false },
        { "x!=y,z!=w", Sel.Set(("x", "z"), ("z", "w")), false },
        { "x", Sel.Set(("y", "z")), false },
        { "!x", Sel.Set(("x", "z")), false },
        { "x>1", Sel.Set(("x", "0")), false },
        { "x<1", Sel.Set(("x", "2")), false },
        { "foo=bar", FooBarBazBlah, true },
        { "baz=blah", FooBarBazBlah, true },
        { "foo=bar,baz=blah", FooBarBazBlah, true },
        { "foo=blah", FooBarBazBlah, false },
        { "baz=bar", FooBarBazBlah, false },
        { "foo=bar,foobar=bar,baz=blah", FooBarBazBlah, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches(string selector, Dictionary<string, string> labels, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(labels));
}

/// <summary>
/// Upstream: pkg/labels selector_test.go TestSetMatches and TestRequirementSelectorMatching, as metav1 selectors
/// (matchLabels, and matchExpressions with the operators they take; the Gt cases through a selector string).
/// </summary>
public class RequirementSelectorMatchingTests
{
    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "foo", "bar" }, true)]
    [InlineData(new[] { "baz", "blah" }, true)]
    [InlineData(new[] { "foo", "bar", "baz", "blah" }, true)]
    [InlineData(new[] { "foo", "blah" }, false)]
    public void SetMatches(string[] pairs, bool expected)
    {
        var matchLabels = Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[2 * i + 1]);
        Assert.Equal(expected, LabelSelector.Matches(new V1LabelSelector { MatchLabels = matchLabels }, Sel.Set(("foo", "bar"), ("baz", "blah"))));
    }

    public static TheoryData<string, Dictionary<string, string>, V1LabelSelector, bool> Cases => new()
    {
        // Upstream's zero Requirement (no key, no operator) matches nothing.
        { "empty requirement", Sel.Set(("x", "foo"), ("y", "baz")), Sel.Of(new V1LabelSelectorRequirement()), false },
        { "x in (foo), y notin (alpha)", Sel.Set(("x", "foo"), ("y", "baz")), Sel.Of(Sel.Req("x", "In", "foo"), Sel.Req("y", "NotIn", "alpha")), true },
        { "x in (foo), y in (alpha)", Sel.Set(("x", "foo"), ("y", "baz")), Sel.Of(Sel.Req("x", "In", "foo"), Sel.Req("y", "In", "alpha")), false },
        { "x notin (''), y exists", Sel.Set(("y", "")), Sel.Of(Sel.Req("x", "NotIn", ""), Sel.Req("y", "Exists")), true },
        { "!x, y exists", Sel.Set(("y", "")), Sel.Of(Sel.Req("x", "DoesNotExist"), Sel.Req("y", "Exists")), true },
        { "x notin (''), !y", Sel.Set(("y", "")), Sel.Of(Sel.Req("x", "NotIn", ""), Sel.Req("y", "DoesNotExist")), false },
        { "x in ('')", Sel.Set(("y", "baz")), Sel.Of(Sel.Req("x", "In", "")), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches(string _, Dictionary<string, string> labels, V1LabelSelector selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Matches(selector, labels));

    [Theory]
    [InlineData("2", true)]
    [InlineData("v2", false)]
    public void GreaterThan(string value, bool expected) => Assert.Equal(expected, LabelSelector.Parse("z>1").Matches(Sel.Set(("z", value))));
}

/// <summary>LabelSelector.IsUnrestricted: upstream's Empty() of the converted selector (a nil selector converts to Nothing, not empty).</summary>
public class LabelSelectorIsUnrestrictedTests
{
    public static TheoryData<string, V1LabelSelector?, bool> Cases => new()
    {
        { "nil", null, false },
        { "empty", new V1LabelSelector(), true },
        { "empty matchLabels and matchExpressions", new V1LabelSelector { MatchLabels = new Dictionary<string, string>(), MatchExpressions = [] }, true },
        { "matchLabels", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["a"] = "b" } }, false },
        { "matchExpressions", Sel.Of(Sel.Req("a", "Exists")), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsUnrestricted(string _, V1LabelSelector? selector, bool expected) => Assert.Equal(expected, LabelSelector.IsUnrestricted(selector));
}
