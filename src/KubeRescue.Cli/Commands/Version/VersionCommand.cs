using System.CommandLine;
using KubeRescue.Cli.Output;

namespace KubeRescue.Cli.Commands.Version;

/// <summary><c>kube-rescue version</c>: this binary's version, build and runtime. Like <c>kubectl version --client</c>, it asks no cluster.</summary>
public static class VersionCommand
{
    public static Command Create(Streams streams)
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
        Verb.SetAction(command, streams, result => new Options(result.GetValue(output)!));
        return command;
    }

    sealed record Options(string Format) : IVerbOptions
    {
        // -o is one System.CommandLine accepted.
        public string? Validate() => null;

        public Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            var info = BuildInfo.Current;
            if (Format != OutputFormat.Table) OutputFormat.WriteDocument(streams.Out, info, DocumentJson.Default.BuildInfo, Format);
            else
            {
                streams.Out.WriteLine($"Version: {info.Version}");
                streams.Out.WriteLine($"Build: {info.Build}");
                streams.Out.WriteLine($"Runtime: {info.Runtime} ({info.Platform})");
                if (info.GitCommit is { } commit) streams.Out.WriteLine($"Git commit: {commit}");
            }
            return Task.FromResult(0);
        }
    }
}
