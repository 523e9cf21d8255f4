namespace KubeRescue.Kube;

/// <summary>Thrown when a wait's deadline passes; the message says what was awaited and what was seen last.</summary>
public sealed class WaitTimeoutException(string message) : TimeoutException(message);

public static class Waits
{
    /// <summary>
    /// Judges the watched state after every change (and again after <paramref name="recheck"/>, asked after each
    /// judgement, for conditions that depend on time; a second by default) until <paramref name="decide"/> returns a
    /// result. The deadline and the rechecks are on <paramref name="clock"/>, the one <paramref name="decide"/> reads.
    /// <paramref name="describe"/> says what the state was when the deadline passed.
    /// </summary>
    public static async Task<T> UntilAsync<T>(ChangeSignal signal, Func<T?> decide, DateTime deadline, TimeProvider clock, string what, Func<string> describe,
        CancellationToken ct, Func<TimeSpan>? recheck = null) where T : class
    {
        while (true)
        {
            if (decide() is { } result) return result;
            var left = deadline - clock.GetUtcNow().UtcDateTime;
            if (left <= TimeSpan.Zero) throw new WaitTimeoutException($"timed out waiting for {what}: {describe()}");
            var step = recheck?.Invoke() ?? TimeSpan.FromSeconds(1);
            await signal.WaitAsync(left < step ? left : step, clock, ct);
        }
    }
}
