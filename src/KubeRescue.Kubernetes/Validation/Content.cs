using System.Text.RegularExpressions;

namespace KubeRescue.Kubernetes.Validation;

/// <summary>
/// The string-format checks of apimachinery (pkg/util/validation and pkg/api/validate/content, v0.36).
/// Each returns the upstream error strings, empty when valid. Two length messages coexist upstream:
/// util/validation says "characters" (DNS names, config keys) while content says "bytes" (label keys/values).
/// </summary>
public static partial class Content
{
    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    private const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string LabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFmt = "(" + LabelKeyFmt + ")?";
    private const string ConfigMapKeyFmt = "[-._a-zA-Z0-9]+";

    private const string LabelKeyErrMsg =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    [GeneratedRegex("^" + Dns1123LabelFmt + "\\z")] private static partial Regex Dns1123LabelRegex();
    [GeneratedRegex("^" + Dns1123SubdomainFmt + "\\z")] private static partial Regex Dns1123SubdomainRegex();
    [GeneratedRegex("^" + Dns1035LabelFmt + "\\z")] private static partial Regex Dns1035LabelRegex();
    [GeneratedRegex("^" + LabelKeyFmt + "\\z")] private static partial Regex LabelKeyRegex();
    [GeneratedRegex("^" + LabelValueFmt + "\\z")] private static partial Regex LabelValueRegex();
    [GeneratedRegex("^" + ConfigMapKeyFmt + "\\z")] private static partial Regex ConfigMapKeyRegex();
    [GeneratedRegex("^[-a-z0-9]+\\z")] private static partial Regex PortNameCharsetRegex();
    [GeneratedRegex("[a-z]")] private static partial Regex PortNameLetterRegex();

    public static List<string> IsDNS1123Label(string value)
    {
        var errs = new List<string>();
        if (Utf8Length(value) > 63)
        {
            errs.Add(MaxLenChars(63));
        }
        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errs.Add(Dns1123SubdomainRegex().IsMatch(value)
                ? "must not contain dots"
                : RegexError(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    Dns1123LabelFmt, "my-name", "123-abc"));
        }
        return errs;
    }

    public static List<string> IsDNS1123Subdomain(string value) => IsDNS1123Subdomain(value, MaxLenChars);

    public static List<string> IsDNS1035Label(string value)
    {
        var errs = new List<string>();
        if (Utf8Length(value) > 63)
        {
            errs.Add(MaxLenChars(63));
        }
        if (!Dns1035LabelRegex().IsMatch(value))
        {
            errs.Add(RegexError(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                Dns1035LabelFmt, "my-name", "abc-123"));
        }
        return errs;
    }

    /// <summary>IsQualifiedName / IsLabelKey: [DNS subdomain prefix "/"] name.</summary>
    public static List<string> IsQualifiedName(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errs.Add("prefix part must be non-empty");
                }
                else
                {
                    errs.AddRange(IsDNS1123Subdomain(prefix, MaxLenBytes).Select(m => "prefix part " + m));
                }
                break;
            default:
                errs.Add("a valid label key " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc") +
                         " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
        }
        if (name.Length == 0)
        {
            errs.Add("name part must be non-empty");
        }
        else if (Utf8Length(name) > 63)
        {
            errs.Add("name part " + MaxLenBytes(63));
        }
        if (!LabelKeyRegex().IsMatch(name))
        {
            errs.Add("name part " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    public static List<string> IsLabelValue(string value)
    {
        var errs = new List<string>();
        if (Utf8Length(value) > 63)
        {
            errs.Add(MaxLenBytes(63));
        }
        if (!LabelValueRegex().IsMatch(value))
        {
            errs.Add(RegexError(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                LabelValueFmt, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    public static List<string> IsConfigMapKey(string value)
    {
        var errs = new List<string>();
        if (Utf8Length(value) > 253)
        {
            errs.Add(MaxLenChars(253));
        }
        if (!ConfigMapKeyRegex().IsMatch(value))
        {
            errs.Add(RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                ConfigMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
        }
        if (value == ".")
        {
            errs.Add("must not be '.'");
        }
        else if (value == "..")
        {
            errs.Add("must not be '..'");
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            errs.Add("must not start with '..'");
        }
        return errs;
    }

    public static List<string> IsValidPortNum(long port) =>
        port is >= 1 and <= 65535 ? [] : [InclusiveRangeError(1, 65535)];

    public static List<string> IsValidPortName(string port)
    {
        var errs = new List<string>();
        if (Utf8Length(port) > 15)
        {
            errs.Add(MaxLenChars(15));
        }
        if (!PortNameCharsetRegex().IsMatch(port))
        {
            errs.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!PortNameLetterRegex().IsMatch(port))
        {
            errs.Add("must contain at least one letter (a-z)");
        }
        if (port.Contains("--", StringComparison.Ordinal))
        {
            errs.Add("must not contain consecutive hyphens");
        }
        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errs.Add("must not begin or end with a hyphen");
        }
        return errs;
    }

    /// <summary>IsPathSegmentName (prefix = false) / IsPathSegmentPrefix (prefix = true).</summary>
    public static List<string> IsPathSegmentName(string name, bool prefix)
    {
        if (!prefix && name is "." or "..")
        {
            return [$"may not be '{name}'"];
        }
        var errs = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                errs.Add($"may not contain '{illegal}'");
            }
        }
        return errs;
    }

    public static string InclusiveRangeError(long lo, long hi) => $"must be between {lo} and {hi}, inclusive";

    private static List<string> IsDNS1123Subdomain(string value, Func<int, string> maxLen)
    {
        var errs = new List<string>();
        if (Utf8Length(value) > 253)
        {
            errs.Add(maxLen(253));
        }
        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errs.Add(RegexError(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                Dns1123SubdomainFmt, "example.com"));
        }
        return errs;
    }

    private static string MaxLenChars(int n) => $"must be no more than {n} characters";

    private static string MaxLenBytes(int n) => $"must be no more than {n} bytes";

    // Upstream leaves ", " after every example, hence the double space before "or".
    private static string RegexError(string msg, string re, params string[] examples) =>
        examples.Length == 0
            ? $"{msg} (regex used for validation is '{re}')"
            : $"{msg} (e.g. {string.Join(" or ", examples.Select(e => $"'{e}', "))}regex used for validation is '{re}')";

    // Go measures len() in bytes.
    private static int Utf8Length(string s) => System.Text.Encoding.UTF8.GetByteCount(s);
}
