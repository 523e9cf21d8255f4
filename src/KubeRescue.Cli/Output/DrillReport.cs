using KubeRescue.Diagnosis;
using KubeRescue.Recovery;

namespace KubeRescue.Cli.Output;

/// <summary>What <c>drill -o json|yaml</c> prints (docs/schemas/drill.schema.json): the drill's outcome, the recovery, and the status before and after.</summary>
public sealed record DrillReport(IReadOnlyList<string> Components, string Mode, bool Passed, string? Failure, TimeSpan Elapsed,
    ControlPlaneStatus? Before, RecoveryResult? Recovery, ControlPlaneStatus? After);
