namespace KubeRescue.Lab.Components.Nodes;

/// <summary>An auto-reset wake-up: Set from any thread; WaitAsync returns on the next Set, a timeout, or cancellation.</summary>
internal sealed class Signal
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try { _semaphore.Release(); } catch (SemaphoreFullException) { }
    }

    /// <returns>false when the wait was cancelled</returns>
    public async Task<bool> WaitAsync(TimeSpan? timeout, CancellationToken ct)
    {
        try
        {
            await _semaphore.WaitAsync(timeout is { } t ? (t < TimeSpan.Zero ? TimeSpan.Zero : t) : Timeout.InfiniteTimeSpan, ct);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
