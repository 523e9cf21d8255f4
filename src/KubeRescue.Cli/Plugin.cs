using System.CommandLine;

namespace KubeRescue.Cli;

/// <summary>
/// kube-rescue as a kubectl plugin. <c>kubectl rescue status</c> finds <c>kubectl-rescue</c> on the PATH and execs
/// it with the arguments after the plugin name, the same environment, and its path as argv[0]; so the binary knows
/// it was called as a plugin by its own name, and its help then names the commands as the user types them.
/// </summary>
public static class Plugin
{
    public const string ExecutableName = "kubectl-rescue";

    /// <summary>Runs the command <paramref name="args"/> name; System.CommandLine's own output (help, parse errors) goes to <paramref name="streams"/> too.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, Streams streams)
    {
        var parsed = root.Parse(args);
        if (RootCommand.ExecutableName != ExecutableName) return await parsed.InvokeAsync(new InvocationConfiguration { Output = streams.Out, Error = streams.Error });
        // System.CommandLine writes help and --version to the invocation's output (the commands write to their streams).
        using var help = new StringWriter();
        var code = await parsed.InvokeAsync(new InvocationConfiguration { Output = help, Error = streams.Error });
        await streams.Out.WriteAsync(AsPlugin(help.ToString()));
        return code;
    }

    /// <summary>
    /// A command the engine suggests (<c>kube-rescue recover scheduler</c>) as the user types it: under kubectl,
    /// <c>kubectl rescue recover scheduler</c>. Documents (<c>-o json</c>) keep the engine's words.
    /// </summary>
    public static string AsTyped(string advice) =>
        RootCommand.ExecutableName == ExecutableName ? advice.Replace("kube-rescue ", "kubectl rescue ", StringComparison.Ordinal) : advice;

    /// <summary>The usage lines (<c>kubectl-rescue status [options]</c>) and the examples (<c>kube-rescue status</c>) as <c>kubectl rescue status</c>.</summary>
    public static string AsPlugin(string help) => help.Replace(ExecutableName, "kubectl rescue", StringComparison.Ordinal)
        .Replace("  kube-rescue ", "  kubectl rescue ", StringComparison.Ordinal);
}
