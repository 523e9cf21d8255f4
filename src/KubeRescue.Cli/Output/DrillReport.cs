using KubeRescue.Diagnosis;
using KubeRescue.Recovery;

namespace KubeRescue.Cli.Output;

/// <summary>
/// What <c>drill -o json|yaml</c> prints (docs/schemas/drill.schema.json): the drill's outcome, the recovery, the
/// status before and after, the rescue pods still there at the end, and who led when.
/// </summary>
public sealed record DrillReport(IReadOnlyList<string> Components, string Mode, bool Passed, string? Failure, TimeSpan Elapsed,
    ControlPlaneStatus? Before, RecoveryResult? Recovery, ControlPlaneStatus? After, IReadOnlyList<string> RescuePodsLeft, LeadershipCheck Leadership);

/// <summary>From the lab's record of every write to the components' Leases: how many, and each moment two holders overlapped (none, in a good drill).</summary>
public sealed record LeadershipCheck(int Writes, IReadOnlyList<string> Overlaps, bool Complete);
