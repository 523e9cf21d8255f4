using System.Globalization;
using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Objects;

namespace KubeRescue.Lab.ApiServer.Tables;

// The string helpers the printers share (labels.FormatLabels, metav1.FormatLabelSelector,
// layoutContainerCells, formatEndpoints), reproduced for raw JSON objects.
internal static class Format
{
    /// <summary>labels.FormatLabels: "k=v" pairs sorted bytewise, or "&lt;none&gt;".</summary>
    public static string Labels(IEnumerable<(string Key, string Value)> labels)
    {
        var s = string.Join(",", labels.Select(kv => kv.Key + "=" + kv.Value).Order(StringComparer.Ordinal));
        return s.Length == 0 ? "<none>" : s;
    }

    /// <summary>
    /// metav1.LabelSelectorAsSelector(...).String(): "" for a missing or empty selector,
    /// null when the selector is invalid.
    /// </summary>
    public static string? Selector(JsonObject? selector)
    {
        if (selector is null)
            return "";
        var requirements = new List<(string Key, string Text)>();
        foreach (var (key, value) in Json.StringMap(selector, "matchLabels"))
            requirements.Add((key, key + "=" + value));
        foreach (var expr in Json.Objs(selector, "matchExpressions"))
        {
            var key = Json.Str(expr, "key") ?? "";
            var values = (Json.At(expr, "values") as JsonArray ?? [])
                .Select(v => v is JsonValue jv && jv.TryGetValue(out string? s) ? s : "").ToList();
            var op = Json.Str(expr, "operator") ?? "";
            var text = op switch
            {
                "In" when values.Count > 0 => key + " in (" + JoinValues(values) + ")",
                "NotIn" when values.Count > 0 => key + " notin (" + JoinValues(values) + ")",
                "Exists" when values.Count == 0 => key,
                "DoesNotExist" when values.Count == 0 => "!" + key,
                _ => null,
            };
            if (text is null)
                return null;
            requirements.Add((key, text));
        }
        return string.Join(",", requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    private static string JoinValues(List<string> values) =>
        values.Count == 1 ? values[0] : string.Join(",", values.Order(StringComparer.Ordinal));

    /// <summary>metav1.FormatLabelSelector: the selector string, "&lt;none&gt;" when empty, "&lt;error&gt;" when invalid.</summary>
    public static string LabelSelector(JsonObject? selector) => Selector(selector) switch
    {
        null => "<error>",
        "" => "<none>",
        var s => s,
    };

    /// <summary>layoutContainerCells: container names and images, comma separated.</summary>
    public static (string Names, string Images) Containers(JsonNode? podSpec)
    {
        var containers = Json.Objs(podSpec, "containers").ToList();
        return (string.Join(",", containers.Select(c => Json.Str(c, "name") ?? "")),
                string.Join(",", containers.Select(c => Json.Str(c, "image") ?? "")));
    }

    /// <summary>formatEndpoints with all ports: at most three "ip:port" entries, then "+ N more...".</summary>
    public static string Endpoints(JsonObject endpoints)
    {
        var subsets = Json.Objs(endpoints, "subsets").ToList();
        if (subsets.Count == 0)
            return "<none>";
        const int max = 3;
        var list = new List<string>();
        var more = false;
        var count = 0;
        foreach (var subset in subsets)
        {
            var addresses = Json.Objs(subset, "addresses").Select(a => Json.Str(a, "ip") ?? "").ToList();
            var ports = Json.Objs(subset, "ports").ToList();
            if (ports.Count == 0)
            {
                // Headless services may have no ports: list bare addresses.
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }
                    list.Add(ip);
                }
                continue;
            }
            foreach (var port in ports)
            {
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }
                    list.Add(JoinHostPort(ip, (Json.Long(port, "port") ?? 0)));
                }
            }
        }
        var joined = string.Join(",", list);
        return more ? string.Create(CultureInfo.InvariantCulture, $"{joined} + {count - max} more...") : joined;
    }

    // net.JoinHostPort brackets any host containing a colon.
    private static string JoinHostPort(string host, long port) =>
        (host.Contains(':') ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;
}
