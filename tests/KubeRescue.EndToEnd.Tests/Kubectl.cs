using System.Diagnostics;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The real kubectl: the machine's default one, or a versioned binary (kubectl.1.27 …) beside the file the
/// <c>kubectl</c> symlink points to. Each instance has its own discovery cache directory.
/// </summary>
public sealed class Kubectl(string version, string kubeconfig) : IDisposable
{
    readonly string _cacheDir = Directory.CreateTempSubdirectory("kubectl-cache-").FullName;

    public const string Default = "default";

    /// <summary>How often a test re-runs kubectl while it waits for a state: each run is a process.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Versions the tests run against: the default dispatcher and the oldest and newest pinned ones.</summary>
    public static TheoryData<string> Versions => new() { Default, "1.27", "1.33" };

    public string Binary { get; } = Resolve(version);

    static string Resolve(string version)
    {
        var onPath = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("kubectl is not on the PATH");
        if (version == Default) return onPath;
        var real = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
        var versioned = Path.Combine(Path.GetDirectoryName(real)!, $"kubectl.{version}");
        return File.Exists(versioned) ? versioned : throw new InvalidOperationException($"{versioned} does not exist");
    }

    public Task<ProcessResult> RunAsync(string args, string? stdin = null) => RunAsync(Split(args), stdin);

    public Task<ProcessResult> RunAsync(IEnumerable<string> args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(Binary);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(kubeconfig);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(_cacheDir);
        return Processes.RunAsync(psi, stdin);
    }

    /// <summary>Runs and requires exit 0.</summary>
    public Task<string> OkAsync(string args, string? stdin = null) => OkAsync(Split(args), stdin);

    public async Task<string> OkAsync(IReadOnlyList<string> args, string? stdin = null)
    {
        var r = await RunAsync(args, stdin);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} exited {r.ExitCode}: {r.Output}");
        return r.Stdout;
    }

    /// <summary>Splits on spaces, keeping single-quoted parts together (for -p '{"a": 1}').</summary>
    static List<string> Split(string args)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var ch in args)
        {
            if (ch == '\'') { quoted = !quoted; continue; }
            if (ch == ' ' && !quoted)
            {
                if (current.Length > 0) { parts.Add(current.ToString()); current.Clear(); }
                continue;
            }
            current.Append(ch);
        }
        if (current.Length > 0) parts.Add(current.ToString());
        return parts;
    }

    public void Dispose() => Directory.Delete(_cacheDir, recursive: true);
}
