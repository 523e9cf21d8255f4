using KubeRescue.Kubernetes.Client;
using k8s.Models;
using k8s;

namespace KubeRescue.Recovery;

/// <summary>
/// What the steps of one run share: the client, the options, the deadline, the progress report, what it has seen of
/// pods' readiness, and the pods this run created (which Ctrl-C removes).
/// </summary>
public sealed class RecoveryRun(IKubernetes client, RecoveryOptions options, Action<RecoveryEvent> report)
{
    readonly long _started = options.Clock.GetTimestamp();
    readonly List<V1Pod> _created = [];
    readonly Lock _gate = new();

    public IKubernetes Client => client;
    public RecoveryOptions Options => options;
    public TimeProvider Clock => options.Clock;
    public DateTime Deadline { get; } = options.Clock.GetUtcNow().UtcDateTime + options.Timeout;
    public TimeSpan Elapsed => options.Clock.GetElapsedTime(_started);

    /// <summary>The time on the run's clock, in UTC as <see cref="Deadline"/> is.</summary>
    public DateTime Now => options.Clock.GetUtcNow().UtcDateTime;

    /// <summary>Since when each pod has been Ready, for the whole run (see <see cref="PodObservation"/>).</summary>
    public ReadinessTracker Readiness { get; } = new(options.MinReady, options.Clock);

    /// <summary>How the run's informers retry: on the run's clock.</summary>
    public InformerOptions Watches { get; } = new() { Clock = options.Clock };

    readonly AsyncLocal<IRecoveryStep?> _current = new();
    readonly Lock _reporting = new();

    /// <summary>
    /// The step running in this flow, for the events it reports: the rescue pods start side by side, each step in a
    /// flow of its own (see <see cref="RecoveryRunner"/>).
    /// </summary>
    public IRecoveryStep? Current { get => _current.Value; set => _current.Value = value; }

    /// <summary>Reports one event; steps running side by side report one at a time.</summary>
    public void Report(RecoveryEventKind kind, string message, TimeSpan? stepElapsed = null)
    {
        var e = new RecoveryEvent(kind, Current?.Name ?? "plan", Current?.Component?.Name, message, Elapsed, stepElapsed);
        lock (_reporting) report(e);
    }

    public void Progress(string message) => Report(RecoveryEventKind.Progress, message);

    public void Warn(string message) => Report(RecoveryEventKind.Warning, message);

    public void Created(V1Pod pod)
    {
        lock (_gate) _created.Add(pod);
    }

    public void Removed(V1Pod pod)
    {
        lock (_gate) _created.RemoveAll(p => p.Metadata.Uid == pod.Metadata.Uid);
    }

    /// <summary>Pods this run created that still exist as far as it knows.</summary>
    public IReadOnlyList<V1Pod> CreatedPods { get { lock (_gate) return [.. _created]; } }
}
