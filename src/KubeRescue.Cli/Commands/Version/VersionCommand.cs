using System.CommandLine;
using KubeRescue.Cli.Output;

namespace KubeRescue.Cli.Commands.Version;

/// <summary><c>kube-rescue version</c>: this binary's version, build and runtime. Like <c>kubectl version --client</c>, it asks no cluster.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var output = OutputFormat.CreateOption();
        var command = new Command("version", """
            Print the version of kube-rescue, how it was built (jit: on the .NET runtime, with the lab; native: NativeAOT,
            without it), the .NET runtime and the git commit it was built from, when known. Contacts no cluster.

            Examples:
              kube-rescue version
              kube-rescue version -o json
            """)
        {
            output,
        };
        command.SetAction(result =>
        {
            var info = BuildInfo.Current;
            var format = result.GetValue(output)!;
            if (format != OutputFormat.Table)
            {
                OutputFormat.WriteDocument(Console.Out, info, DocumentJson.Default.BuildInfo, format);
                return 0;
            }
            Console.WriteLine($"Version: {info.Version}");
            Console.WriteLine($"Build: {info.Build}");
            Console.WriteLine($"Runtime: {info.Runtime} ({info.Platform})");
            if (info.GitCommit is { } commit) Console.WriteLine($"Git commit: {commit}");
            return 0;
        });
        return command;
    }
}
