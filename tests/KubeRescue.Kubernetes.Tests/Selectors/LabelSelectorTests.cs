using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Kubernetes.Tests.Selectors;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front", ["n"] = "5" };

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("   ", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app = web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app!=db", true)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (db,web)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("missing notin (web)", true)]
    [InlineData("app", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!app", false)]
    [InlineData("app=web,tier=front", true)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("app=web , tier in (front)", true)]
    [InlineData("n>4", true)]
    [InlineData("n<5", false)]
    [InlineData("app>1", false)]
    [InlineData("missing=", false)]
    [InlineData("app in (in,notin,web)", true)]
    [InlineData("example.com/role notin (x)", true)]
    public void Matches(string? selector, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Web));

    [Fact]
    public void EmptyValueMatchesEmptyLabel()
    {
        var labels = new Dictionary<string, string> { ["a"] = "" };
        Assert.True(LabelSelector.Parse("a=").Matches(labels));
        Assert.True(LabelSelector.Parse("a in ()").Matches(labels));
        Assert.True(LabelSelector.Parse("a in (,x)").Matches(labels));
        Assert.False(LabelSelector.Parse("a in (x)").Matches(labels));
    }

    [Fact]
    public void NullLabelsAreEmpty()
    {
        Assert.True(LabelSelector.Parse("!a").Matches((IReadOnlyDictionary<string, string>?)null));
        Assert.False(LabelSelector.Parse("a").Matches((IReadOnlyDictionary<string, string>?)null));
    }

    [Fact]
    public void MatchesObjectLabels()
    {
        var pod = JsonNode.Parse("""{"metadata":{"name":"p","labels":{"app":"web"}}}""")!.AsObject();
        Assert.True(LabelSelector.Parse("app=web").Matches(pod));
        Assert.False(LabelSelector.Parse("app=db").Matches(pod));
        Assert.True(LabelSelector.Parse("!app").Matches(JsonNode.Parse("""{"metadata":{}}""")!.AsObject()));
    }

    [Fact]
    public void RequirementsAreSortedAndValuesDeduplicated()
    {
        var s = LabelSelector.Parse("z=1,a in (y,x,y),!m");
        Assert.Equal(["a", "m", "z"], s.Requirements.Select(r => r.Key));
        Assert.Equal(["x", "y"], s.Requirements[0].Values);
        Assert.Equal("a in (x,y),!m,z=1", s.ToString());
    }

    [Theory]
    [InlineData("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("a,", "found '', expected: identifier after ','")]
    [InlineData(",a", "found ',', expected: !, identifier, or 'end of string'")]
    [InlineData("a=b c", "found 'c', expected: ',' or 'end of string'")]
    [InlineData("!a=b", "found '=', expected: ',' or 'end of string'")]
    [InlineData("a in b", "unable to parse requirement: found 'b' expected: '('")]
    [InlineData("a in (b", "unable to parse requirement: found '', expected: ',' or ')'")]
    [InlineData("a in (b,", "unable to parse requirement: found '', expected: ',', or identifier")]
    [InlineData("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier")]
    [InlineData("a==(", "unable to parse requirement: found '(', expected: identifier")]
    [InlineData("!", "unable to parse requirement: found '', expected: identifier")]
    [InlineData("a=b=c", "found '=', expected: ',' or 'end of string'")]
    public void SyntaxErrors(string selector, string message)
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse(selector));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void InvalidKeyUsesNilPath()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("-a=b"));
        Assert.Equal(
            "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            e.Message);
    }

    [Fact]
    public void InvalidValueUsesValuesPath()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("a=-b"));
        Assert.Equal(
            "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            e.Message);
    }

    [Fact]
    public void TooLongValueAndGtNonInteger()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("a=" + new string('x', 64)));
        Assert.StartsWith("unable to parse requirement: values[0][a]: Invalid value: \"xxx", e.Message);
        Assert.EndsWith("\": must be no more than 63 bytes", e.Message);

        e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("a>b"));
        Assert.Equal("unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer", e.Message);
    }

    [Fact]
    public void MultipleValueErrorsAreBracketed()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.Parse("a in (-x,-y)"));
        Assert.StartsWith("unable to parse requirement: [values[0][a]: Invalid value: \"-x\": ", e.Message);
        Assert.Contains(", values[1][a]: Invalid value: \"-y\": ", e.Message);
        Assert.EndsWith("]", e.Message);
    }

    [Fact]
    public void FromJsonNilMatchesNothingEmptyMatchesEverything()
    {
        Assert.False(LabelSelector.FromLabelSelectorJson(null).Matches(Web));
        Assert.False(LabelSelector.FromLabelSelectorJson(null).IsEmpty);
        Assert.True(LabelSelector.FromLabelSelectorJson(new JsonObject()).Matches(Web));
        Assert.True(LabelSelector.FromLabelSelectorJson(new JsonObject()).IsEmpty);
    }

    [Fact]
    public void FromJsonMatchLabelsAndExpressions()
    {
        var sel = JsonNode.Parse("""
            {"matchLabels":{"app":"web"},"matchExpressions":[
              {"key":"tier","operator":"In","values":["front","back"]},
              {"key":"env","operator":"NotIn","values":["prod"]},
              {"key":"n","operator":"Exists"},
              {"key":"gone","operator":"DoesNotExist"}]}
            """)!.AsObject();
        var s = LabelSelector.FromLabelSelectorJson(sel);
        Assert.True(s.Matches(Web));
        Assert.False(s.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }));
    }

    [Fact]
    public void FromJsonErrors()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.FromLabelSelectorJson(
            JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""")!.AsObject()));
        Assert.Equal("\"Gt\" is not a valid label selector operator", e.Message);

        e = Assert.Throws<SelectorException>(() => LabelSelector.FromLabelSelectorJson(
            JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"In"}]}""")!.AsObject()));
        Assert.Equal("values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty", e.Message);

        e = Assert.Throws<SelectorException>(() => LabelSelector.FromLabelSelectorJson(
            JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}""")!.AsObject()));
        Assert.Equal("values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist", e.Message);

        e = Assert.Throws<SelectorException>(() => LabelSelector.FromLabelSelectorJson(
            JsonNode.Parse("""{"matchLabels":{"a/b/c":"x"}}""")!.AsObject()));
        Assert.StartsWith("key: Invalid value: \"a/b/c\": a valid label key must consist of", e.Message);
    }
}
