using System.Threading.Channels;

namespace KubeRescue.Lab.Components;

/// <summary>
/// client-go's work queue in small: keys to process, each at most once in the queue however often it is added,
/// never processed by two workers at once, and re-added later with a growing delay when processing fails
/// (5 ms doubling to 1000 s, scaled by the lab's timing, as the default controller rate limiter does), waited on
/// <paramref name="clock"/>.
/// </summary>
public sealed class WorkQueue<TKey>(LabTiming timing, TimeProvider clock) where TKey : notnull
{
    readonly Channel<TKey> _ready = Channel.CreateUnbounded<TKey>();
    readonly HashSet<TKey> _queued = [];
    readonly HashSet<TKey> _processing = [];
    readonly HashSet<TKey> _dirty = [];
    readonly Dictionary<TKey, int> _failures = [];
    readonly Lock _gate = new();

    public void Add(TKey key)
    {
        lock (_gate)
        {
            if (_processing.Contains(key))
            {
                _dirty.Add(key);
                return;
            }
            if (_queued.Add(key)) _ready.Writer.TryWrite(key);
        }
    }

    /// <summary>Adds the key after <paramref name="delay"/> (already in lab time).</summary>
    public void AddAfter(TKey key, TimeSpan delay, CancellationToken ct)
    {
        _ = Task.Delay(delay, clock, ct).ContinueWith(t => { if (!t.IsCanceled) Add(key); }, TaskScheduler.Default);
    }

    /// <summary>Re-adds a key whose processing failed, with per-key exponential back-off.</summary>
    public void AddRateLimited(TKey key, CancellationToken ct)
    {
        int failures;
        lock (_gate) failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
        var delay = TimeSpan.FromMilliseconds(Math.Min(5 * Math.Pow(2, failures - 1), 1_000_000));
        AddAfter(key, timing.Of(delay), ct);
    }

    /// <summary>The key succeeded: its back-off starts over.</summary>
    public void Forget(TKey key)
    {
        lock (_gate) _failures.Remove(key);
    }

    /// <summary>
    /// Runs <paramref name="process"/> for each key with <paramref name="workers"/> workers until cancelled.
    /// Process returns false (or throws) to have the key retried with back-off.
    /// </summary>
    public Task RunAsync(Func<TKey, CancellationToken, Task<bool>> process, int workers, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var key in _ready.Reader.ReadAllAsync(ct))
                {
                    lock (_gate)
                    {
                        _queued.Remove(key);
                        _processing.Add(key);
                    }
                    bool ok;
                    try { ok = await process(key, ct); }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                    catch (Exception) { ok = false; }
                    if (ok) Forget(key); else AddRateLimited(key, ct);
                    lock (_gate)
                    {
                        _processing.Remove(key);
                        if (_dirty.Remove(key) && _queued.Add(key)) _ready.Writer.TryWrite(key);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }, CancellationToken.None)));
}
