using System.Globalization;
using System.Text;

namespace KubeRescue.Kubernetes.Text;

/// <summary>
/// Durations as Go's <c>time.ParseDuration</c> reads them, which every Kubernetes binary's duration flags and
/// kubectl's <c>--timeout</c> use: a signed sequence of decimal numbers, each with a unit (<c>ns</c>, <c>us</c>,
/// <c>µs</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>), such as <c>300ms</c>, <c>-1.5h</c> or <c>2h45m</c>; <c>0</c>
/// alone needs no unit. A bad value fails with Go's own message.
/// </summary>
public static class GoDuration
{
    static readonly Dictionary<string, ulong> Units = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = 1_000,
        ["\u00b5s"] = 1_000, // U+00B5 micro sign
        ["\u03bcs"] = 1_000, // U+03BC Greek small letter mu
        ["ms"] = 1_000_000,
        ["s"] = 1_000_000_000,
        ["m"] = 60UL * 1_000_000_000,
        ["h"] = 3600UL * 1_000_000_000,
    };

    /// <exception cref="FormatException">Go's error text: <c>time: invalid duration "x"</c>, <c>time: missing unit in duration "5"</c>, <c>time: unknown unit "d" in duration "1d"</c>.</exception>
    public static TimeSpan Parse(string text)
    {
        // Go's algorithm, to the rounding: whole numbers in unsigned 64 bits, fractions through a float64, and the
        // total at most 1<<63 nanoseconds (negative) or 1<<63 - 1.
        const ulong Limit = 1UL << 63;
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return TimeSpan.Zero;
        if (s.Length == 0) throw Invalid(text);
        ulong total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0]))) throw Invalid(text);
            var i = 0;
            ulong whole = 0;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                if (whole > Limit / 10) throw Invalid(text);
                whole = whole * 10 + (ulong)(s[i] - '0');
                if (whole > Limit) throw Invalid(text);
            }
            var hasWhole = i > 0;
            s = s[i..];
            ulong fraction = 0;
            var scale = 1.0;
            var hasFraction = false;
            if (s.Length > 0 && s[0] == '.')
            {
                var overflow = false;
                for (i = 1; i < s.Length && char.IsAsciiDigit(s[i]); i++)
                {
                    // Digits past what 63 bits hold are ignored, as leadingFraction ignores them.
                    if (overflow) continue;
                    if (fraction > (Limit - 1) / 10) { overflow = true; continue; }
                    var next = fraction * 10 + (ulong)(s[i] - '0');
                    if (next > Limit) { overflow = true; continue; }
                    fraction = next;
                    scale *= 10;
                }
                hasFraction = i > 1;
                s = s[i..];
            }
            if (!hasWhole && !hasFraction) throw Invalid(text);
            i = 0;
            while (i < s.Length && !(s[i] == '.' || char.IsAsciiDigit(s[i]))) i++;
            if (i == 0) throw new FormatException($"time: missing unit in duration {Quote(text)}");
            var unit = s[..i];
            s = s[i..];
            if (!Units.TryGetValue(unit, out var nanoseconds)) throw new FormatException($"time: unknown unit {Quote(unit)} in duration {Quote(text)}");
            if (whole > Limit / nanoseconds) throw Invalid(text);
            whole *= nanoseconds;
            if (fraction > 0)
            {
                whole += (ulong)(fraction * (nanoseconds / scale));
                if (whole > Limit) throw Invalid(text);
            }
            total += whole;
            if (total > Limit) throw Invalid(text);
        }
        if (!negative && total > Limit - 1) throw Invalid(text);
        // A TimeSpan counts 100 ns ticks: finer parts of a Go duration are dropped.
        var ticks = (long)(total / 100);
        return TimeSpan.FromTicks(negative ? -ticks : ticks);
    }

    public static bool TryParse(string text, out TimeSpan duration)
    {
        try
        {
            duration = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            duration = TimeSpan.Zero;
            return false;
        }
    }

    static FormatException Invalid(string text) => new($"time: invalid duration {Quote(text)}");

    /// <summary>The time package's quote: printable ASCII kept (quotes and backslashes escaped), every other byte as <c>\x</c>.</summary>
    static string Quote(string s)
    {
        var quoted = new StringBuilder("\"");
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value is >= ' ' and < 0x80)
            {
                if (rune.Value is '"' or '\\') quoted.Append('\\');
                quoted.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length]) quoted.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        return quoted.Append('"').ToString();
    }
}
