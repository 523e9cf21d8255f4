using KubeRescue.Kube;

namespace KubeRescue.Tests.Kube;

/// <summary>Every wait of a recovery ends at the run's deadline (--timeout) and re-judges time on the run's clock.</summary>
public class WaitsTests
{
    static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task A_wait_times_out_at_its_deadline_and_not_a_tick_before()
    {
        var clock = new FakeClock();
        var deadline = clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(30);
        var wait = Waits.UntilAsync<string>(new ChangeSignal(), () => null, deadline, clock, "a leader", () => "there is no Lease", CancellationToken.None);

        await clock.UntilWaitedOnAsync(wait);
        clock.Advance(TimeSpan.FromSeconds(30) - Tick);
        // Judged again a tick before the deadline: it waits the tick that is left.
        await clock.UntilWaitedOnAsync(wait);
        Assert.False(wait.IsCompleted);
        clock.Advance(Tick);
        var e = await Assert.ThrowsAsync<WaitTimeoutException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("timed out waiting for a leader: there is no Lease", e.Message);
    }

    [Fact]
    public async Task A_condition_on_time_is_judged_again_when_the_clock_reaches_the_recheck_it_asked_for()
    {
        var clock = new FakeClock();
        // As a pod's --min-ready window: nothing changes in the cluster, only time passes.
        var stableAt = clock.GetUtcNow() + TimeSpan.FromSeconds(5);
        var wait = Waits.UntilAsync(new ChangeSignal(), () => clock.GetUtcNow() >= stableAt ? "stable" : null,
            clock.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(10), clock, "a stable pod", () => "not yet", CancellationToken.None,
            () => stableAt - clock.GetUtcNow());

        await clock.UntilWaitedOnAsync(wait);
        clock.Advance(TimeSpan.FromSeconds(5) - Tick);
        Assert.Equal(1, clock.Waiters);
        clock.Advance(Tick);
        Assert.Equal("stable", await wait.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
