using System.CommandLine;
using System.Text.Json.Nodes;
using k8s;
using KubeRescue.Cli.Output;
using KubeRescue.Cli.Output.Report;
using KubeRescue.Kube;
using KubeRescue.Recovery;
using KubeRescue.Rendering;
using Spectre.Console;

namespace KubeRescue.Cli.Commands.Recover;

/// <summary><c>kube-rescue recover</c>: options, then validation (nothing touched yet), then the engine's plan and run.</summary>
public static class RecoverCommand
{
    public const int Recovered = 0, Failed = 1, Refused = 2, Unreachable = 3, Interrupted = 130;

    public static Command Create()
    {
        var component = new Argument<string>("component") { Description = "scheduler, controller-manager or all.", DefaultValueFactory = _ => "all" };
        component.CompletionSources.Add([.. ControlPlaneComponent.All.Select(c => c.Key), "all"]);
        var node = new Option<string?>("--node") { Description = "The master to run the rescue pods on (default: the best one, then the next if it fails)." };
        var source = new Option<string>("--source")
        {
            Description = "What the rescue pod is made from: deployment (default), daemonset, mirror-pod, revision=N, last-good, file=PATH.",
            DefaultValueFactory = _ => "deployment",
        };
        source.CompletionSources.Add([.. RescueSourceSpec.Completions]);
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and the rescue pods; change nothing." };
        var timeout = new Option<string>("--timeout") { Description = "How long the whole recovery may take (e.g. 10m, 90s).", DefaultValueFactory = _ => "10m" };
        var minReady = new Option<string>("--min-ready") { Description = "How long a pod must stay Ready, without a restart, to count as started.", DefaultValueFactory = _ => "5s" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (needed when stdin is not a terminal)." };
        var force = new Option<bool>("--force") { Description = "Run a rescue even though the component is healthy." };
        var rollback = new Option<bool>("--rollback") { Description = "Roll the Deployment back to the source's template once the rescue pod runs (for a bad template)." };
        var output = OutputFormat.CreateOption();
        var report = ReportRecording.CreateOption();
        var cluster = new ClusterOptions();
        var command = new Command("recover", """
            Recover kube-scheduler and/or kube-controller-manager with a rescue pod: diagnose, plan, run a copy of the
            component pinned to a master with spec.nodeName (no scheduler needed), wait until the permanent pods run and
            lead, remove the rescue pod, verify. Refuses (exit 2, nothing changed) when there is nothing to recover.
            Resumable: a rescue pod left by an interrupted run is adopted. Ctrl-C removes what this run created.

            Exit codes: 0 recovered (or --dry-run printed), 1 recovery failed, 2 refused or bad input, 3 cluster unreachable or access denied,
            130 interrupted.

            Examples:
              kube-rescue recover scheduler --dry-run
              kube-rescue recover all --yes
              kube-rescue recover controller-manager --node master-2 --timeout 5m
              kube-rescue recover scheduler --source last-good --rollback --yes
            """)
        {
            component, node, source, dryRun, timeout, minReady, yes, force, rollback, output, report,
        };
        cluster.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            // Validate everything before touching the cluster.
            var name = result.GetValue(component)!;
            IReadOnlyList<ControlPlaneComponent> components = name == "all" ? ControlPlaneComponent.All
                : ControlPlaneComponent.Find(name) is { } one ? [one] : [];
            if (components.Count == 0) return Fail($"unknown component \"{name}\": choose scheduler, controller-manager or all");
            RescueSourceSpec spec;
            try { spec = RescueSourceSpec.Parse(result.GetValue(source)!); }
            catch (FormatException e) { return Fail(e.Message); }
            if (!GoDuration.TryParse(result.GetValue(timeout)!, out var deadline) || deadline <= TimeSpan.Zero)
                return Fail($"--timeout {result.GetValue(timeout)} is not a positive duration such as 10m or 90s");
            if (!GoDuration.TryParse(result.GetValue(minReady)!, out var ready) || ready > TimeSpan.FromMinutes(10))
                return Fail($"--min-ready {result.GetValue(minReady)} is not a duration between 0 and 10m");
            var reportPath = result.GetValue(report);
            if (reportPath is not null && result.GetValue(dryRun)) return Fail("--report records a recovery as it runs, and --dry-run runs none: give one or the other");
            if (reportPath is not null && ReportRecording.Check(reportPath) is { } unusable) return Fail(unusable);
            if (cluster.Connect(result, Console.Error) is not { } config) return Unreachable;

            var options = new RecoveryOptions
            {
                Components = components, Node = result.GetValue(node), Source = spec, Force = result.GetValue(force), Rollback = result.GetValue(rollback),
                Timeout = deadline, MinReady = ready,
            };
            var format = result.GetValue(output)!;
            using var client = cluster.CreateClient(result, config);
            // The report names the cluster by its context only: never its address or credentials.
            await using var recording = new ReportRecording(reportPath, config.CurrentContext is { } context ? $"context {context}" : "in-cluster service account");
            return await RunAsync(client, options, result.GetValue(dryRun), result.GetValue(yes), format, recording, ct);
        });
        return command;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return Refused;
    }

    static async Task<int> RunAsync(IKubernetes client, RecoveryOptions options, bool dryRun, bool yes, string format, ReportRecording recording, CancellationToken ct)
    {
        // A document on stdout for scripts means the story goes to stderr.
        var story = format == OutputFormat.Table ? Console.Out : Console.Error;
        var terminal = Terminal.IsTerminal(story);
        var console = Terminal.CreateConsole(story, terminal);
        RecoveryPlan plan;
        try
        {
            plan = await RecoveryPlanner.PlanAsync(client, options, ct);
        }
        catch (RecoveryRefusedException e)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
        {
            await Console.Error.WriteLineAsync($"error: {ApiErrors.Describe(e)}");
            return ApiErrors.IsAccessProblem(e) ? Unreachable : Failed;
        }

        if (dryRun)
        {
            if (format == OutputFormat.Table)
            {
                RecoveryView.WritePlan(console, plan);
                foreach (var p in plan.Components)
                {
                    story.WriteLine("---");
                    story.Write(YamlEmitter.Emit(JsonNode.Parse(KubernetesJson.Serialize(p.RescuePod))));
                }
            }
            else OutputFormat.WriteDocument(Console.Out, PlanDocument.From(plan), DocumentJson.Default.PlanDocument, format);
            return Recovered;
        }

        RecoveryView.WritePlan(console, plan);
        if (!yes)
        {
            if (Console.IsInputRedirected)
            {
                await Console.Error.WriteLineAsync("error: recover changes the cluster: confirm with --yes (stdin is not a terminal to ask on)");
                return Refused;
            }
            story.Write("Proceed? [y/N] ");
            if (Console.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes"))
            {
                story.WriteLine("nothing changed");
                return Refused;
            }
        }

        RecoveryResult outcome;
        try
        {
            await recording.StartAsync(client, plan, ct);
            outcome = await RecoveryView.RunAsync(console, terminal, plan, "", report => RecoveryRunner.RunAsync(client, plan, options, e => { recording.Record(e); report(e); }, ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("interrupted: the pods this run created were removed");
            await recording.FinishAsync(null);
            recording.Write(Console.Error);
            return Interrupted;
        }
        await recording.FinishAsync(outcome);
        if (format == OutputFormat.Table)
        {
            story.WriteLine();
            // On a terminal the live table stays on screen as the summary.
            if (!terminal) RecoveryView.WriteSteps(console, outcome.Steps, "  ");
            console.WriteLine(outcome.Succeeded
                ? $"recovered {string.Join(" and ", plan.Components.Select(p => p.Component.Name))} in {GoDuration.Format(outcome.Elapsed)}"
                : $"recovery failed after {GoDuration.Format(outcome.Elapsed)}: {outcome.Failure}",
                new Style(outcome.Succeeded ? Color.Green : Color.Red));
        }
        else OutputFormat.WriteDocument(Console.Out, outcome, DocumentJson.Default.RecoveryResult, format);
        recording.Write(story);
        return outcome.Succeeded ? Recovered : Failed;
    }
}
