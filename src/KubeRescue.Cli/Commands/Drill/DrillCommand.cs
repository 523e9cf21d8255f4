using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KubeRescue.Cli.Commands.Recover;
using KubeRescue.Cli.Commands.Status;
using KubeRescue.Cli.Output.Report;
using KubeRescue.Cli.Output;
using KubeRescue.Diagnosis;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;
using KubeRescue.Lab;
using KubeRescue.Recovery;
using KubeRescue.Rendering;
using Spectre.Console;
using k8s;

namespace KubeRescue.Cli.Commands.Drill;

/// <summary>
/// <c>kube-rescue drill</c>: the whole story on the embedded lab, no cluster needed: a healthy self-hosted cluster,
/// a fault by cause, the broken status, the recovery with its timeline, the proof, and the lab shut down.
/// </summary>
public static class DrillCommand
{
    public static Command Create(Streams streams)
    {
        var component = new Argument<string>("component") { Description = "What to break and recover: scheduler, controller-manager or both.", DefaultValueFactory = _ => "scheduler" };
        component.AcceptOnlyFromAmong("scheduler", "controller-manager", "both");
        var mode = new Option<string>("--mode")
        {
            Description = "The fault: delete-pods (every pod deleted), bad-flag (a rejected flag rolled out), node-crash (it crashes on one master, and its pods go).",
            DefaultValueFactory = _ => "delete-pods",
        };
        mode.AcceptOnlyFromAmong("delete-pods", "bad-flag", "node-crash");
        var keep = new Option<bool>("--keep") { Description = "Leave the lab running afterwards (until Ctrl-C) and print how to point kubectl at it." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Where to write the lab's kubeconfig (default: a temporary file)." };
        var masters = new Option<int>("--masters") { Description = "Master nodes.", DefaultValueFactory = _ => 3 };
        var workers = new Option<int>("--workers") { Description = "Worker nodes.", DefaultValueFactory = _ => 2 };
        var timeScale = new Option<double>("--time-scale") { Description = "Run the lab this many times faster than real time (for tests; 1 is real).", DefaultValueFactory = _ => 1 };
        var output = OutputFormat.CreateOption();
        var verbose = ClusterOptions.CreateVerboseOption();
        var report = ReportRecording.CreateOption();
        var apiFaults = new Option<string?>("--api-faults")
        {
            Description = "Make the lab's API server flaky for kube-rescue throughout the drill: error-rate=F,reset-rate=F,latency=D,watch-drop=D (see lab break api).",
        };
        var command = new Command("drill", """
            Rehearse a recovery with no cluster: start the embedded lab (a self-hosted cluster at real timings), break
            the component, show the broken status, recover it with kube-rescue's own procedure, show the timeline, prove
            the control plane healthy, and shut the lab down. Exit 0 when the control plane was recovered and is healthy.

            Examples:
              kube-rescue drill
              kube-rescue drill both
              kube-rescue drill controller-manager --mode bad-flag
              kube-rescue drill scheduler --mode node-crash --keep
              kube-rescue drill both --api-faults error-rate=0.1,watch-drop=10s
              kube-rescue drill both -o json | jq '{passed, elapsed, steps: [.recovery.steps[] | {step, elapsed}]}'
            """)
        {
            component, mode, keep, kubeconfig, masters, workers, timeScale, output, verbose, report, apiFaults,
        };
        Verb.SetAction(command, streams, result => new Options(result.GetValue(component)!, result.GetValue(mode)!, result.GetValue(keep), result.GetValue(kubeconfig),
            result.GetValue(masters), result.GetValue(workers), result.GetValue(timeScale), result.GetValue(output)!, result.GetValue(verbose), result.GetValue(report),
            result.GetValue(apiFaults)));
        return command;
    }

    sealed record Options(string Component, string Mode, bool Keep, string? Kubeconfig, int Masters, int Workers, double TimeScale, string Format, bool Verbose,
        string? ReportPath, string? FaultSpec) : IVerbOptions
    {
        ApiFaults Faults => FaultSpec is null ? ApiFaults.None : ApiFaults.Parse(FaultSpec);

        public string? Validate()
        {
            if (Masters is < 1 or > 100) return $"--masters {Masters}: a lab has 1 to 100 masters";
            if (Workers is < 0 or > 10_000) return $"--workers {Workers}: a lab has 0 to 10000 workers";
            if (TimeScale is < 1 or > 100 || double.IsNaN(TimeScale)) return $"--time-scale {TimeScale.ToString(CultureInfo.InvariantCulture)}: use 1 (real time) to 100";
            if (Mode == "node-crash" && Masters < 2) return "--mode node-crash needs at least 2 masters: one to crash, one to run the rescue pod";
            if (ReportPath is not null && ReportRecording.Check(ReportPath) is { } unusable) return unusable;
            if (Verb.FormatError(() => Faults) is { } faults) return $"--api-faults: {faults}";
            return null;
        }

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            var story = OutputFormat.Story(streams, Format);
            var console = streams.CreateConsole(story);
            void Say(string line) => console.WriteLine($"[{ElapsedTime.Format(clock.Elapsed),7}] {line}");
            var components = Component == "both" ? ControlPlaneComponent.All : [ControlPlaneComponent.Find(Component)!];
            var apps = components.Select(c => c.Name).ToList();
            var timing = new LabTiming(TimeScale);
            var temporary = Kubeconfig is null;
            var kubeconfig = Kubeconfig ?? Path.Combine(Path.GetTempPath(), $"kube-rescue-drill-{Environment.ProcessId}.kubeconfig");
            var faults = Faults;

            Say($"starting the lab: {Masters} masters, {Workers} workers, {(TimeScale == 1 ? "real timings" : $"{TimeScale.ToString(CultureInfo.InvariantCulture)}x real time")}" +
                (faults.Any ? $", API faults for kube-rescue: {faults}" : ""));
            LabCluster lab;
            try
            {
                lab = await LabCluster.StartAsync(new LabClusterOptions { Masters = Masters, Workers = Workers, KubeconfigPath = kubeconfig, Timing = timing, ApiFaults = faults },
                    line => Say($"lab: {line}"), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return RecoverCommand.Interrupted;
            }
            try
            {
                await using (lab)
                {
                    // As an operator's kubectl or kube-rescue connects: API faults apply to it, never to the lab's components.
                    using var client = ClusterFlags.CreateClient(lab.Api.UserConfiguration(), Verbose, streams.Error);
                    var report = await DrillAsync(lab, client, components, apps, timing, console, story, streams.Error, Say, ct);
                    if (Format != OutputFormat.Table) OutputFormat.WriteDocument(streams.Out, report with { Elapsed = clock.Elapsed }, DocumentJson.Default.DrillReport, Format);
                    if (Keep)
                    {
                        story.WriteLine($"""

                            The lab keeps running; in another shell:
                              kubectl --kubeconfig {kubeconfig} get pods -A -o wide
                              kube-rescue status --kubeconfig {kubeconfig}
                            Ctrl-C stops it.
                            """);
                        try { await Task.Delay(Timeout.Infinite, ct); }
                        catch (OperationCanceledException) { }
                    }
                    Say("shutting the lab down");
                    return report.Passed ? RecoverCommand.Recovered : RecoverCommand.Failed;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return RecoverCommand.Interrupted;
            }
            finally
            {
                if (temporary && !Keep) File.Delete(kubeconfig);
            }
        }

        async Task<DrillReport> DrillAsync(LabCluster lab, IKubernetes client, IReadOnlyList<ControlPlaneComponent> components, List<string> apps, LabTiming timing,
            IAnsiConsole console, TextWriter story, TextWriter error, Action<string> say, CancellationToken ct)
        {
            var poll = TimeSpan.FromMilliseconds(200);
            var settle = timing.Seconds(5);
            DrillReport Report(bool passed, string? failure, ControlPlaneStatus? before, RecoveryResult? recovery, ControlPlaneStatus? after,
                IReadOnlyList<string>? rescuePodsLeft = null) =>
                new(apps, Mode, passed, failure, TimeSpan.Zero, before, recovery, after, rescuePodsLeft ?? [], Leadership(lab));
            say($"breaking {string.Join(" and ", apps)} (--mode {Mode})");
            string? crashedNode = null;
            switch (Mode)
            {
                case "bad-flag":
                    await BadFlagFault.RunAsync(client, apps, poll, settle, TimeSpan.FromMinutes(3), line => say($"fault: {line}"), ct);
                    break;
                case "node-crash":
                    // The host of a running instance breaks; then the instances elsewhere go too, so that the component is
                    // down and the broken master is a trap for the rescue pod.
                    var first = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={apps[0]}", cancellationToken: ct)).Items
                        .Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).Select(p => p.Spec.NodeName).Order(StringComparer.Ordinal).FirstOrDefault() ?? "master-1";
                    crashedNode = first;
                    await NodeCrashFault.RunAsync(client, first, apps, poll, TimeSpan.FromMinutes(3), line => say($"fault: {line}"), ct);
                    await DeletePodsFault.RunAsync(client, apps, poll, settle, line => say($"fault: {line}"), ct);
                    break;
                default:
                    await DeletePodsFault.RunAsync(client, apps, poll, settle, line => say($"fault: {line}"), ct);
                    break;
            }

            say("the control plane now:");
            var before = await ControlPlaneDiagnoser.DiagnoseAsync(client, ct);
            StatusView.Write(console, before);

            var options = new RecoveryOptions
            {
                Components = components,
                // A bad template is recovered from the last revision that worked, and rolled back to it.
                Source = Mode == "bad-flag" ? RescueSourceSpec.Parse("last-good") : RescueSourceSpec.Default,
                Rollback = Mode == "bad-flag",
                MinReady = TimeSpan.FromSeconds(Math.Max(1, 5 / timing.Speed)),
            };
            say($"recovering: kube-rescue recover {(components.Count == 2 ? "all" : components[0].Key)}{(Mode == "bad-flag" ? " --source last-good --rollback" : "")} --yes");
            RecoveryResult result;
            await using var recording = new ReportRecording(ReportPath, $"the embedded lab of the drill ({Masters} masters, {Workers} workers; {string.Join(" and ", apps)} broken by {Mode})");
            try
            {
                var plan = await RecoveryPlanner.PlanAsync(client, options, ct);
                RecoveryView.WritePlan(console, plan, Indent);
                var live = console.Profile.Capabilities.Ansi;
                await recording.StartAsync(client, plan, ct);
                result = await RecoveryView.RunAsync(console, live, plan, Indent, report => RecoveryRunner.RunAsync(client, plan, options, e => { recording.Record(e); report(e); }, ct));
                await recording.FinishAsync(result);
                if (live && result.Succeeded) say($"recovered in {ElapsedTime.Format(result.Elapsed)}");
            }
            catch (RecoveryRefusedException e)
            {
                say($"the recovery was refused: {e.Message}");
                return Report(false, $"the recovery was refused: {e.Message}", before, null, null);
            }
            if (!result.Succeeded)
            {
                say($"the recovery failed: {result.Failure}");
                recording.Write(story, error);
                return Report(false, $"the recovery failed: {result.Failure}", before, result, null);
            }
            if (!console.Profile.Capabilities.Ansi)
            {
                say($"recovered in {ElapsedTime.Format(result.Elapsed)}:");
                RecoveryView.WriteSteps(console, result.Steps, Indent);
            }

            if (crashedNode is not null)
            {
                // What the rescue worked around is the host's fault; an operator mends it next, and so does the drill.
                say($"mending {crashedNode} (the host that crashed the component; the rescue went around it)");
                await NodeCrashFault.MendAsync(client, crashedNode, ct);
            }

            // The proof: healthy by the same diagnosis `status` makes (a mended host's pod restarts after its back-off).
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            ControlPlaneStatus after;
            while (true)
            {
                after = await ControlPlaneDiagnoser.DiagnoseAsync(client, ct);
                if (components.All(c => after.Components.Single(s => s.Name == c.Name).Verdict == Verdict.Healthy) || DateTime.UtcNow > deadline) break;
                await Task.Delay(timing.Seconds(1), ct);
            }
            say("the control plane now:");
            StatusView.Write(console, after);
            var healthy = components.All(c => after.Components.Single(s => s.Name == c.Name).Verdict == Verdict.Healthy);
            // Nothing of the rescue may outlive it, and no two instances may ever have led at once (the lab's own record).
            var left = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel, cancellationToken: ct)).Items
                .Select(p => p.Metadata.Name).ToList();
            var leadership = Leadership(lab);
            var failure = !healthy ? "the control plane is not healthy afterwards"
                : left.Count > 0 ? $"rescue pods left behind: {string.Join(", ", left)}"
                : leadership.Overlaps.Count > 0 ? $"two instances led at once: {string.Join("; ", leadership.Overlaps)}"
                : !leadership.Complete ? "the lab's record of Lease writes is incomplete, so a single leader cannot be proven"
                : null;
            say(failure is null
                ? $"drill passed: {string.Join(" and ", apps)} broken by {Mode}, recovered and healthy; no rescue pod left; one leader at a time ({leadership.Writes} Lease writes)"
                : $"drill failed: {failure}");
            // The status after is the drill's proof, read once the control plane was healthy (or the wait gave up).
            recording.Write(story, error, after);
            return Report(failure is null, failure, before, result, after, left);
        }
    }

    static LeadershipCheck Leadership(LabCluster lab)
    {
        var writes = lab.Leases.Writes;
        return new LeadershipCheck(writes.Count, KubeRescue.Lab.LeaseLedger.Overlaps(writes), lab.Leases.Complete);
    }

    /// <summary>The recovery's lines sit under the drill's own timeline.</summary>
    const string Indent = "          ";
}
