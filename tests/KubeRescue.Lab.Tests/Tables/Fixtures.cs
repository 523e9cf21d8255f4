using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeRescue.Lab.Tests.TableConversion;

internal static partial class Fixtures
{
    public static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>RFC 3339 timestamp the given time before <see cref="Now"/>.</summary>
    public static string Ago(TimeSpan d) => (Now - d).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses JSON in which AGO(3h12m) stands for the timestamp that long before <see cref="Now"/>.</summary>
    public static JsonObject Parse(string json) =>
        JsonNode.Parse(AgoToken().Replace(json, m => Ago(ParseSpan(m.Groups[1].Value))))!.AsObject();

    private static TimeSpan ParseSpan(string text) => UnitToken().Matches(text).Aggregate(TimeSpan.Zero, (sum, m) =>
    {
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return sum + m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    });

    [GeneratedRegex(@"AGO\(([0-9smhd]+)\)")]
    private static partial Regex AgoToken();

    [GeneratedRegex(@"(\d+)([smhd])")]
    private static partial Regex UnitToken();
}
