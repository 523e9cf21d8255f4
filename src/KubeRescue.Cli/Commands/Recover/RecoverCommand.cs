using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using KubeRescue.Cli.Output.Report;
using KubeRescue.Cli.Output;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Recovery;
using KubeRescue.Rendering;
using Spectre.Console;
using k8s;

namespace KubeRescue.Cli.Commands.Recover;

/// <summary><c>kube-rescue recover</c>: options, then validation (nothing touched yet), then the engine's plan and run.</summary>
public static class RecoverCommand
{
    public const int Recovered = 0, Failed = 1, Refused = 2, Unreachable = 3, Interrupted = 130;

    public static Command Create(Streams streams)
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
        Verb.SetAction(command, streams, result => new Options(result.GetValue(component)!, result.GetValue(node), result.GetValue(source)!, result.GetValue(dryRun),
            result.GetValue(timeout)!, result.GetValue(minReady)!, result.GetValue(yes), result.GetValue(force), result.GetValue(rollback), result.GetValue(output)!,
            result.GetValue(report), cluster.Bind(result)));
        return command;
    }

    sealed record Options(string Component, string? Node, string Source, bool DryRun, string Timeout, string MinReady, bool Yes, bool Force, bool Rollback,
        string Format, string? Report, ClusterFlags Cluster) : IVerbOptions
    {
        IReadOnlyList<ControlPlaneComponent> Components => Component == "all" ? ControlPlaneComponent.All
            : ControlPlaneComponent.Find(Component) is { } one ? [one] : [];

        RescueSourceSpec Spec => RescueSourceSpec.Parse(Source);

        // A duration that does not parse is out of range.
        TimeSpan Deadline => Duration(Timeout) ?? TimeSpan.Zero;
        TimeSpan Ready => Duration(MinReady) ?? TimeSpan.MaxValue;

        /// <summary>A Go duration (<c>10m</c>, <c>90s</c>), or a bare number of seconds as kubectl's --request-timeout takes one; null when neither, or negative.</summary>
        static TimeSpan? Duration(string text) =>
            GoDuration.TryParse(text, out var d) ? d < TimeSpan.Zero ? null : d
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromSeconds(seconds) : null;

        public string? Validate()
        {
            if (Components.Count == 0) return $"unknown component \"{Component}\": choose scheduler, controller-manager or all";
            if (Verb.FormatError(() => Spec) is { } source) return source;
            if (Deadline <= TimeSpan.Zero) return $"--timeout {Timeout} is not a positive duration such as 10m or 90s";
            if (Ready > TimeSpan.FromMinutes(10)) return $"--min-ready {MinReady} is not a duration between 0 and 10m";
            if (Report is not null && DryRun) return "--report records a recovery as it runs, and --dry-run runs none: give one or the other";
            if (Report is not null && ReportRecording.Check(Report) is { } unusable) return unusable;
            return null;
        }

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            if (Cluster.Connect(streams.Error) is not { } config) return Unreachable;
            var options = new RecoveryOptions
            {
                Components = Components, Node = Node, Source = Spec, Force = Force, Rollback = Rollback, Timeout = Deadline, MinReady = Ready,
            };
            using var client = Cluster.CreateClient(config, streams.Error);
            // The report names the cluster by its context only: never its address or credentials.
            await using var recording = new ReportRecording(Report, config.CurrentContext is { } context ? $"context {context}" : "in-cluster service account");
            return await RecoverAsync(client, options, recording, streams, ct);
        }

        async Task<int> RecoverAsync(IKubernetes client, RecoveryOptions options, ReportRecording recording, Streams streams, CancellationToken ct)
        {
            var story = OutputFormat.Story(streams, Format);
            var terminal = streams.IsTerminal(story);
            var console = Terminal.CreateConsole(story, terminal);
            RecoveryPlan plan;
            try
            {
                plan = await RecoveryPlanner.PlanAsync(client, options, ct);
            }
            catch (RecoveryRefusedException e)
            {
                return streams.Fail(Refused, e.Message);
            }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
            {
                return streams.Fail(ApiErrors.IsAccessProblem(e) ? Unreachable : Failed, ApiErrors.Describe(e));
            }

            if (DryRun)
            {
                if (Format == OutputFormat.Table)
                {
                    RecoveryView.WritePlan(console, plan);
                    foreach (var p in plan.Components)
                    {
                        story.WriteLine("---");
                        story.Write(YamlEmitter.Emit(JsonNode.Parse(KubernetesJson.Serialize(p.RescuePod))));
                    }
                }
                else OutputFormat.WriteDocument(streams.Out, PlanDocument.From(plan), DocumentJson.Default.PlanDocument, Format);
                return Recovered;
            }

            RecoveryView.WritePlan(console, plan);
            if (!Yes)
            {
                if (!streams.InIsTerminal) return streams.Fail(Refused, "recover changes the cluster: confirm with --yes (stdin is not a terminal to ask on)");
                story.Write("Proceed? [y/N] ");
                if (streams.In.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes"))
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
                await streams.Error.WriteLineAsync("interrupted: the pods this run created were removed");
                await recording.FinishAsync(null);
                recording.Write(streams.Error, streams.Error);
                return Interrupted;
            }
            await recording.FinishAsync(outcome);
            if (Format == OutputFormat.Table)
            {
                story.WriteLine();
                // On a terminal the live table stays on screen as the summary.
                if (!terminal) RecoveryView.WriteSteps(console, outcome.Steps, "  ");
                console.WriteLine(outcome.Succeeded
                    ? $"recovered {string.Join(" and ", plan.Components.Select(p => p.Component.Name))} in {ElapsedTime.Format(outcome.Elapsed)}"
                    : $"recovery failed after {ElapsedTime.Format(outcome.Elapsed)}: {outcome.Failure}",
                    new Style(outcome.Succeeded ? Color.Green : Color.Red));
            }
            else OutputFormat.WriteDocument(streams.Out, outcome, DocumentJson.Default.RecoveryResult, Format);
            recording.Write(story, streams.Error);
            return outcome.Succeeded ? Recovered : Failed;
        }
    }
}
