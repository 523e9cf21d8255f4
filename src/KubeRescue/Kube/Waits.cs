namespace KubeRescue.Kube;

/// <summary>Thrown when a wait's deadline passes; the message says what was awaited and what was seen last.</summary>
public sealed class WaitTimeoutException(string message) : TimeoutException(message);

public static class Waits
{
    /// <summary>
    /// Judges the watched state after every change (and at least every <paramref name="recheck"/>, for conditions that
    /// depend on time) until <paramref name="decide"/> returns a result. <paramref name="describe"/> says what the
    /// state was when the deadline passed.
    /// </summary>
    public static async Task<T> UntilAsync<T>(ChangeSignal signal, Func<T?> decide, DateTime deadline, string what, Func<string> describe,
        CancellationToken ct, TimeSpan? recheck = null) where T : class
    {
        while (true)
        {
            if (decide() is { } result) return result;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new WaitTimeoutException($"timed out waiting for {what}: {describe()}");
            var step = recheck ?? TimeSpan.FromSeconds(1);
            await signal.WaitAsync(left < step ? left : step, ct);
        }
    }
}
