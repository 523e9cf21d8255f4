using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Tests.Components;

public class FlagsTests
{
    static Flags Scheduler() => new Flags().Bool("leader-elect", true).Duration("leader-elect-lease-duration", "15s").String("kubeconfig").Int("v", 0);

    [Fact]
    public void Parses_the_forms_pflag_accepts()
    {
        var flags = Scheduler();
        Assert.Null(flags.Parse(["--leader-elect=false", "--leader-elect-lease-duration", "1m30s", "-v=2", "--kubeconfig=/etc/k.conf"]));
        Assert.False(flags.GetBool("leader-elect"));
        Assert.Equal(TimeSpan.FromSeconds(90), flags.GetDuration("leader-elect-lease-duration"));
        Assert.Equal(2, flags.GetInt("v"));
        Assert.Equal("/etc/k.conf", flags.Get("kubeconfig"));
    }

    [Fact]
    public void Defaults_apply_when_a_flag_is_absent_and_a_bare_bool_is_true()
    {
        var flags = Scheduler();
        Assert.Null(flags.Parse(["--leader-elect"]));
        Assert.True(flags.GetBool("leader-elect"));
        Assert.Equal(TimeSpan.FromSeconds(15), flags.GetDuration("leader-elect-lease-duration"));
    }

    [Theory]
    [InlineData("--no-such-flag", "unknown flag: --no-such-flag")]
    [InlineData("--no-such-flag=1", "unknown flag: --no-such-flag")]
    [InlineData("--leader-elect=maybe", "invalid argument \"maybe\" for \"--leader-elect\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax")]
    [InlineData("--leader-elect-lease-duration=soon", "invalid argument \"soon\" for \"--leader-elect-lease-duration\" flag: time: invalid duration \"soon\"")]
    [InlineData("--kubeconfig", "flag needs an argument: --kubeconfig")]
    public void Bad_flags_are_errors_worded_as_pflag_words_them(string arg, string error)
    {
        Assert.Equal(error, Scheduler().Parse([arg]));
    }
}

public class LabTimingTests
{
    [Fact]
    public void Speed_divides_every_duration_and_real_time_is_the_default()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), LabTiming.Real.Seconds(15));
        Assert.Equal(TimeSpan.FromSeconds(1.5), new LabTiming(10).Seconds(15));
    }
}

public class WorkQueueTests
{
    [Fact]
    public async Task A_key_added_many_times_is_processed_once_and_never_concurrently()
    {
        var queue = new WorkQueue<string>(new LabTiming(100), TimeProvider.System);
        var running = 0;
        var maxConcurrent = 0;
        var processed = 0;
        var release = new TaskCompletionSource();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var workers = queue.RunAsync(async (key, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            maxConcurrent = Math.Max(maxConcurrent, now);
            Interlocked.Increment(ref processed);
            await release.Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return true;
        }, workers: 4, cts.Token);
        for (var i = 0; i < 5; i++) queue.Add("a");
        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref processed) == 1));
        // Added while being processed: processed once more afterwards, by one worker at a time.
        queue.Add("a");
        queue.Add("a");
        release.SetResult();
        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref processed) == 2));
        Assert.Equal(1, maxConcurrent);
        cts.Cancel();
        await workers;
    }

    /// <summary>The back-off is waited on the queue's clock, a fake one here: each retry comes when it is due, not a tick sooner.</summary>
    [Fact]
    public async Task A_failed_key_is_retried_after_a_back_off_of_5_ms_doubling()
    {
        var clock = new FakeClock();
        var queue = new WorkQueue<string>(LabTiming.Real, clock);
        var attempts = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var workers = queue.RunAsync((key, ct) => Task.FromResult(Interlocked.Increment(ref attempts) >= 3), workers: 1, cts.Token);
        queue.Add("k");
        foreach (var (failed, backOff) in new[] { (1, TimeSpan.FromMilliseconds(5)), (2, TimeSpan.FromMilliseconds(10)) })
        {
            await clock.UntilWaitedOnAsync(workers);
            Assert.Equal(failed, Volatile.Read(ref attempts));
            clock.Advance(backOff - TimeSpan.FromTicks(1));
            Assert.Equal(1, clock.Waiters);
            clock.Advance(TimeSpan.FromTicks(1));
            await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref attempts) == failed + 1), what: $"retry {failed}");
        }
        // The third attempt succeeded: nothing is due again.
        Assert.Equal(0, clock.Waiters);
        cts.Cancel();
        await workers;
        Assert.Equal(3, attempts);
    }
}
