using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Kube;
using KubeRescue.Lab.Faults;

namespace KubeRescue.Bench.Mttr;

/// <summary>What breaks (every pod of the components deleted), and how each way of recovering is asked for it.</summary>
sealed record Scenario(string Name, string Recover, IReadOnlyList<ControlPlaneComponent> Components)
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("scheduler", "scheduler", [ControlPlaneComponent.Scheduler]),
        new("controller-manager", "controller-manager", [ControlPlaneComponent.ControllerManager]),
        new("both", "all", ControlPlaneComponent.All),
    ];
}

/// <summary>
/// A way of recovering: kube-rescue (the JIT build beside the benchmark, or the native one) with extra arguments, or
/// the manual script polling every <see cref="Poll"/> seconds.
/// </summary>
sealed record Method(string Name, bool Manual, IReadOnlyList<string> Arguments, double Poll = 2, bool Native = false)
{
    public ProcessStartInfo Start(Scenario scenario, LabProcess lab)
    {
        string[] recover = ["recover", scenario.Recover, "--yes", "-o", "json", "--kubeconfig", lab.Kubeconfig, .. Arguments];
        if (!Manual) return Native ? Tools.NativeCli(recover) : Tools.Cli(recover);
        var psi = new ProcessStartInfo("bash", [Tools.ManualScript, scenario.Name]);
        psi.Environment["KUBECONFIG"] = lab.Kubeconfig;
        psi.Environment["KUBECACHEDIR"] = lab.KubectlCache();
        psi.Environment["KUBECTL"] = Tools.Kubectl;
        psi.Environment["POLL"] = Poll.ToString("0.###", CultureInfo.InvariantCulture);
        return psi;
    }
}

sealed record StepTime(string Step, string? Component, double Seconds);

/// <summary>
/// One recovery: seconds from the method's start to the first moment the health criterion held (<see cref="ToHealthy"/>),
/// to its exit (<see cref="ToExit"/>), and from the end of the fault (the component down and settled, when the lab's
/// <c>DeletePodsFault</c>, <c>lab break</c>'s code, returns) to health; the floor of the same run; for kube-rescue,
/// when its plan was printed (process start-up, connection and planning), its own run time and its steps from
/// <c>-o json</c>.
/// </summary>
sealed record RunResult(string Scenario, string Method, int Run, string? Failure, double ToHealthy, double ToExit, double FaultToHealthy,
    Floor? Floor, double? Planned, double? ToolElapsed, IReadOnlyList<StepTime>? Steps);

static class Runs
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Waits until the cluster is healthy by <c>kube-rescue status</c>'s rule (its exit 0) and settled (every
    /// kube-system pod Running and Ready, none terminating, no rescue pod) for <paramref name="hold"/>.
    /// </summary>
    public static async Task SettledAsync(IKubernetes client, TimeSpan hold, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        DateTime? since = null;
        while (true)
        {
            var status = await ControlPlaneDiagnoser.DiagnoseAsync(client, ct);
            var pods = (await client.CoreV1.ListNamespacedPodAsync("kube-system", cancellationToken: ct)).Items;
            var unsettled = pods.Where(p => p.Metadata.DeletionTimestamp is not null || p.Metadata.Name.EndsWith("-rescue", StringComparison.Ordinal)
                || !Recovery.PodState.IsReady(p)).Select(p => p.Metadata.Name).ToList();
            if (status.Overall == Verdict.Healthy && unsettled.Count == 0)
            {
                since ??= DateTime.UtcNow;
                if (DateTime.UtcNow - since >= hold) return;
            }
            else since = null;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the lab did not settle: overall {status.Overall}; {string.Join("; ", status.Components.Select(c => $"{c.Name}: {c.Summary}"))}; " +
                    $"not settled: {string.Join(", ", unsettled)}");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    /// <summary>
    /// The health criterion, the same for every method: each component of the scenario is Healthy as
    /// <c>kube-rescue status</c> judges it, and no pod named as a rescue pod is left un-terminated (the manual
    /// procedure's rescue pod has no kube-rescue label, so status would not count it as one).
    /// </summary>
    static async Task<bool> HealthyAsync(IKubernetes client, Scenario scenario, CancellationToken ct)
    {
        var judged = await Task.WhenAll(scenario.Components.Select(async c =>
            (await ControlPlaneDiagnoser.DiagnoseAsync(client, c, ct)).Verdict == Verdict.Healthy
            && await Reads.OrNullAsync(() => client.CoreV1.ReadNamespacedPodAsync(c.RescuePodName, c.Namespace, cancellationToken: ct)) is null or { Metadata.DeletionTimestamp: not null }));
        return judged.All(ok => ok);
    }

    public static async Task<RunResult> RunAsync(LabProcess lab, IKubernetes client, Scenario scenario, Method method, int run, double timeScale,
        Action<string> say, CancellationToken ct)
    {
        await SettledAsync(client, TimeSpan.FromSeconds(2 / timeScale), ct);
        var desired = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in scenario.Components)
            desired[c.Name] = (await client.AppsV1.ReadNamespacedDeploymentAsync(c.Name, c.Namespace, cancellationToken: ct)).Spec.Replicas ?? 1;

        await using var observer = await Observer.StartAsync(client, ct);
        // The fault `kube-rescue lab break` causes (the same code, through the API), without a process start to time.
        await DeletePodsFault.RunAsync(client, [.. scenario.Components.Select(c => c.Name)], TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5 / timeScale), _ => { }, ct);
        var brokenAt = Clock.Now;
        foreach (var c in scenario.Components)
            if ((await ControlPlaneDiagnoser.DiagnoseAsync(client, c, ct)).Verdict != Verdict.Down)
                throw new InvalidOperationException($"the fault was caused, but {c.Name} is not down");

        var start = Clock.Now;
        // With -o json the plan goes to stderr as soon as it is made, just before the first step starts.
        double? planSeen = null;
        var process = ProcessRunner.RunAsync(method.Start(scenario, lab), RunTimeout, ct,
            stderrLine: line => planSeen ??= line.StartsWith("plan:", StringComparison.Ordinal) ? Clock.Now - start : null);
        using var stopProbes = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var roundTrips = ProbeRoundTripsAsync(client, stopProbes.Token);
        var healthy = FirstHealthyAsync(client, scenario, observer, stopProbes.Token);

        var result = await process;
        var exitAt = Clock.Now;
        string? failure = result.ExitCode == 0 ? null : $"exit {result.ExitCode}: {Tail(result.Output)}";
        double healthyAt;
        try
        {
            healthyAt = await healthy.WaitAsync(TimeSpan.FromMinutes(5), ct);
        }
        catch (TimeoutException)
        {
            failure ??= "it exited 0, but the health criterion did not hold within 5 minutes";
            healthyAt = double.NaN;
        }
        await stopProbes.CancelAsync();
        var rtt = Median(await roundTrips);

        double? toolElapsed = null, planned = null;
        List<StepTime>? steps = null;
        if (!method.Manual && result.ExitCode == 0)
        {
            planned = planSeen;
            using var doc = JsonDocument.Parse(result.Stdout);
            toolElapsed = TimeSpan.Parse(doc.RootElement.GetProperty("elapsed").GetString()!, CultureInfo.InvariantCulture).TotalSeconds;
            steps = [.. doc.RootElement.GetProperty("steps").EnumerateArray().Select(s => new StepTime(s.GetProperty("step").GetString()!,
                s.TryGetProperty("component", out var c) ? c.GetString() : null, TimeSpan.Parse(s.GetProperty("elapsed").GetString()!, CultureInfo.InvariantCulture).TotalSeconds))];
        }
        var floor = failure is null ? Floor.Compute(scenario.Components, observer.Pods, observer.Leases, start, desired, rtt) : null;
        var outcome = new RunResult(scenario.Name, method.Name, run, failure, healthyAt - start, exitAt - start, healthyAt - brokenAt, floor, planned, toolElapsed, steps);
        say(failure is null
            ? $"{scenario.Name} #{run} {method.Name}: healthy after {outcome.ToHealthy:F1} s, exit after {outcome.ToExit:F1} s, floor {floor?.Total.ToString("F1", CultureInfo.InvariantCulture) ?? "?"} s"
            : $"{scenario.Name} #{run} {method.Name}: FAILED: {failure}");
        return outcome;
    }

    /// <summary>Judges health on every watched change (and at least twice a second); the moment is when the judging began.</summary>
    static async Task<double> FirstHealthyAsync(IKubernetes client, Scenario scenario, Observer observer, CancellationToken ct)
    {
        while (true)
        {
            var at = Clock.Now;
            if (await HealthyAsync(client, scenario, ct)) return at;
            await observer.Changed.WaitAsync(TimeSpan.FromMilliseconds(500), TimeProvider.System, ct);
        }
    }

    /// <summary>One GET of a Lease a second, timed, until cancelled: the API round trip of this run, in seconds.</summary>
    static async Task<List<double>> ProbeRoundTripsAsync(IKubernetes client, CancellationToken ct)
    {
        var samples = new List<double>();
        try
        {
            while (true)
            {
                var sw = Stopwatch.StartNew();
                await client.CoordinationV1.ReadNamespacedLeaseAsync(ControlPlaneComponent.Scheduler.LeaseName, "kube-system", cancellationToken: ct);
                samples.Add(sw.Elapsed.TotalSeconds);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return samples;
        }
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];
}
