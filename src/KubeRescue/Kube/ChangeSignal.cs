using k8s;
using k8s.Models;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Kube;

/// <summary>
/// Wakes a waiter when anything it follows changed, so that one wait can follow several informers at once; a change
/// before the wait is not lost.
/// </summary>
public sealed class ChangeSignal
{
    readonly SemaphoreSlim _changed = new(0, 1);

    public void Raise()
    {
        try { _changed.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>Starts <paramref name="informer"/> with every change raising this signal; dispose it to stop.</summary>
    public Informer<T> Follow<T>(Informer<T> informer) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.Changed += Raise;
        return informer.Start();
    }

    /// <summary>
    /// Waits for a change, or at most <paramref name="max"/> as <paramref name="clock"/> measures it, so that what
    /// depends on time is re-judged on the clock that judges it.
    /// </summary>
    public async Task WaitAsync(TimeSpan max, TimeProvider clock, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(max, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try { await _changed.WaitAsync(either.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}
