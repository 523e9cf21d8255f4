using KubeRescue.Lab.Components;
using KubeRescue.Lab.Components.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Lab.Tests.Nodes;

/// <summary>
/// The kubelet's crash back-off against flowcontrol.Backoff's rules. It is pure arithmetic on the kubelet's clock, so
/// a fake one puts each rule at its exact boundary (the fleet's tests watch a real crash loop).
/// </summary>
public class CrashBackOffTests
{
    const string Key = "uid/app";

    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    DateTime Now => _clock.GetUtcNow().UtcDateTime;

    static TimeSpan Tick => TimeSpan.FromTicks(1);

    [Fact]
    public void A_first_crash_restarts_at_once_and_the_next_waits_10_s_from_its_finish_not_a_tick_less()
    {
        var backOff = new CrashBackOff(LabTiming.Real, _clock);
        Assert.False(backOff.InBackOff(Key, Now, out _, out _));
        backOff.Next(Key);
        _clock.Advance(TimeSpan.FromSeconds(3));
        var finished = Now;

        _clock.Advance(TimeSpan.FromSeconds(10) - Tick);
        Assert.True(backOff.InBackOff(Key, finished, out var delay, out var remaining));
        Assert.Equal((TimeSpan.FromSeconds(10), Tick), (delay, remaining));
        _clock.Advance(Tick);
        Assert.False(backOff.InBackOff(Key, finished, out _, out _));
    }

    [Fact]
    public void Each_restart_doubles_the_back_off_up_to_five_minutes()
    {
        var backOff = new CrashBackOff(LabTiming.Real, _clock);
        var delays = new List<double>();
        for (var restart = 0; restart < 7; restart++)
        {
            backOff.Next(Key);
            // It crashes as it starts.
            Assert.True(backOff.InBackOff(Key, Now, out var delay, out _));
            delays.Add(delay.TotalSeconds);
            _clock.Advance(delay);
        }
        Assert.Equal([10, 20, 40, 80, 160, 300, 300], delays);
    }

    [Fact]
    public void An_entry_idle_for_ten_minutes_starts_over_and_not_a_tick_sooner()
    {
        var backOff = new CrashBackOff(LabTiming.Real, _clock);
        backOff.Next("uid/a");
        backOff.Next("uid/b");
        var idle = TimeSpan.FromMinutes(10);

        // A crash ten minutes after the last restart still backs off, and its restart doubles the delay.
        _clock.Advance(idle);
        Assert.True(backOff.InBackOff("uid/a", Now, out _, out _));
        backOff.Next("uid/a");
        Assert.True(backOff.InBackOff("uid/a", Now, out var doubled, out _));
        Assert.Equal(TimeSpan.FromSeconds(20), doubled);

        // A tick later the entry has expired: the crash restarts at once, and the next one waits the first delay again.
        _clock.Advance(Tick);
        Assert.False(backOff.InBackOff("uid/b", Now, out _, out _));
        backOff.Next("uid/b");
        Assert.True(backOff.InBackOff("uid/b", Now, out var initial, out _));
        Assert.Equal(TimeSpan.FromSeconds(10), initial);
    }

    [Fact]
    public void Waits_follow_the_lab_speed_while_the_reported_back_off_stays_real()
    {
        var backOff = new CrashBackOff(new LabTiming(10), _clock);
        backOff.Next(Key);
        var finished = Now;

        _clock.Advance(TimeSpan.FromSeconds(1) - Tick);
        Assert.True(backOff.InBackOff(Key, finished, out var delay, out var remaining));
        Assert.Equal((TimeSpan.FromSeconds(10), Tick), (delay, remaining));
        _clock.Advance(Tick);
        Assert.False(backOff.InBackOff(Key, finished, out _, out _));
    }

    [Fact]
    public void A_stopped_kubelet_forgets_its_back_off()
    {
        var backOff = new CrashBackOff(LabTiming.Real, _clock);
        backOff.Next(Key);
        Assert.True(backOff.InBackOff(Key, Now, out _, out _));
        backOff.Clear();
        Assert.False(backOff.InBackOff(Key, Now, out _, out _));
    }
}
