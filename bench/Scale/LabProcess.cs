using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KubeRescue.Bench.Scale;

/// <summary>
/// <c>kube-rescue lab up</c> as its own process: a given kube-rescue.dll, or the repository's ./kube-rescue script
/// (which builds the CLI when its sources changed, then execs dotnet). Either way the process we start is the lab
/// itself, so its RSS and CPU time are the lab's alone.
/// </summary>
sealed class LabProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly X509Certificate2 _ca;

    LabProcess(Process process, string directory, string kubeconfig, TimeSpan bootTime)
    {
        _process = process;
        Directory = directory;
        Kubeconfig = kubeconfig;
        BootTime = bootTime;
        var lines = File.ReadAllLines(kubeconfig);
        string Value(string key) => lines.First(l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        Url = new Uri(Value("server"));
        Token = Value("token");
        _ca = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(Value("certificate-authority-data"))));
    }

    public string Directory { get; }
    public string Kubeconfig { get; }
    public Uri Url { get; }
    public string Token { get; }
    public TimeSpan BootTime { get; }
    public int Pid => _process.Id;

    public static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "KubeRescue.slnx")))
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("run from inside the repository");
        return root;
    }

    /// <summary>The CLI the script builds.</summary>
    public static string ScriptCli => Path.Combine(RepositoryRoot(), "artifacts", "cli", "kube-rescue.dll");

    /// <summary>
    /// Builds the CLI through the script (untimed) unless <paramref name="cli"/> names a built one, then starts the
    /// lab and waits for its ready line.
    /// </summary>
    public static async Task<LabProcess> StartAsync(string? cli, int masters, int workers, double timeScale, TimeSpan timeout)
    {
        if (cli is null)
        {
            using var build = Process.Start(new ProcessStartInfo(Path.Combine(RepositoryRoot(), "kube-rescue"), "--help") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var errors = build.StandardError.ReadToEndAsync();
            await build.StandardOutput.ReadToEndAsync();
            await build.WaitForExitAsync();
            if (build.ExitCode != 0) throw new InvalidOperationException($"building the CLI failed: {await errors}");
        }

        var dir = System.IO.Directory.CreateTempSubdirectory("kube-rescue-scale-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(cli ?? ScriptCli);
        foreach (var a in new[] { "lab", "up", "--masters", $"{masters}", "--workers", $"{workers}",
                     "--time-scale", timeScale.ToString(CultureInfo.InvariantCulture), "--kubeconfig", kubeconfig })
            psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                output.AppendLine(line);
                if (line.Contains(" ready at ", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new LabProcess(process, dir, kubeconfig, clock.Elapsed);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        throw new InvalidOperationException($"the lab did not become ready within {timeout}:\n{output}{await stderr}");
    }

    /// <summary>An HTTP/2 client with the lab's bearer token, trusting the lab's CA: how client-go reaches an API server.</summary>
    public HttpClient Client(int connections = 1) =>
        LabHttp.Client(Url, Token, _ca, HttpVersion.Version20, connections, multipleHttp2: connections > 1, TimeSpan.FromMinutes(30));

    /// <summary>A copy of the kubeconfig whose server is <paramref name="port"/> on loopback (the lab's certificate names the address, not the port).</summary>
    public string KubeconfigVia(int port)
    {
        var path = Path.Combine(Directory, $"kubeconfig-{port}");
        var text = File.ReadAllText(Kubeconfig).Replace(Url.ToString().TrimEnd('/'), $"https://127.0.0.1:{port}", StringComparison.Ordinal);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>VmRSS and VmHWM (peak) of the lab process, in MiB.</summary>
    public (double Rss, double Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{Pid}/status");
        double Field(string name) => double.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture) / 1024;
        return (Field("VmRSS"), Field("VmHWM"));
    }

    /// <summary>CPU time (user + system) the lab process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field, stime the 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        System.IO.Directory.Delete(Directory, recursive: true);
        _ca.Dispose();
    }
}
