using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace KubeRescue.Lab.Components.Nodes;

/// <summary>
/// One node's container runtime (containerd's part, not the kubelet's): pod sandboxes and their containers, which
/// keep running when the kubelet stops and die only when the node crashes or the kubelet stops them. A container
/// is an emulated binary's task (or an idle one); its exit is recorded here and reported to whoever listens.
/// </summary>
internal sealed class ContainerRuntime(TextWriter log, TimeProvider clock)
{
    readonly ConcurrentDictionary<string, Sandbox> _sandboxes = new(StringComparer.Ordinal);

    public Sandbox? Find(string podUid) => _sandboxes.GetValueOrDefault(podUid);

    public Sandbox GetOrCreate(string podUid, Func<string> podIP) => _sandboxes.GetOrAdd(podUid, uid => new Sandbox(uid, podIP(), clock.GetUtcNow().UtcDateTime));

    public IEnumerable<Sandbox> Sandboxes => _sandboxes.Values;

    public void Remove(string podUid) => _sandboxes.TryRemove(podUid, out _);

    /// <summary>The node lost power: every container is gone at once, as containerd later reports them (255, Unknown).</summary>
    public void Crash()
    {
        foreach (var sandbox in _sandboxes.Values)
            foreach (var c in sandbox.Current)
                c.Kill(255, "Unknown");
    }

    /// <summary>Starts a container running <paramref name="body"/>; <paramref name="exited"/> is told when it ends.</summary>
    public RuntimeContainer Start(Sandbox sandbox, string name, int restartCount, string? binary, Func<CancellationToken, Task<int>> body, Action exited)
    {
        var container = new RuntimeContainer(name, restartCount, binary, clock);
        sandbox.Replace(container);
        container.Run(body, exited, log);
        return container;
    }
}

internal sealed class Sandbox(string podUid, string podIP, DateTime createdAt)
{
    readonly Dictionary<string, RuntimeContainer> _current = new(StringComparer.Ordinal);
    readonly Dictionary<string, RuntimeContainer> _previous = new(StringComparer.Ordinal);
    readonly Lock _gate = new();

    public string PodUid => podUid;
    public string PodIP => podIP;
    public DateTime CreatedAt => createdAt;

    public RuntimeContainer? CurrentOf(string name) { lock (_gate) return _current.GetValueOrDefault(name); }

    public RuntimeContainer? PreviousOf(string name) { lock (_gate) return _previous.GetValueOrDefault(name); }

    public IReadOnlyList<RuntimeContainer> Current { get { lock (_gate) return [.. _current.Values]; } }

    public void Replace(RuntimeContainer container)
    {
        lock (_gate)
        {
            if (_current.TryGetValue(container.Name, out var old)) _previous[container.Name] = old;
            _current[container.Name] = container;
        }
    }
}

/// <summary>
/// One run of a container. It ends once: by returning, or by being killed (the grace period ran out, the node crashed).
/// Its start and finish are stamped with the node's clock.
/// </summary>
internal sealed class RuntimeContainer(string name, int restartCount, string? binary, TimeProvider clock)
{
    readonly CancellationTokenSource _stop = new();
    readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Lock _gate = new();
    bool _ended;

    public string Name => name;
    public int RestartCount => restartCount;

    /// <summary>The emulated binary it runs (<c>kube-scheduler</c>), or null for a container that just runs.</summary>
    public string? Binary => binary;
    public string Id { get; } = "containerd://" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    public DateTime StartedAt { get; } = clock.GetUtcNow().UtcDateTime;
    public DateTime? FinishedAt { get; private set; }
    public int ExitCode { get; private set; }
    public string? Reason { get; private set; }
    public bool Running { get { lock (_gate) return !_ended; } }
    public Task Exited => _exited.Task;

    /// <summary>SIGTERM: the binary sees its stop token cancelled and returns when it will.</summary>
    public void RequestStop() => _stop.Cancel();

    /// <summary>SIGKILL: the container has ended now, whatever the binary does next.</summary>
    public void Kill(int exitCode, string reason)
    {
        _stop.Cancel();
        End(exitCode, reason);
    }

    internal void Run(Func<CancellationToken, Task<int>> body, Action exited, TextWriter log)
    {
        _exited.Task.ContinueWith(_ => exited(), TaskScheduler.Default);
        _ = Task.Run(async () =>
        {
            int code;
            try
            {
                code = await body(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped while it waited: it handled SIGTERM and exited cleanly.
                code = 0;
            }
            catch (Exception e)
            {
                log.WriteLine($"container {name} crashed: {e}");
                code = 1;
            }
            End(code, code == 0 ? "Completed" : "Error");
        });
    }

    void End(int exitCode, string reason)
    {
        lock (_gate)
        {
            if (_ended) return;
            ExitCode = exitCode;
            Reason = reason;
            FinishedAt = clock.GetUtcNow().UtcDateTime;
            _ended = true;
        }
        _exited.TrySetResult();
    }
}
