using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Kubernetes.Tests.Selectors;

public class FieldSelectorTests
{
    private static readonly Dictionary<string, string> Fields = new()
    {
        ["metadata.name"] = "web-1",
        ["status.phase"] = "Running",
        ["spec.nodeName"] = "",
        ["odd"] = "a,b=c\\d",
    };

    private static string? Get(string f) => Fields.GetValueOrDefault(f);

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("metadata.name=web-1", true)]
    [InlineData("metadata.name==web-1", true)]
    [InlineData("metadata.name!=web-1", false)]
    [InlineData("status.phase!=Pending,metadata.name=web-1", true)]
    [InlineData("status.phase=Running,metadata.name=web-2", false)]
    [InlineData("spec.nodeName=", true)]
    [InlineData("spec.nodeName!=", false)]
    [InlineData("unknown=", true)]
    [InlineData("odd=a\\,b\\=c\\\\d", true)]
    [InlineData(",metadata.name=web-1,", true)]
    public void Matches(string? selector, bool expected) =>
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(Get));

    [Fact]
    public void WhitespaceIsNotTrimmed()
    {
        var s = FieldSelector.Parse("metadata.name = web-1");
        Assert.Equal(["metadata.name "], s.Fields);
        Assert.Equal(" web-1", s.Requirements[0].Value);
    }

    [Fact]
    public void FieldsAndOrder()
    {
        var s = FieldSelector.Parse("status.phase=Running,metadata.name!=x,status.phase!=Failed");
        Assert.Equal(["metadata.name", "status.phase"], s.Fields);
        Assert.Equal("metadata.name!=x,status.phase!=Failed,status.phase=Running", s.ToString());
    }

    [Fact]
    public void FirstOperatorSplits()
    {
        var r = FieldSelector.Parse("a!=b").Requirements.Single();
        Assert.Equal(("a", true, "b"), (r.Field, r.NotEquals, r.Value));
        r = FieldSelector.Parse("a==b").Requirements.Single();
        Assert.Equal(("a", false, "b"), (r.Field, r.NotEquals, r.Value));
    }

    [Theory]
    [InlineData("foo", "invalid selector: 'foo'; can't understand 'foo'")]
    [InlineData("a=b,foo", "invalid selector: 'a=b,foo'; can't understand 'foo'")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    [InlineData("a=b\\,c,d=e,f", "invalid selector: 'a=b\\,c,d=e,f'; can't understand 'f'")]
    [InlineData("a=b\\x", "invalid field selector: invalid escape sequence: \\x")]
    [InlineData("a=b\\", "invalid field selector: invalid escape sequence: \\")]
    public void Errors(string selector, string message)
    {
        var e = Assert.Throws<SelectorException>(() => FieldSelector.Parse(selector));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void EscapeRoundTrips()
    {
        var escaped = FieldSelector.EscapeValue("a,b=c\\d");
        Assert.Equal("a\\,b\\=c\\\\d", escaped);
        Assert.Equal("a,b=c\\d", FieldSelector.Parse("x=" + escaped).Requirements[0].Value);
    }
}
