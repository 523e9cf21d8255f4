using KubeRescue.Rendering;

namespace KubeRescue.Tests.Rendering;

public class RescueSourceSpecTests
{
    [Fact]
    public void The_default_is_the_deployment() => Assert.IsType<RescueSourceSpec.FromDeployment>(RescueSourceSpec.Default);

    [Theory]
    [InlineData("deployment", typeof(RescueSourceSpec.FromDeployment))]
    [InlineData("DaemonSet", typeof(RescueSourceSpec.FromDaemonSet))]
    [InlineData("mirror-pod", typeof(RescueSourceSpec.FromMirrorPod))]
    [InlineData("last-good", typeof(RescueSourceSpec.LastGood))]
    [InlineData("revision=3", typeof(RescueSourceSpec.FromRevision))]
    [InlineData("file=/tmp/a=b.yaml", typeof(RescueSourceSpec.FromFile))]
    public void Each_form_parses_to_its_source(string text, Type expected) => Assert.IsType(expected, RescueSourceSpec.Parse(text));

    [Fact]
    public void Revision_and_file_keep_their_value_and_print_as_they_parse()
    {
        Assert.Equal(12, Assert.IsType<RescueSourceSpec.FromRevision>(RescueSourceSpec.Parse("revision=12")).Revision);
        // Only the first '=' separates: a path may hold more.
        Assert.Equal("/tmp/a=b.yaml", Assert.IsType<RescueSourceSpec.FromFile>(RescueSourceSpec.Parse("file=/tmp/a=b.yaml")).Path);
        foreach (var text in new[] { "deployment", "daemonset", "mirror-pod", "last-good", "revision=12", "file=x.yaml" })
            Assert.Equal(text, RescueSourceSpec.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("deployments")]
    [InlineData("deployment=kube-scheduler")]
    [InlineData("revision")]
    [InlineData("revision=")]
    [InlineData("revision=0")]
    [InlineData("revision=-1")]
    [InlineData("revision=+2")]
    [InlineData("revision=two")]
    [InlineData("revision=99999999999999999999")]
    [InlineData("file")]
    [InlineData("file=")]
    [InlineData("file=  ")]
    [InlineData("last_good")]
    [InlineData(" deployment")]
    public void Anything_else_is_refused_with_the_forms_listed(string text)
    {
        var e = Assert.Throws<FormatException>(() => RescueSourceSpec.Parse(text));
        Assert.Contains($"\"{text}\"", e.Message);
        Assert.Contains(RescueSourceSpec.Forms, e.Message);
    }
}
