using System.Diagnostics;
using System.Text;
using k8s;

namespace KubeRescue.Bench.Mttr;

/// <summary>The benchmark's clock: seconds since it started, for every instant it records.</summary>
static class Clock
{
    static readonly long Origin = Stopwatch.GetTimestamp();

    public static double Now => Stopwatch.GetElapsedTime(Origin).TotalSeconds;
}

/// <summary>
/// <c>kube-rescue lab up</c> as its own process (the CLI built beside the benchmark), with its kubeconfig and a
/// kubectl discovery cache of its own; stopped (and its directory removed) on dispose.
/// </summary>
sealed class LabProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output;

    public string Directory { get; }
    public string Kubeconfig => Path.Combine(Directory, "kubeconfig");
    public string KubectlCache => Path.Combine(Directory, "kubectl-cache");

    /// <summary>Seconds from the process's start to its ready line.</summary>
    public double BootSeconds { get; }

    LabProcess(Process process, StringBuilder output, string directory, double boot) => (_process, _output, Directory, BootSeconds) = (process, output, directory, boot);

    public static async Task<LabProcess> StartAsync(double timeScale, CancellationToken ct)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("kube-rescue-mttr-").FullName;
        var psi = Tools.Cli("lab", "up", "--masters", "3", "--workers", "2", "--time-scale", timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--kubeconfig", Path.Combine(dir, "kubeconfig"));
        var started = Clock.Now;
        var process = Process.Start(psi)!;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains(" ready ", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var done = await Task.WhenAny(ready.Task, process.WaitForExitAsync(ct), Task.Delay(TimeSpan.FromMinutes(3), ct));
        var lab = new LabProcess(process, output, dir, Clock.Now - started);
        if (done != ready.Task)
        {
            var said = lab.Output;
            await lab.DisposeAsync();
            throw new InvalidOperationException($"the lab did not become ready:\n{said}");
        }
        try
        {
            await lab.WarmUpAsync(ct);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    /// <summary>
    /// The operator has looked at the healthy cluster with both tools before: kubectl's discovery cache and the page
    /// cache holding kube-rescue's assemblies (and the native binary, if built) are warm, as they are for every later
    /// run. Status must say healthy (exit 0).
    /// </summary>
    async Task WarmUpAsync(CancellationToken ct)
    {
        await Processes.RunAsync(new ProcessStartInfo(Tools.Kubectl, ["--kubeconfig", Kubeconfig, "--cache-dir", KubectlCache, "get", "pods", "-A"])
            { RedirectStandardOutput = true, RedirectStandardError = true }, TimeSpan.FromMinutes(3), ct);
        var statuses = new List<ProcessStartInfo> { Tools.Cli("status", "--kubeconfig", Kubeconfig) };
        if (Tools.Native is not null) statuses.Add(Tools.NativeCli("status", "--kubeconfig", Kubeconfig));
        foreach (var psi in statuses)
        {
            var status = await Processes.RunAsync(psi, TimeSpan.FromMinutes(3), ct);
            if (status.ExitCode != 0) throw new InvalidOperationException($"{psi.FileName} status on the fresh lab exited {status.ExitCode}: {status.Output}");
        }
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public k8s.Kubernetes Client() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>The programs a run starts: the CLI beside the benchmark, the manual script, the real kubectl.</summary>
static class Tools
{
    public static string Repository { get; } = FindRepository();

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "kube-rescue.dll");

    public static string ManualScript => Path.Combine(Repository, "bench", "Mttr", "manual.sh");

    /// <summary>
    /// The kubectl that matches the lab's v1.33 server, called directly: the machine's default kubectl is a dispatcher
    /// that asks the server for its version before every command, a cost no operator's own kubectl has.
    /// </summary>
    public static string Kubectl { get; } = FindKubectl();

    /// <summary>The native build as docs/install.md publishes it (the end-to-end tests do too), if it is there.</summary>
    public static string? Native { get; } = File.Exists(Path.Combine(Repository, "artifacts", "native", "kubectl-rescue"))
        ? Path.Combine(Repository, "artifacts", "native", "kubectl-rescue") : null;

    public static ProcessStartInfo Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    public static ProcessStartInfo NativeCli(params string[] args)
    {
        var psi = new ProcessStartInfo(Native ?? throw new InvalidOperationException("no native build in artifacts/native")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    static string FindRepository()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "KubeRescue.slnx")))
            dir = Path.GetDirectoryName(dir.TrimEnd('/')) ?? throw new InvalidOperationException("run the benchmark from inside the repository (it needs bench/Mttr/manual.sh)");
        return dir;
    }

    static string FindKubectl()
    {
        var onPath = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("kubectl is not on the PATH");
        var real = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
        var versioned = Path.Combine(Path.GetDirectoryName(real)!, "kubectl.1.33");
        return File.Exists(versioned) ? versioned : onPath;
    }
}
