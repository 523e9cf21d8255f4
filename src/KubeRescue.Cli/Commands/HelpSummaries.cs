using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace KubeRescue.Cli.Commands;

/// <summary>
/// Command lists in <c>--help</c> show each command's first sentence, as kubectl's do; the whole description, with
/// its examples and exit codes, stays on the command's own help page.
/// </summary>
public static class HelpSummaries
{
    public static void Apply(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction standard) help.Action = new SummarisingHelp(standard);
    }

    /// <summary>The first sentence of the first paragraph, its wrapped lines joined.</summary>
    public static string Summary(string description)
    {
        var paragraph = string.Join(" ", description.Split('\n').Select(l => l.Trim()).TakeWhile(l => l.Length > 0));
        var end = paragraph.IndexOf(". ", StringComparison.Ordinal);
        var sentence = end < 0 ? paragraph : paragraph[..(end + 1)];
        // A long sentence is summarised by what comes before its first colon.
        var colon = sentence.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && sentence.Length > 100 ? sentence[..colon] + "." : sentence;
    }

    /// <summary>
    /// The standard help, given the subcommands' summaries for the time it writes (System.CommandLine prints the same
    /// description in both places and keeps its help builder's customisation internal).
    /// </summary>
    sealed class SummarisingHelp(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var subcommands = parseResult.CommandResult.Command.Subcommands;
            var descriptions = subcommands.Select(c => c.Description).ToList();
            try
            {
                foreach (var c in subcommands) c.Description = Summary(c.Description ?? "");
                return standard.Invoke(parseResult);
            }
            finally
            {
                for (var i = 0; i < subcommands.Count; i++) subcommands[i].Description = descriptions[i];
            }
        }
    }
}
