using System.CommandLine;

namespace KubeRescue.Cli.Commands;

/// <summary>
/// A command's options, in the shape kubectl gives each verb (pkg/cmd/&lt;verb&gt;: options, validate, run): a record of
/// what the user asked, which the command's <c>Create</c> binds from the command line; <see cref="Validate"/>, which
/// reads no cluster and starts no lab; and <see cref="RunAsync"/>, which does the work over the given streams only.
/// </summary>
public interface IVerbOptions
{
    /// <summary>Why these options cannot run, or null; checked before <see cref="RunAsync"/>.</summary>
    string? Validate();

    /// <summary>The command's work, reading and writing only <paramref name="streams"/>; the exit code.</summary>
    Task<int> RunAsync(Streams streams, CancellationToken ct);
}

public static class Verb
{
    /// <summary>The exit code of input that cannot run, the same for every command.</summary>
    public const int BadInput = 2;

    /// <summary>
    /// The command's action: the options <paramref name="bind"/> reads from the command line, validated (an error on
    /// stderr and <see cref="BadInput"/> if they cannot run), then run over <paramref name="streams"/>.
    /// </summary>
    public static void SetAction<T>(Command command, Streams streams, Func<ParseResult, T> bind) where T : IVerbOptions =>
        command.SetAction((result, ct) =>
        {
            var options = bind(result);
            return options.Validate() is { } error ? Task.FromResult(streams.Fail(BadInput, error)) : options.RunAsync(streams, ct);
        });

    /// <summary>Why <paramref name="parse"/> cannot parse its text (its <see cref="FormatException"/>'s message), or null.</summary>
    public static string? FormatError<T>(Func<T> parse)
    {
        try
        {
            parse();
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
