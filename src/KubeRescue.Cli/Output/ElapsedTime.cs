using System.Globalization;

namespace KubeRescue.Cli.Output;

/// <summary>How long something took, as the recovery's story prints it: <c>6.1s</c> under a minute, then <c>1m05s</c>.</summary>
public static class ElapsedTime
{
    public static string Format(TimeSpan d) => d.TotalSeconds < 60
        ? d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
        : $"{(int)d.TotalMinutes}m{d.Seconds:00}s";
}
