using System.Diagnostics;

namespace KubeRescue.Bench;

/// <summary>Which kube-rescue CLI a benchmark or test runs: the build beside it, or the one ./kube-rescue builds.</summary>
public static class KubeRescueCli
{
    /// <summary>kube-rescue.dll beside this program, where its project's reference to the CLI builds it.</summary>
    public static string BesideThisProgram => Path.Combine(AppContext.BaseDirectory, "kube-rescue.dll");

    /// <summary>
    /// Has the repository's ./kube-rescue script build the CLI (when its sources changed), then returns the dll it built,
    /// to be run with dotnet directly: the process started is then kube-rescue itself, not the script.
    /// </summary>
    public static async Task<string> BuildWithScriptAsync(CancellationToken ct = default)
    {
        var build = await ProcessRunner.RunAsync(new ProcessStartInfo(Path.Combine(Repository.Root, "kube-rescue"), ["--help"]), TimeSpan.FromMinutes(15), ct);
        if (build.ExitCode != 0) throw new InvalidOperationException($"building the CLI with ./kube-rescue failed: {build.Stderr}");
        return Path.Combine(Repository.Root, "artifacts", "cli", "kube-rescue.dll");
    }
}
