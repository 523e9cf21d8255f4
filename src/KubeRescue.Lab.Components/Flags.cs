using System.Globalization;
using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Lab.Components;

/// <summary>
/// Command-line flags parsed as Go's pflag does for the Kubernetes binaries: <c>--name=value</c>,
/// <c>--name value</c>, bare <c>--bool</c>, single-dash long names accepted as Kubernetes' old flags were; an unknown
/// flag or a malformed value is an error, printed as pflag prints it, and the binary exits 1.
/// </summary>
public sealed class Flags
{
    enum Kind { Bool, String, Duration, Int }

    readonly Dictionary<string, (Kind Kind, string? Default)> _known = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Flags Bool(string name, bool defaultValue = false) => Add(name, Kind.Bool, defaultValue ? "true" : "false");
    public Flags String(string name, string? defaultValue = null) => Add(name, Kind.String, defaultValue);
    public Flags Duration(string name, string defaultValue) => Add(name, Kind.Duration, defaultValue);
    public Flags Int(string name, int defaultValue) => Add(name, Kind.Int, defaultValue.ToString(CultureInfo.InvariantCulture));

    Flags Add(string name, Kind kind, string? defaultValue)
    {
        _known[name] = (kind, defaultValue);
        return this;
    }

    /// <returns>null on success, else the error line the real binary prints (<c>unknown flag: --foo</c>).</returns>
    public string? Parse(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            // Positional arguments are ignored: the components take none that matter here.
            if (!arg.StartsWith('-') || arg == "-") continue;
            if (arg == "--") break;
            var body = arg.TrimStart('-');
            var eq = body.IndexOf('=');
            var name = eq < 0 ? body : body[..eq];
            if (!_known.TryGetValue(name, out var flag)) return $"unknown flag: {arg.Split('=')[0]}";
            string value;
            if (eq >= 0) value = body[(eq + 1)..];
            else if (flag.Kind == Kind.Bool) value = "true";
            else if (i + 1 < args.Count) value = args[++i];
            else return $"flag needs an argument: {arg}";
            if (Invalid(flag.Kind, value) is { } why) return $"invalid argument \"{value}\" for \"{arg.Split('=')[0]}\" flag: {why}";
            _values[name] = value;
        }
        return null;
    }

    static string? Invalid(Kind kind, string value)
    {
        switch (kind)
        {
            case Kind.Bool when !bool.TryParse(value, out _):
                return $"strconv.ParseBool: parsing \"{value}\": invalid syntax";
            case Kind.Int when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                return $"strconv.ParseInt: parsing \"{value}\": invalid syntax";
            case Kind.Duration:
                try { GoDuration.Parse(value); } catch (FormatException e) { return e.Message; }
                return null;
            default:
                return null;
        }
    }

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : _known.TryGetValue(name, out var f) ? f.Default : null;

    public bool GetBool(string name) => bool.Parse(Get(name) ?? "false");

    public int GetInt(string name) => int.Parse(Get(name) ?? "0", CultureInfo.InvariantCulture);

    /// <summary>A Go duration flag value (<c>15s</c>, <c>1m30s</c>, <c>500ms</c>).</summary>
    public TimeSpan GetDuration(string name) => GoDuration.Parse(Get(name) ?? "0s");
}
