using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Placement;
using KubeRescue.Rendering;

namespace KubeRescue.Recovery;

/// <summary>
/// One component's part of a recovery. <see cref="RescuePod"/> is the pod as it will be created on the first
/// candidate; <see cref="Existing"/> a rescue pod an earlier, interrupted run left, which this run adopts.
/// </summary>
public sealed record ComponentPlan(
    ControlPlaneComponent Component,
    ComponentStatus Before,
    Workload Workload,
    RescueSource Source,
    bool RollBack,
    IReadOnlyList<NodeCandidate> Candidates,
    V1Pod RescuePod,
    V1Pod? Existing);

/// <summary>The components to recover, in hand-over order, the steps in the order they run, and what was left out and why.</summary>
public sealed record RecoveryPlan(IReadOnlyList<ComponentPlan> Components, IReadOnlyList<IRecoveryStep> Steps, IReadOnlyList<string> Notes);
