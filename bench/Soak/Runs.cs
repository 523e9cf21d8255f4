using System.Diagnostics;
using System.Text.Json.Nodes;
using KubeRescue.Diagnosis;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;
using KubeRescue.Lab;
using k8s;

namespace KubeRescue.Bench.Soak;

/// <summary>The soak's clock: seconds since it started.</summary>
static class Clock
{
    static readonly long Origin = Stopwatch.GetTimestamp();

    public static double Now => Stopwatch.GetElapsedTime(Origin).TotalSeconds;
}

/// <summary>What each run breaks and recovers, in turn: the drill's name for it, recover's, and the components.</summary>
static class Components
{
    public static readonly string[] Keys = ["scheduler", "controller-manager", "both"];

    public static string RecoverArgument(string key) => key == "both" ? "all" : key;

    public static IReadOnlyList<ControlPlaneComponent> Of(string key) => key == "both" ? ControlPlaneComponent.All : [ControlPlaneComponent.Find(key)!];
}

/// <summary>One <c>kube-rescue drill</c> under API faults, as its JSON report and its --verbose log tell it.</summary>
sealed record DrillRun(int Run, string Component, string Faults, bool Passed, string? Failure, double Seconds, double RecoverySeconds, int Requests, int Retries,
    int LeaseWrites, IReadOnlyList<string> Overlaps, IReadOnlyList<string> RescuePodsLeft)
{
    public static async Task<DrillRun> RunAsync(int run, string component, ApiFaults faults, double timeScale, CancellationToken ct)
    {
        var result = await Cli.RunAsync(["drill", component, "--time-scale", timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. faults.Any ? new[] { "--api-faults", faults.ToString() } : [], "-o", "json", "--verbose"], TimeSpan.FromMinutes(10), ct);
        var log = result.Stderr.Split('\n');
        var (requests, retries) = (log.Count(l => l.StartsWith("api: ", StringComparison.Ordinal)), log.Count(l => l.StartsWith("retry: ", StringComparison.Ordinal)));
        JsonNode? report = null;
        try { report = JsonNode.Parse(result.Stdout); }
        catch (System.Text.Json.JsonException) { }
        if (report is null)
            return new DrillRun(run, component, faults.ToString(), false, $"exit {result.ExitCode} without a report: {Cli.Tail(result.Stderr)}", result.Elapsed.TotalSeconds, 0, requests, retries, 0, [], []);
        static List<string> Strings(JsonNode? n) => n?.AsArray().Select(x => (string)x!).ToList() ?? [];
        var recovery = (string?)report["recovery"]?["elapsed"];
        return new DrillRun(run, component, faults.ToString(), (bool)report["passed"]! && result.ExitCode == 0, (string?)report["failure"], result.Elapsed.TotalSeconds,
            recovery is null ? 0 : TimeSpan.Parse(recovery, System.Globalization.CultureInfo.InvariantCulture).TotalSeconds, requests, retries,
            (int)report["leadership"]!["writes"]!, Strings(report["leadership"]!["overlaps"]), Strings(report["rescuePodsLeft"]));
    }
}

/// <summary>
/// One recovery killed with SIGKILL at a point in it, then run again: where the kill landed, how the second run
/// ended, and whether the lab healed with no rescue pod left.
/// </summary>
sealed record KillRun(int Run, string Component, double? KillAfter, string? KillAtStep, string? KilledDuring, bool Killed, double FirstRunSeconds, int? SecondExit,
    double SecondRunSeconds, bool Healed, string? Failure, IReadOnlyList<string> RescuePodsLeft);

/// <summary>A lab in this process for the kill runs: broken through the API as <c>lab break</c> does, recovered by the CLI as a process.</summary>
sealed class KillLab : IAsyncDisposable
{
    readonly LabCluster _cluster;
    readonly k8s.Kubernetes _admin;
    readonly string _directory;
    readonly double _timeScale;

    KillLab(LabCluster cluster, string directory, double timeScale)
    {
        (_cluster, _directory, _timeScale) = (cluster, directory, timeScale);
        _admin = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
    }

    string Kubeconfig => Path.Combine(_directory, "kubeconfig");

    public static async Task<KillLab> StartAsync(double timeScale, Action<string> say, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-soak-").FullName;
        say("starting the lab for the kill runs");
        var cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 2, Timing = new LabTiming(timeScale), KubeconfigPath = Path.Combine(dir, "kubeconfig") }, ct: ct);
        return new KillLab(cluster, dir, timeScale);
    }

    /// <summary>One run: uninterrupted (calibration) when neither <paramref name="killAfter"/> nor <paramref name="killAtStep"/> is given.</summary>
    public async Task<KillRun> RunAsync(int run, string component, double? killAfter, CancellationToken ct, string? killAtStep = null)
    {
        var apps = Components.Of(component).Select(c => c.Name).ToList();
        await DeletePodsFault.RunAsync(_admin, apps, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5 / _timeScale), _ => { }, ct);
        string[] recover = ["recover", Components.RecoverArgument(component), "--yes", "--kubeconfig", Kubeconfig];

        // A step's first line says it started ("[   5.1s] remove-rescue-pod kube-scheduler: delete pod ...").
        Func<string, bool>? atStep = killAtStep is null ? null : line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^\[\s*[\d.]+s\] {killAtStep}\b");
        var first = await Cli.RunAsync(recover, TimeSpan.FromMinutes(10), ct, killAfter is null ? null : TimeSpan.FromSeconds(killAfter.Value), atStep);
        // The step the run was in: the last one its progress lines named ("[   1.2s] ensure-rescue-pod kube-scheduler: ...").
        var during = first.Killed
            ? first.Stdout.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\[\s*[\d.]+s\] ([a-z-]+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).LastOrDefault() ?? "planning"
            : null;
        ProcessResult? second = null;
        if (killAfter is not null || killAtStep is not null) second = await Cli.RunAsync(recover, TimeSpan.FromMinutes(10), ct);

        // Healed: the second run recovered, or found nothing left to recover; the component healthy; no rescue pod.
        string? failure = null;
        var last = second ?? first;
        if (second is null && first.ExitCode != 0) failure = $"recover exited {first.ExitCode}: {Cli.Tail(first.Stdout + first.Stderr)}";
        if (second is not null && second.ExitCode != 0 && !(second.ExitCode == 2 && second.Stderr.Contains("nothing to recover", StringComparison.Ordinal)))
            failure = $"the second run exited {second.ExitCode}: {Cli.Tail(second.Stdout + second.Stderr)}";
        var healthy = await HealthyAsync(apps, TimeSpan.FromMinutes(2), ct);
        if (failure is null && !healthy) failure = "not healthy two minutes after the second run";
        var left = (await _admin.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel, cancellationToken: ct)).Items.Select(p => p.Metadata.Name).ToList();
        if (failure is null && left.Count > 0) failure = $"rescue pods left: {string.Join(", ", left)}";
        return new KillRun(run, component, killAfter, killAtStep, during, first.Killed, first.Elapsed.TotalSeconds, second?.ExitCode, second?.Elapsed.TotalSeconds ?? 0, failure is null, failure, left);
    }

    async Task<bool> HealthyAsync(IReadOnlyList<string> apps, TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var status = await ControlPlaneDiagnoser.DiagnoseAsync(_admin, ct);
            if (apps.All(a => status.Components.Single(c => c.Name == a).Verdict == Verdict.Healthy)) return true;
            await Task.Delay(TimeSpan.FromSeconds(1 / _timeScale), ct);
        }
        return false;
    }

    /// <summary>Every hand-over of the components' Leases in the whole kill series where two holders overlapped (none expected).</summary>
    public IReadOnlyList<string> Overlaps() => LeaseLedger.Overlaps(_cluster.Leases.Writes);

    public int LeaseWrites => _cluster.Leases.Writes.Count;

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>The CLI built beside the soak, as a process.</summary>
static class Cli
{
    /// <summary>
    /// Runs the CLI; SIGKILLs it after <paramref name="killAfter"/>, or as soon as it prints a line
    /// <paramref name="killAt"/> accepts, if it still runs then (no handler runs, nothing is cleaned up, as when a
    /// laptop's battery dies mid-recovery).
    /// </summary>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> args, TimeSpan timeout, CancellationToken ct, TimeSpan? killAfter = null,
        Func<string, bool>? killAt = null)
    {
        using var kill = new CancellationTokenSource();
        if (killAfter is not null) kill.CancelAfter(killAfter.Value);
        return await ProcessRunner.RunAsync(new ProcessStartInfo("dotnet", [KubeRescueCli.BesideThisProgram, .. args]), timeout, ct,
            stdoutLine: killAt is null ? null : line => { if (killAt(line)) kill.Cancel(); }, kill: kill.Token);
    }

    public static string Tail(string output) => string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
}
