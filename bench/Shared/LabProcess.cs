using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KubeRescue.Bench;

/// <summary>What <c>kube-rescue lab up</c> is started with; what is left unset is the CLI's default.</summary>
public sealed record LabOptions
{
    /// <summary>The kube-rescue.dll to run with dotnet.</summary>
    public string Cli { get; init; } = KubeRescueCli.BesideThisProgram;

    public bool ApiOnly { get; init; }

    public int? Masters { get; init; }

    public int? Workers { get; init; }

    public double? TimeScale { get; init; }

    /// <summary>The <c>--api-faults</c> spec, e.g. <c>error-rate=0.1,watch-drop=5s</c>.</summary>
    public string? ApiFaults { get; init; }

    /// <summary>Any other options of <c>lab up</c>, as they are (<c>--token-auth-file FILE</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>How long the lab may take to print its ready line.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// <c>kube-rescue lab up</c> as its own process: dotnet running the CLI, so that the process's PID, memory and CPU
/// time are the lab's own; its kubeconfig in a directory of its own. Ready once it prints its ready line. On dispose,
/// stopped with SIGTERM as an operator stops it (its process tree killed if it has not exited 20 s later) and its
/// directory removed.
/// </summary>
public class LabProcess : IAsyncDisposable
{
    static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    readonly LabOptions _options;
    readonly StringBuilder _output = new();
    Process? _process;
    (Uri Url, string Token, X509Certificate2 Ca)? _server;

    protected LabProcess(LabOptions options) => _options = options;

    /// <summary>Starts the lab and waits for its ready line; an error with the lab's output if it fails first.</summary>
    public static async Task<LabProcess> StartAsync(LabOptions options, CancellationToken ct = default)
    {
        var lab = new LabProcess(options);
        try
        {
            await lab.UpAsync(ct);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("kube-rescue-lab-").FullName;

    public string Kubeconfig => Path.Combine(Directory, "kubeconfig");

    /// <summary>The API server's URL, from the kubeconfig.</summary>
    public Uri Url => Server.Url;

    /// <summary>The kubeconfig user's bearer token (the lab's admin).</summary>
    public string Token => Server.Token;

    /// <summary>The lab's CA, the one root its serving certificate chains to.</summary>
    public X509Certificate2 CertificateAuthority => Server.Ca;

    (Uri Url, string Token, X509Certificate2 Ca) Server => _server ?? throw new InvalidOperationException("the lab is not up");

    /// <summary>From the process's start to its ready line.</summary>
    public TimeSpan BootTime { get; private set; }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("the lab was not started");

    /// <summary>Everything the lab has written so far, stdout and stderr.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>
    /// Starts the process and waits for its ready line. If the lab exits first, or is not ready within the options'
    /// timeout, its process tree is killed and the error carries what it wrote.
    /// </summary>
    protected async Task UpAsync(CancellationToken ct)
    {
        List<string> args = [_options.Cli, "lab", "up"];
        if (_options.ApiOnly) args.Add("--api-only");
        if (_options.Masters is { } masters) args.AddRange(["--masters", masters.ToString(CultureInfo.InvariantCulture)]);
        if (_options.Workers is { } workers) args.AddRange(["--workers", workers.ToString(CultureInfo.InvariantCulture)]);
        if (_options.TimeScale is { } scale) args.AddRange(["--time-scale", scale.ToString(CultureInfo.InvariantCulture)]);
        if (_options.ApiFaults is { } faults) args.AddRange(["--api-faults", faults]);
        args.AddRange([.. _options.Arguments, "--kubeconfig", Kubeconfig]);
        var psi = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var process = _process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            // "lab cluster ready at https://…" or "lab API server ready at https://…"; the boot's progress lines before it never say "ready at".
            if (e.Data.Contains(" ready at ", StringComparison.Ordinal) && !ready.Task.IsCompleted)
            {
                BootTime = clock.Elapsed;
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var done = await Task.WhenAny(ready.Task, process.WaitForExitAsync(waiting.Token), Task.Delay(_options.ReadyTimeout, waiting.Token));
        await waiting.CancelAsync();
        if (done != ready.Task)
        {
            var exited = process.HasExited;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException(exited
                ? $"lab up exited {process.ExitCode} before it was ready:\n{Output}"
                : $"the lab was not ready within {_options.ReadyTimeout}:\n{Output}");
        }
        ReadKubeconfig();
    }

    /// <summary>The server, the token and the CA from the kubeconfig the lab wrote (one cluster, one user, values on their keys' lines).</summary>
    void ReadKubeconfig()
    {
        var lines = File.ReadAllLines(Kubeconfig);
        string Value(string key) => lines.First(l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        _server = (new Uri(Value("server")), Value("token"),
            X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(Value("certificate-authority-data")))));
    }

    /// <summary>VmRSS and VmHWM (its peak) of the lab process, in MiB.</summary>
    public (double Rss, double Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{ProcessId}/status");
        double Field(string name) => double.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture) / 1024;
        return (Field("VmRSS"), Field("VmHWM"));
    }

    /// <summary>CPU time (user and system) the lab process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
        // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field, stime the 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>
    /// SIGTERM, as Ctrl-C or a service manager stops the lab, then its exit code; if it has not exited 20 s later, its
    /// process tree is killed and this throws.
    /// </summary>
    public async Task<int> StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("the lab was not started");
        if (!process.HasExited)
        {
            Posix.Kill(process.Id, Posix.SIGTERM);
            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"the lab did not stop within {StopGrace} of SIGTERM:\n{Output}");
            }
        }
        return process.ExitCode;
    }

    /// <summary>Stops the lab (killed if SIGTERM does not stop it) and removes its directory; never throws over an error already on its way.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is not null) await StopAsync();
        }
        catch (TimeoutException)
        {
            // Killed; a lab that ignores SIGTERM fails the tests that stop it on purpose, not every disposal.
        }
        finally
        {
            _process?.Dispose();
            _server?.Ca.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>Signals by number, which <see cref="Process"/> cannot send (it only kills).</summary>
public static class Posix
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
