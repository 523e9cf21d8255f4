using Spectre.Console;

namespace KubeRescue.Cli.Output;

/// <summary>
/// Where people read the output: a terminal gets colour (unless <c>NO_COLOR</c> is set) and live progress; anything
/// else (a pipe, a file, a CI log) gets plain lines with no escape codes at all.
/// </summary>
public static class Terminal
{
    /// <summary>Wide enough that no line wraps in a pipe (kubectl does not wrap its output to a pipe either).</summary>
    const int PipeWidth = 4096;

    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>A console on <paramref name="output"/>: ANSI and colour only on a terminal, ASCII borders and unwrapped lines elsewhere.</summary>
    public static IAnsiConsole CreateConsole(TextWriter output, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal && !NoColor ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = PipeWidth;
        return console;
    }
}
