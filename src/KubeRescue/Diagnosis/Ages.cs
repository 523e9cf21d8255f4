using System.Globalization;

namespace KubeRescue.Diagnosis;

/// <summary>Durations as kubectl prints ages: <c>45s</c>, <c>3m20s</c>, <c>12m</c>, <c>5h10m</c>, <c>3d</c>.</summary>
public static class Ages
{
    public static string Format(double seconds)
    {
        var s = (long)Math.Max(0, Math.Round(seconds));
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        return s switch
        {
            < 120 => $"{I(s)}s",
            < 600 => s % 60 == 0 ? $"{I(s / 60)}m" : $"{I(s / 60)}m{I(s % 60)}s",
            < 3 * 3600 => $"{I(s / 60)}m",
            < 8 * 3600 => s / 60 % 60 == 0 ? $"{I(s / 3600)}h" : $"{I(s / 3600)}h{I(s / 60 % 60)}m",
            < 48 * 3600 => $"{I(s / 3600)}h",
            _ => $"{I(s / 86400)}d",
        };
    }
}
