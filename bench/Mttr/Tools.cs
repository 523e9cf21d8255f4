using System.Diagnostics;

namespace KubeRescue.Bench.Mttr;

/// <summary>The benchmark's clock: seconds since it started, for every instant it records.</summary>
static class Clock
{
    static readonly long Origin = Stopwatch.GetTimestamp();

    public static double Now => Stopwatch.GetElapsedTime(Origin).TotalSeconds;
}

/// <summary>The programs a run starts: the CLI beside the benchmark, the manual script, the real kubectl.</summary>
static class Tools
{
    public static string ManualScript => Path.Combine(Repository.Root, "bench", "Mttr", "manual.sh");

    /// <summary>
    /// The kubectl that matches the lab's v1.33 server, called directly: the machine's default kubectl is a dispatcher
    /// that asks the server for its version before every command, a cost no operator's own kubectl has.
    /// </summary>
    public static string Kubectl { get; } = FindKubectl();

    /// <summary>The native build as docs/install.md publishes it (the end-to-end tests do too), if it is there.</summary>
    public static string? Native { get; } = File.Exists(Path.Combine(Repository.Root, "artifacts", "native", "kubectl-rescue"))
        ? Path.Combine(Repository.Root, "artifacts", "native", "kubectl-rescue") : null;

    public static ProcessStartInfo Cli(params string[] args) => new("dotnet", [KubeRescueCli.BesideThisProgram, .. args]);

    public static ProcessStartInfo NativeCli(params string[] args) => new(Native ?? throw new InvalidOperationException("no native build in artifacts/native"), args);

    static string FindKubectl()
    {
        var onPath = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("kubectl is not on the PATH");
        var real = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
        var versioned = Path.Combine(Path.GetDirectoryName(real)!, "kubectl.1.33");
        return File.Exists(versioned) ? versioned : onPath;
    }
}
