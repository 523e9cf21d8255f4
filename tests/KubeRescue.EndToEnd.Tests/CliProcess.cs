using System.Diagnostics;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>The tests' processes: the kube-rescue CLI beside the test assembly, and any program, run to its end.</summary>
public static class Processes
{
    public static ProcessStartInfo Cli(params string[] args) => new("dotnet", [KubeRescueCli.BesideThisProgram, .. args]);

    /// <summary>
    /// <paramref name="psi"/> run on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal runs it:
    /// what it writes to the terminal (200 columns wide) comes back as the result's stdout.
    /// </summary>
    public static ProcessStartInfo InTerminal(ProcessStartInfo psi)
    {
        static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
        var terminal = new ProcessStartInfo("script");
        foreach (var a in new[] { "--quiet", "--return", "--flush", "--command", "stty cols 200 rows 60 && exec " + string.Join(' ', psi.ArgumentList.Prepend(psi.FileName).Select(Quote)), "/dev/null" })
            terminal.ArgumentList.Add(a);
        foreach (var (k, v) in psi.Environment) terminal.Environment[k] = v;
        terminal.Environment["TERM"] = "xterm-256color";
        return terminal;
    }

    /// <summary>Runs to the end, a minute at most unless told otherwise.</summary>
    public static Task<ProcessResult> RunAsync(ProcessStartInfo psi, string? stdin = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(psi, timeout ?? TimeSpan.FromSeconds(60), stdin: stdin);
}

/// <summary>
/// A running <c>kube-rescue lab up</c> (the real CLI process) as an xunit fixture: started before a test class's
/// first test, stopped with SIGTERM after its last.
/// </summary>
public abstract class LabFixture(LabOptions options) : LabProcess(options), IAsyncLifetime
{
    public Task InitializeAsync() => UpAsync(CancellationToken.None);

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A copy of the lab's kubeconfig (the admin's) in its directory, with <paramref name="token"/> as the user's: another user, or a wrong token.</summary>
    public string KubeconfigWithToken(string token, string name)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Kubeconfig), "token: .*", "token: " + token));
        return path;
    }
}

/// <summary><c>kube-rescue lab up --api-only</c>.</summary>
public sealed class ApiLabProcess() : LabFixture(new LabOptions { ApiOnly = true });
