namespace KubeRescue.Lab.Components;

/// <summary>
/// The lab's one time knob. Every duration a component uses (lease durations, heartbeats, grace periods,
/// back-offs, monitor periods) is a real cluster's duration divided by <see cref="Speed"/>. Speed 1 (the default,
/// used by the drill and benchmarks) is real time; tests run the same behaviour faster with, say, Speed 10.
/// </summary>
public sealed record LabTiming(double Speed = 1)
{
    public static readonly LabTiming Real = new();

    public TimeSpan Of(TimeSpan real) => Speed == 1 ? real : TimeSpan.FromTicks((long)(real.Ticks / Speed));

    public TimeSpan Seconds(double seconds) => Of(TimeSpan.FromSeconds(seconds));
}
