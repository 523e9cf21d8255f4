using System.Globalization;
using System.Text;

namespace KubeRescue.Kubernetes.Selectors;

/// <summary>One ANDed term of a field selector: field = value, or field != value.</summary>
public sealed record FieldRequirement(string Field, bool NotEquals, string Value)
{
    public override string ToString() => Field + (NotEquals ? "!=" : "=") + FieldSelector.EscapeValue(Value);
}

/// <summary>
/// A field selector with apimachinery fields.ParseSelector semantics: comma-separated <c>field=value</c>,
/// <c>field==value</c> or <c>field!=value</c> terms, all of which must hold. Nothing is trimmed; in values
/// <c>\</c>, <c>,</c> and <c>=</c> must be backslash-escaped.
/// </summary>
public sealed class FieldSelector
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, in the order upstream evaluates them (sorted by their source text).</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>The field names used, in term order, without duplicates.</summary>
    public IEnumerable<string> Fields => Requirements.Select(r => r.Field).Distinct(StringComparer.Ordinal);

    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses the fieldSelector query parameter. Null or empty selects everything.</summary>
    /// <exception cref="SelectorException">The server's 400 message for the bad selector.</exception>
    public static FieldSelector Parse(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return Everything;
        }
        var parts = SplitTerms(s);
        parts.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }
            if (!SplitTerm(part, out var lhs, out var op, out var rhs))
            {
                throw new SelectorException($"invalid selector: '{s}'; can't understand '{part}'");
            }
            requirements.Add(new FieldRequirement(lhs, op == "!=", UnescapeValue(rhs)));
        }
        return new FieldSelector(requirements);
    }

    /// <summary>
    /// Whether every term holds. <paramref name="getField"/> returns null for a field the object does not
    /// expose, which compares as "" just like a lookup in upstream's fields.Set.
    /// </summary>
    public bool Matches(Func<string, string?> getField) =>
        Requirements.All(r => (getField(r.Field) ?? "") == r.Value != r.NotEquals);

    public override string ToString() => string.Join(",", Requirements);

    /// <summary>fields.EscapeValue: makes a literal usable as a field selector value.</summary>
    public static string EscapeValue(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("=", "\\=", StringComparison.Ordinal);

    // Splits on commas not preceded by a backslash escape; escapes stay in the terms.
    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }
        terms.Add(selector[start..]);
        return terms;
    }

    // The left side allows no escaping: the first operator occurrence splits the term ("!=" before "==" before "=").
    private static bool SplitTerm(string term, out string lhs, out string op, out string rhs)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in (string[])["!=", "==", "="])
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) == 0)
                {
                    lhs = term[..i];
                    op = candidate;
                    rhs = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }
        lhs = op = rhs = "";
        return false;
    }

    private static string UnescapeValue(string s)
    {
        if (s.IndexOfAny(['\\', ',', '=']) < 0)
        {
            return s;
        }
        var sb = new StringBuilder(s.Length);
        var inSlash = false;
        foreach (var rune in s.EnumerateRunes())
        {
            if (inSlash)
            {
                if (rune.Value is '\\' or ',' or '=')
                {
                    sb.Append(rune.ToString());
                    inSlash = false;
                    continue;
                }
                throw new SelectorException("invalid field selector: invalid escape sequence: \\" + rune);
            }
            switch (rune.Value)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    // Go prints the rune with %v, i.e. as its code point number.
                    throw new SelectorException("invalid field selector: unescaped character in value: " +
                                                rune.Value.ToString(CultureInfo.InvariantCulture));
                default:
                    sb.Append(rune.ToString());
                    break;
            }
        }
        if (inSlash)
        {
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }
        return sb.ToString();
    }
}
