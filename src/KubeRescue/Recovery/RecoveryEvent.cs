namespace KubeRescue.Recovery;

public enum RecoveryEventKind
{
    /// <summary>A step began.</summary>
    Started,
    /// <summary>Something happened within a step (a pod created, a node rejected it, a lease cleared).</summary>
    Progress,
    /// <summary>Something the operator should know, though the recovery goes on.</summary>
    Warning,
    /// <summary>A step finished; <see cref="RecoveryEvent.Message"/> says how.</summary>
    Finished,
    /// <summary>A step failed; the recovery stops.</summary>
    Failed,
}

/// <summary>
/// What the engine reports as it goes; the CLI renders it. <see cref="Elapsed"/> is the time since the recovery began;
/// <see cref="StepElapsed"/> the step's own duration on Finished and Failed.
/// </summary>
public sealed record RecoveryEvent(RecoveryEventKind Kind, string Step, string? Component, string Message, TimeSpan Elapsed, TimeSpan? StepElapsed = null);
