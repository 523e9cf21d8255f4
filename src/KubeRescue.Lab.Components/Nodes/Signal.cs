namespace KubeRescue.Lab.Components.Nodes;

/// <summary>An auto-reset wake-up: Set from any thread; WaitAsync returns on the next Set, a timeout, or cancellation.</summary>
internal sealed class Signal
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try { _semaphore.Release(); } catch (SemaphoreFullException) { }
    }

    /// <summary>Waits for a Set, or at most <paramref name="timeout"/> (none: for good) as <paramref name="clock"/> measures it.</summary>
    /// <returns>false when the wait was cancelled</returns>
    public async Task<bool> WaitAsync(TimeSpan? timeout, TimeProvider clock, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return false;
        if (timeout is { } due && due <= TimeSpan.Zero)
        {
            // Already due: take a pending Set, if any, without waiting.
            _semaphore.Wait(0);
            return true;
        }
        using var timer = timeout is { } t ? new CancellationTokenSource(t, clock) : null;
        using var either = timer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _semaphore.WaitAsync(either?.Token ?? ct);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
