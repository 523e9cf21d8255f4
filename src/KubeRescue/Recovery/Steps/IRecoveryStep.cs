namespace KubeRescue.Recovery;

/// <summary>
/// One step of a recovery. Each reads the cluster first and does only what is not done yet, so a run after an
/// interrupted one continues where that stopped; its result says what it found or did.
/// </summary>
public interface IRecoveryStep
{
    /// <summary>Short, stable name: ensure-rescue-pod, roll-back, await-replacement, remove-rescue-pod, await-leader, verify.</summary>
    string Name { get; }

    /// <summary>The component it acts on; null for the whole control plane.</summary>
    ControlPlaneComponent? Component { get; }

    /// <summary>What it will do, for the plan and for --dry-run.</summary>
    string Description { get; }

    Task<string> RunAsync(RecoveryRun run, CancellationToken ct);
}
