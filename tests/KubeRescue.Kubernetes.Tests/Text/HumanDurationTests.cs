using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Kubernetes.Tests.Text;

public class HumanDurationTests
{
    [Theory]
    [InlineData(-3.0, "<invalid>")]
    [InlineData(-2.0, "<invalid>")]
    [InlineData(-1.5, "0s")]
    [InlineData(0.0, "0s")]
    [InlineData(59.9, "59s")]
    [InlineData(119.0, "119s")]
    [InlineData(120.0, "2m")]
    [InlineData(423.0, "7m3s")]
    [InlineData(600.0, "10m")]
    [InlineData(179 * 60.0, "179m")]
    [InlineData(3 * 3600.0, "3h")]
    [InlineData(3 * 3600.0 + 12 * 60, "3h12m")]
    [InlineData(8 * 3600.0 + 59 * 60, "8h")]
    [InlineData(47 * 3600.0, "47h")]
    [InlineData(48 * 3600.0, "2d")]
    [InlineData(5 * 86400.0 + 2 * 3600, "5d2h")]
    [InlineData(8 * 86400.0 + 5 * 3600, "8d")]
    [InlineData(729 * 86400.0, "729d")]
    [InlineData(730 * 86400.0, "2y")]
    [InlineData(775 * 86400.0, "2y45d")]
    [InlineData(8 * 365 * 86400.0 + 40 * 86400, "8y")]
    public void Human_matches_apimachinery(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(-2.0, "<invalid>")]
    [InlineData(-1.0, "0s")]
    [InlineData(59.0, "59s")]
    [InlineData(95.0, "1m")]
    [InlineData(59 * 60.0 + 59, "59m")]
    [InlineData(23 * 3600.0 + 59 * 60, "23h")]
    [InlineData(364 * 86400.0, "364d")]
    [InlineData(365 * 86400.0, "1y")]
    [InlineData(3 * 365 * 86400.0 + 100 * 86400, "3y")]
    public void ShortHuman_matches_apimachinery(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Short(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Since_an_unset_timestamp_is_unknown()
    {
        var now = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("<unknown>", HumanDuration.Since(null, now));
        Assert.Equal("5m", HumanDuration.Since(now.AddMinutes(-5), now));
        Assert.Equal("<invalid>", HumanDuration.Since(now.AddMinutes(5), now));
    }
}
