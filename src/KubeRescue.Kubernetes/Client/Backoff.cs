namespace KubeRescue.Kubernetes.Client;

/// <summary>
/// Exponential back-off with jitter, as client-go's <c>wait.Backoff</c>: each step waits <c>factor</c> times the last,
/// up to <c>cap</c>, spread by up to ±<c>jitter</c> of itself so that clients failing together do not come back
/// together (a thundering herd against an API server that is already struggling).
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan cap, double factor = 2, double jitter = 0.5)
{
    TimeSpan? _next;

    /// <summary>The wait before the next attempt.</summary>
    public TimeSpan Next()
    {
        var step = _next ?? initial;
        _next = TimeSpan.FromTicks(Math.Min(cap.Ticks, (long)(step.Ticks * factor)));
        return step * (1 + jitter * (2 * Random.Shared.NextDouble() - 1));
    }

    /// <summary>After a success: the next failure starts from the first wait again.</summary>
    public void Reset() => _next = null;
}
