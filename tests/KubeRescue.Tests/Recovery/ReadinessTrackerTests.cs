using KubeRescue.Recovery;
using Microsoft.Extensions.Time.Testing;
using static KubeRescue.Tests.Diagnosis.Objects;

namespace KubeRescue.Tests.Recovery;

/// <summary>--min-ready: a pod counts as started once it has stayed Ready, with the same restart count, for the window on the run's clock.</summary>
public class ReadinessTrackerTests
{
    static readonly TimeSpan MinReady = TimeSpan.FromSeconds(5), Tick = TimeSpan.FromTicks(1);

    [Fact]
    public void A_pod_is_stable_once_Ready_for_min_ready_and_not_a_tick_sooner_and_a_restart_or_a_lapse_starts_the_window_anew()
    {
        var clock = new FakeTimeProvider();
        var tracker = new ReadinessTracker(MinReady, clock);

        // First seen Ready: its window starts now.
        Assert.False(tracker.IsStable(Pod("a")));
        clock.Advance(MinReady - Tick);
        Assert.False(tracker.IsStable(Pod("a")));
        Assert.Equal(Tick, tracker.Recheck);
        clock.Advance(Tick);
        Assert.True(tracker.IsStable(Pod("a")));

        Assert.False(tracker.IsStable(Pod("a", restarts: 1)));
        clock.Advance(MinReady - Tick);
        Assert.False(tracker.IsStable(Pod("a", restarts: 1)));
        clock.Advance(Tick);
        Assert.True(tracker.IsStable(Pod("a", restarts: 1)));

        Assert.False(tracker.IsStable(Pod("a", ready: false, restarts: 1)));
        Assert.False(tracker.IsStable(Pod("a", restarts: 1)));
        clock.Advance(MinReady - Tick);
        Assert.False(tracker.IsStable(Pod("a", restarts: 1)));
        clock.Advance(Tick);
        Assert.True(tracker.IsStable(Pod("a", restarts: 1)));
    }

    [Fact]
    public void The_recheck_is_when_the_next_window_ends_and_at_most_a_second_away()
    {
        var clock = new FakeTimeProvider();
        var tracker = new ReadinessTracker(MinReady, clock);
        Assert.Equal(TimeSpan.FromSeconds(1), tracker.Recheck);

        tracker.IsStable(Pod("a"));
        clock.Advance(TimeSpan.FromSeconds(4.5));
        tracker.IsStable(Pod("b"));
        Assert.Equal(TimeSpan.FromSeconds(0.5), tracker.Recheck);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(TimeSpan.FromSeconds(1), tracker.Recheck);
    }
}
