using System.Globalization;

namespace KubeRescue.Kubernetes.Text;

/// <summary>
/// Durations as kubectl prints ages: apimachinery's duration.HumanDuration and ShortHumanDuration, and the printers'
/// translateTimestampSince.
/// </summary>
public static class HumanDuration
{
    // Go's time.Duration counts nanoseconds; a TimeSpan tick is 100ns, and every threshold
    // below is a whole number of seconds, so truncating ticks gives the same integers.
    private static long Seconds(TimeSpan d) => d.Ticks / TimeSpan.TicksPerSecond;

    /// <summary>~2-3 significant figures, e.g. "95s", "7m3s", "3h12m", "5d2h", "2y45d".</summary>
    public static string Format(TimeSpan d)
    {
        var seconds = Seconds(d);
        // Up to two seconds of clock skew counts as "now".
        if (seconds < -1)
            return "<invalid>";
        if (seconds < 0)
            return "0s";
        if (seconds < 60 * 2)
            return F("{0}s", seconds);

        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? F("{0}m", minutes) : F("{0}m{1}s", minutes, s);
        }
        if (minutes < 60 * 3)
            return F("{0}m", minutes);

        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? F("{0}h", hours) : F("{0}h{1}m", hours, m);
        }
        if (hours < 48)
            return F("{0}h", hours);
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? F("{0}d", hours / 24) : F("{0}d{1}h", hours / 24, h);
        }
        if (hours < 24 * 365 * 2)
            return F("{0}d", hours / 24);
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? F("{0}y", hours / 24 / 365) : F("{0}y{1}d", hours / 24 / 365, dy);
        }
        return F("{0}y", hours / 24 / 365);
    }

    /// <summary>One unit only, e.g. "95s" is "1m".</summary>
    public static string Short(TimeSpan d)
    {
        var seconds = Seconds(d);
        if (seconds < -1)
            return "<invalid>";
        if (seconds < 0)
            return "0s";
        if (seconds < 60)
            return F("{0}s", seconds);
        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 60)
            return F("{0}m", minutes);
        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 24)
            return F("{0}h", hours);
        if (hours < 24 * 365)
            return F("{0}d", hours / 24);
        return F("{0}y", hours / 24 / 365);
    }

    /// <summary>The printers' translateTimestampSince: "&lt;unknown&gt;" for an unset timestamp.</summary>
    public static string Since(DateTimeOffset? timestamp, DateTimeOffset now) =>
        timestamp is { } t ? Format(now - t) : "<unknown>";

    private static string F(string format, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);
}
