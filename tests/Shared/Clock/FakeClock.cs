using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Tests;

/// <summary>
/// A fake clock that also tells whether code waits on it (a timer started that has neither fired nor been disposed),
/// as the fake clock of k8s.io/utils counts its waiters: a test moves it only once the code under test waits, so a
/// wait starts at the time the test set, and moving it a tick short of a timer's due time provably leaves it waiting.
/// The timers of a <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> and of a
/// <see cref="CancellationTokenSource"/> with a delay are one-shot, the only kind counted correctly.
/// </summary>
sealed class FakeClock() : FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 5, 6, 0, TimeSpan.Zero))
{
    int _waiters;

    /// <summary>Timers pending now; a timer fires inside <see cref="FakeTimeProvider.Advance"/>, so this is exact right after it.</summary>
    public int Waiters => Volatile.Read(ref _waiters);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once it exists, so that a test that moves the clock when it sees a waiter moves it from the time
        // the timer was set at. A timer due at once fires within the base's CreateTimer: its End comes first, and
        // the count nets to nothing.
        var waiter = new Waiter(this);
        waiter.Timer = base.CreateTimer(s =>
        {
            waiter.End();
            callback(s);
        }, state, dueTime, period);
        Interlocked.Increment(ref _waiters);
        return waiter;
    }

    /// <summary>Until the code waits on the clock, or <paramref name="code"/> has ended (and will never wait).</summary>
    public Task UntilWaitedOnAsync(Task code) =>
        Wait.UntilAsync(() => Task.FromResult(Waiters > 0 || code.IsCompleted), TimeSpan.FromSeconds(30), "the code to wait on the clock");

    sealed class Waiter(FakeClock clock) : ITimer
    {
        int _ended;

        public ITimer Timer { get; set; } = null!;

        public void End()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) Interlocked.Decrement(ref clock._waiters);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => Timer.Change(dueTime, period);

        public void Dispose()
        {
            End();
            Timer.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            End();
            return Timer.DisposeAsync();
        }
    }
}
