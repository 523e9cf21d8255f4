using KubeRescue.Cli.Output;
using Spectre.Console;

namespace KubeRescue.Cli;

/// <summary>
/// The standard streams a command reads and writes, as kubectl's IOStreams, with what the commands need to know of
/// them: whether a person sits at each. Made once from the process's console (<see cref="FromConsole"/>) and given to
/// every command, so that no command touches <see cref="Console"/>; a test makes its own over strings.
/// </summary>
public sealed record Streams(TextReader In, TextWriter Out, TextWriter Error, bool InIsTerminal = false, bool OutIsTerminal = false, bool ErrorIsTerminal = false)
{
    public static Streams FromConsole() =>
        new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>True when <paramref name="output"/> is <see cref="Out"/> or <see cref="Error"/> and that is a terminal.</summary>
    public bool IsTerminal(TextWriter output) => ReferenceEquals(output, Out) ? OutIsTerminal : ReferenceEquals(output, Error) && ErrorIsTerminal;

    /// <summary>A console on <paramref name="output"/> (<see cref="Out"/> or <see cref="Error"/>), as <see cref="Terminal"/> makes one for it.</summary>
    public IAnsiConsole CreateConsole(TextWriter output) => Terminal.CreateConsole(output, IsTerminal(output));

    /// <summary>The error as every command words it (kubectl's "error: " line on stderr), and <paramref name="exitCode"/> to return.</summary>
    public int Fail(int exitCode, string message)
    {
        Error.WriteLine($"error: {message}");
        return exitCode;
    }
}
