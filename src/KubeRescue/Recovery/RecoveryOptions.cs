using KubeRescue.Rendering;

namespace KubeRescue.Recovery;

/// <summary>What <c>kube-rescue recover</c> was asked to do.</summary>
public sealed record RecoveryOptions
{
    /// <summary>The components to recover, in any order; the plan orders them (scheduler first).</summary>
    public required IReadOnlyList<ControlPlaneComponent> Components { get; init; }

    /// <summary>The master to run the rescue pods on; null lets the placement choose and fall back to the next.</summary>
    public string? Node { get; init; }

    public RescueSourceSpec Source { get; init; } = RescueSourceSpec.Default;

    /// <summary>Run even though the component is healthy.</summary>
    public bool Force { get; init; }

    /// <summary>Roll the Deployment back to the source's template once the rescue pod runs (the only change to it kube-rescue makes).</summary>
    public bool Rollback { get; init; }

    /// <summary>The whole recovery's deadline, from its start.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a pod must run Ready with no restart before it counts as started (a Deployment's minReadySeconds,
    /// in effect): a bad flag or a broken host crashes a container within a second or two of its start.
    /// </summary>
    public TimeSpan MinReady { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one rescue pod may take to start on a node before the next master is tried.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// What the plan and the run read the time from and wait on, as client-go's leader elector and KWOK's controllers
    /// take a clock: the system's, but a test may judge the timed rules (lease expiry, --min-ready, --timeout) on a fake one.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
