using System.Text.Json.Nodes;
using k8s;
using KubeRescue.Diagnosis;
using KubeRescue.Recovery;

namespace KubeRescue.Cli.Output;

/// <summary><c>recover --dry-run -o json|yaml</c>: the plan, each component's rescue pod, the steps (docs/recover.md).</summary>
public sealed record PlanDocument(IReadOnlyList<string> Notes, IReadOnlyList<PlannedComponent> Components, IReadOnlyList<PlannedStep> Steps)
{
    public static PlanDocument From(RecoveryPlan plan) => new(
        plan.Notes,
        [.. plan.Components.Select(p => new PlannedComponent(
            p.Component.Name, p.Before.Verdict, p.Before.Summary, p.Source.Description, p.Source.Revision, p.RollBack,
            [.. p.Candidates.Select(c => c.Node.Metadata.Name)], p.Existing?.Metadata.Name,
            JsonNode.Parse(KubernetesJson.Serialize(p.RescuePod))))],
        [.. plan.Steps.Select(s => new PlannedStep(s.Name, s.Component?.Name, s.Description))]);
}

/// <param name="Nodes">The masters to try, best first.</param>
/// <param name="Adopts">The rescue pod an earlier run left, which this one adopts.</param>
public sealed record PlannedComponent(string Component, Verdict Verdict, string Summary, string Source, string? Revision, bool RollBack,
    IReadOnlyList<string> Nodes, string? Adopts, JsonNode? RescuePod);

public sealed record PlannedStep(string Name, string? Component, string Description);
