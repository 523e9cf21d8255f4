using System.Text;

namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>One user of a static token file, and the line it was read from.</summary>
public sealed record TokenFileEntry(string Token, UserInfo User, int Line)
{
    // The token stays out of every string the record makes (logs, test failures).
    public override string ToString() => $"line {Line}: {User.Name}";
}

/// <summary>
/// kube-apiserver's static token file (<c>--token-auth-file</c>): CSV lines <c>token,user,uid[,"group1,group2"]</c>,
/// read as its tokenfile authenticator reads them with Go's encoding/csv: fields may be double-quoted (a quoted field
/// may hold commas, <c>""</c> is a quote, a quote inside an unquoted field is an error), blank lines are skipped,
/// columns past the fourth are ignored, there are no comments. A record with an empty token is skipped and a repeated
/// token replaces the earlier one, each with a warning, as upstream does. Messages never contain a token.
/// </summary>
public sealed class TokenFile
{
    TokenFile(IReadOnlyList<TokenFileEntry> entries, IReadOnlyList<string> warnings) => (Entries, Warnings) = (entries, warnings);

    public IReadOnlyList<TokenFileEntry> Entries { get; }
    public IReadOnlyList<string> Warnings { get; }

    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="FormatException">A line is not a valid record, with its line number.</exception>
    public static TokenFile Read(string path) => Parse(File.ReadAllText(path), path);

    /// <param name="source">how the messages name the file</param>
    public static TokenFile Parse(string text, string source)
    {
        var byToken = new Dictionary<string, TokenFileEntry>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var (fields, line) in Records(text, source))
        {
            if (fields.Count < 3)
                throw new FormatException($"token file '{source}' line {line} must have at least 3 columns (token, user name, user uid), found {fields.Count}");
            var token = fields[0];
            if (token.Length == 0)
            {
                warnings.Add($"empty token has been found in token file '{source}' line {line}: skipped");
                continue;
            }
            if (byToken.Remove(token, out var earlier))
                warnings.Add($"duplicate token has been found in token file '{source}' line {line}: it replaces line {earlier.Line}");
            var groups = fields.Count >= 4 ? fields[3].Split(',') : [];
            byToken[token] = new TokenFileEntry(token, UserInfo.Authenticated(fields[1], fields[2], groups), line);
        }
        return new TokenFile(byToken.Values.OrderBy(e => e.Line).ToList(), warnings);
    }

    /// <summary>The CSV records with the line each starts on (a quoted field may run over several lines).</summary>
    static IEnumerable<(List<string> Fields, int Line)> Records(string text, string source)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var start = i;
            var fields = new List<string>();
            var field = new StringBuilder();
            var pos = 0;
            while (true)
            {
                var line = lines[i];
                if (pos < line.Length && line[pos] == '"')
                {
                    // A quoted field: up to the quote that is followed by a comma or the end of a line.
                    pos++;
                    while (true)
                    {
                        line = lines[i];
                        var quote = line.IndexOf('"', pos);
                        if (quote < 0)
                        {
                            field.Append(line, pos, line.Length - pos);
                            // The end of the file inside quotes; Go counts the last line's newline, if it has one.
                            if (++i == lines.Length)
                                throw Error(source, start + 1, i, line.Length + 1, "extraneous or missing \" in quoted-field");
                            if (i == lines.Length - 1 && lines[i].Length == 0)
                                throw Error(source, start + 1, i, line.Length + 2, "extraneous or missing \" in quoted-field");
                            field.Append('\n');
                            pos = 0;
                            continue;
                        }
                        field.Append(line, pos, quote - pos);
                        pos = quote + 1;
                        if (pos < line.Length && line[pos] == '"')
                        {
                            field.Append('"');
                            pos++;
                            continue;
                        }
                        if (pos < line.Length && line[pos] != ',')
                            throw Error(source, start + 1, i + 1, quote + 1, "extraneous or missing \" in quoted-field");
                        break;
                    }
                }
                else
                {
                    var comma = line.IndexOf(',', pos);
                    var end = comma < 0 ? line.Length : comma;
                    var bare = line.IndexOf('"', pos, end - pos);
                    if (bare >= 0) throw Error(source, start + 1, i + 1, bare + 1, "bare \" in non-quoted-field");
                    field.Append(line, pos, end - pos);
                    pos = end;
                }
                fields.Add(field.ToString());
                field.Clear();
                if (pos < lines[i].Length)
                {
                    pos++; // the comma
                    continue;
                }
                break;
            }
            yield return (fields, start + 1);
        }
    }

    /// <summary>encoding/csv's ParseError text, under the file's name.</summary>
    static FormatException Error(string source, int recordLine, int line, int column, string what) =>
        new(recordLine == line
            ? $"token file '{source}': parse error on line {line}, column {column}: {what}"
            : $"token file '{source}': record on line {recordLine}; parse error on line {line}, column {column}: {what}");
}
