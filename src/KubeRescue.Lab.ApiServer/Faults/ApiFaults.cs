using System.Globalization;
using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Lab.ApiServer.Faults;

/// <summary>
/// A flaky API server, as data (KWOK's way: behaviour as data, one mechanism serving it): the fraction of requests
/// answered with an error (429 with Retry-After, 500 or 503, in equal parts), the fraction whose connection is reset
/// instead, the time every request waits before it is served, and the time after which a watch is dropped (each
/// watch at a random point between half and one and a half of it). Written as <c>lab up --api-faults</c> takes it:
/// <c>error-rate=0.1,latency=200ms,watch-drop=30s,reset-rate=0.01</c>; <c>none</c> is no fault.
/// </summary>
public sealed record ApiFaults(double ErrorRate = 0, double ResetRate = 0, TimeSpan Latency = default, TimeSpan WatchDrop = default)
{
    public static readonly ApiFaults None = new();

    public bool Any => this != None;

    /// <summary>Parses the flag's form; a <see cref="FormatException"/> says which part is wrong and what is allowed.</summary>
    public static ApiFaults Parse(string spec)
    {
        var faults = None;
        if (spec.Trim() is "" or "none") return faults;
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = part.Split('=', 2) is [var k, var v] ? (k.Trim(), v.Trim()) : throw new FormatException($"\"{part}\" is not key=value");
            faults = key switch
            {
                "error-rate" => faults with { ErrorRate = Rate(key, value) },
                "reset-rate" => faults with { ResetRate = Rate(key, value) },
                "latency" => faults with { Latency = Duration(key, value) },
                "watch-drop" => faults with { WatchDrop = Duration(key, value) },
                _ => throw new FormatException($"unknown fault \"{key}\" (known: error-rate, reset-rate, latency, watch-drop)"),
            };
        }
        return faults;
    }

    static double Rate(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
            ? rate
            : throw new FormatException($"{key} must be a fraction from 0 to 1, not \"{value}\"");

    static TimeSpan Duration(string key, string value)
    {
        try
        {
            var d = GoDuration.Parse(value);
            return d >= TimeSpan.Zero ? d : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new FormatException($"{key} must be a duration such as 200ms or 30s, not \"{value}\"");
        }
    }

    /// <summary>The flag's form, which <see cref="Parse"/> reads back.</summary>
    public override string ToString()
    {
        if (!Any) return "none";
        var parts = new List<string>();
        if (ErrorRate > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"error-rate={ErrorRate}"));
        if (ResetRate > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"reset-rate={ResetRate}"));
        if (Latency > TimeSpan.Zero) parts.Add($"latency={Go(Latency)}");
        if (WatchDrop > TimeSpan.Zero) parts.Add($"watch-drop={Go(WatchDrop)}");
        return string.Join(',', parts);
    }

    static string Go(TimeSpan d) => d < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds}ms")
        : string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds}s");
}
