using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Kubernetes.Tests.Text;

/// <summary>Go's own cases for time.ParseDuration (time_test.go), in 100 ns ticks where Go counts nanoseconds.</summary>
public class GoDurationTests
{
    const long Ns = 1, Us = 1_000, Ms = 1_000_000, S = 1_000_000_000, M = 60 * S, H = 60 * M;

    [Theory]
    [InlineData("0", 0)]
    [InlineData("5s", 5 * S)]
    [InlineData("30s", 30 * S)]
    [InlineData("1478s", 1478 * S)]
    [InlineData("-5s", -5 * S)]
    [InlineData("+5s", 5 * S)]
    [InlineData("-0", 0)]
    [InlineData("+0", 0)]
    [InlineData("5.0s", 5 * S)]
    [InlineData("5.6s", 5 * S + 600 * Ms)]
    [InlineData("5.s", 5 * S)]
    [InlineData(".5s", 500 * Ms)]
    [InlineData("1.0s", 1 * S)]
    [InlineData("1.00s", 1 * S)]
    [InlineData("1.004s", 1 * S + 4 * Ms)]
    [InlineData("1.0040s", 1 * S + 4 * Ms)]
    [InlineData("100.00100s", 100 * S + 1 * Ms)]
    [InlineData("10ns", 10 * Ns)]
    [InlineData("11us", 11 * Us)]
    [InlineData("12\u00b5s", 12 * Us)]
    [InlineData("12\u03bcs", 12 * Us)]
    [InlineData("13ms", 13 * Ms)]
    [InlineData("14s", 14 * S)]
    [InlineData("15m", 15 * M)]
    [InlineData("16h", 16 * H)]
    [InlineData("3h30m", 3 * H + 30 * M)]
    [InlineData("10.5s4m", 4 * M + 10 * S + 500 * Ms)]
    [InlineData("-2m3.4s", -(2 * M + 3 * S + 400 * Ms))]
    [InlineData("1h2m3s4ms5us6ns", 1 * H + 2 * M + 3 * S + 4 * Ms + 5 * Us + 6 * Ns)]
    [InlineData("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * Ms)]
    [InlineData("52763797000ns", 52763797000 * Ns)]
    [InlineData("0.3333333333333333333h", 20 * M)]
    [InlineData("9007199254740993ns", (1L << 53) + 1)]
    [InlineData("9223372036854775807ns", long.MaxValue)]
    [InlineData("9223372036854775.807us", long.MaxValue)]
    [InlineData("9223372036s854ms775us807ns", long.MaxValue)]
    [InlineData("-9223372036854775808ns", long.MinValue)]
    [InlineData("-9223372036854775.808us", long.MinValue)]
    [InlineData("-9223372036s854ms775us808ns", long.MinValue)]
    [InlineData("0.100000000000000000000h", 6 * M)]
    [InlineData("0.830103483285477580700h", 49 * M + 48 * S + 372539827 * Ns)]
    public void Parses_as_Go_parses(string text, long nanoseconds) =>
        Assert.Equal(TimeSpan.FromTicks(nanoseconds / 100), GoDuration.Parse(text));

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("3", "time: missing unit in duration \"3\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".", "time: invalid duration \".\"")]
    [InlineData("-.", "time: invalid duration \"-.\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("+.s", "time: invalid duration \"+.s\"")]
    [InlineData("1d", "time: unknown unit \"d\" in duration \"1d\"")]
    [InlineData("soon", "time: invalid duration \"soon\"")]
    [InlineData("\uFFFD", "time: invalid duration \"\\xef\\xbf\\xbd\"")]
    [InlineData("1\uFFFD hello", "time: unknown unit \"\\xef\\xbf\\xbd hello\" in duration \"1\\xef\\xbf\\xbd hello\"")]
    [InlineData("9223372036854775810ns", "time: invalid duration \"9223372036854775810ns\"")]
    [InlineData("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"")]
    [InlineData("-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\"")]
    [InlineData("9223372036854776us", "time: invalid duration \"9223372036854776us\"")]
    [InlineData("3000000h", "time: invalid duration \"3000000h\"")]
    [InlineData("9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\"")]
    [InlineData("9223372036854ms775us808ns", "time: invalid duration \"9223372036854ms775us808ns\"")]
    public void Refuses_with_Go_s_words(string text, string error)
    {
        Assert.Equal(error, Assert.Throws<FormatException>(() => GoDuration.Parse(text)).Message);
        Assert.False(GoDuration.TryParse(text, out _));
    }
}
