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

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (RootCommand.ExecutableName != ExecutableName) return await parsed.InvokeAsync();
        // System.CommandLine writes help and --version to the invocation's output (the commands write to the console).
        using var help = new StringWriter();
        var code = await parsed.InvokeAsync(new InvocationConfiguration { Output = help });
        await Console.Out.WriteAsync(AsPlugin(help.ToString()));
        return code;
    }

    /// <summary>The usage lines (<c>kubectl-rescue status [options]</c>) and the examples (<c>kube-rescue status</c>) as <c>kubectl rescue status</c>.</summary>
    public static string AsPlugin(string help) => help.Replace(ExecutableName, "kubectl rescue", StringComparison.Ordinal)
        .Replace("  kube-rescue ", "  kubectl rescue ", StringComparison.Ordinal);
}
