using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Kubernetes.Tests.Text;

public class StringPoolTests
{
    [Fact]
    public void A_string_is_pooled_by_value_and_long_ones_pass_through()
    {
        var first = StringPool.Share(new string("Running".AsSpan()));
        var second = new string("Running".AsSpan());
        var longOne = new string('x', 100);
        var longAgain = new string('x', 100);

        Assert.Same(first, StringPool.Share(second));
        Assert.Same(longOne, StringPool.Share(longOne));
        // Had the first been pooled, the second would come back as it.
        Assert.Same(longAgain, StringPool.Share(longAgain));
    }
}
