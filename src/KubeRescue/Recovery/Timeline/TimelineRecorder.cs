using KubeRescue.Diagnosis;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using k8s.Models;
using k8s;

namespace KubeRescue.Recovery.Timeline;

/// <summary>
/// Records a recovery while it runs: the pods of each component being recovered (the workload's selector, and the
/// rescue pods by their label) and its leader-election record, followed with the same list+watch the steps use, and
/// the <see cref="RecoveryEvent"/>s it is fed. It only reads, and it never makes the recovery fail: whatever goes
/// wrong in it ends as a gap in the <see cref="RecoveryTimeline"/>, not an exception in the run. Its memory is
/// bounded: after <c>maxChanges</c> changes of pods and Leases it stops following them, and it keeps at most
/// <see cref="MaxNotes"/> notes.
/// </summary>
public sealed class TimelineRecorder : IAsyncDisposable
{
    public const int DefaultMaxChanges = 10_000;
    public const int MaxNotes = 2_000;

    /// <summary>Longer texts (a scheduler's message about thousands of nodes) are cut.</summary>
    const int MaxText = 500;

    /// <summary>How long the start waits for the first lists: the record should begin with the state the run begins with.</summary>
    static readonly TimeSpan SyncWait = TimeSpan.FromSeconds(5);

    /// <summary>A Lease expires with no event: the state is re-judged at least this often.</summary>
    static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    static readonly TimeSpan AfterTimeout = TimeSpan.FromSeconds(30);

    readonly IKubernetes _client;
    readonly RecoveryPlan _plan;
    readonly int _maxChanges;
    readonly ChangeSignal _signal = new();
    readonly CancellationTokenSource _stop = new();
    readonly List<PodSource> _podSources = [];
    readonly List<LeaseTrack> _leases = [];
    readonly List<Task> _tasks = [];
    readonly TimeProvider _clock;
    readonly Lock _gate = new();

    readonly Dictionary<string, PodTrack> _pods = new(StringComparer.Ordinal);
    readonly List<StepTrack> _steps;
    readonly List<TimelineNote> _notes = [];
    readonly List<string> _gaps = [];
    int _droppedNotes;
    int _changes;
    TimeSpan? _stoppedAt;
    DateTime _startedAt;
    long _started;

    TimelineRecorder(IKubernetes client, RecoveryPlan plan, int maxChanges, TimeProvider clock)
    {
        _client = client;
        _plan = plan;
        _maxChanges = maxChanges;
        _clock = clock;
        var watches = new InformerOptions { Clock = clock };
        _steps = [.. plan.Steps.Select(s => new StepTrack(s.Name, s.Component?.Name, s.Description))];
        foreach (var p in plan.Components)
        {
            var (w, c) = (p.Workload, p.Component);
            _podSources.Add(new(c.Name, $"the pods of {w.Description} ({w.Selector})", _signal.Follow(Informers.Pods(client, w.Namespace, labelSelector: w.Selector, options: watches))));
            _podSources.Add(new(c.Name, $"the rescue pods of {c.Name}",
                _signal.Follow(Informers.Pods(client, c.Namespace, labelSelector: $"{RescueMetadata.ComponentLabel}={c.Name}", options: watches))));
            // Clusters older than Lease locks keep the record in an annotation, which no watch here follows: it is read every second.
            var source = p.Before.Lease?.Source ?? "Lease";
            var lease = new LeaseTrack(c, source, source == "Lease" ? _signal.Follow(Informers.Lease(client, c.Namespace, c.LeaseName, watches)) : null);
            if (lease.Watched is null) _tasks.Add(Task.Run(() => PollAsync(lease, _stop.Token)));
            _leases.Add(lease);
        }
    }

    /// <summary>
    /// Starts following the plan's components, waits a few seconds at most for the first lists, and starts the
    /// clock: times in the timeline are from here, so start it just before <see cref="RecoveryRunner.RunAsync"/>.
    /// Pass the run's clock (<see cref="RecoveryOptions.Clock"/>); the system's by default.
    /// </summary>
    public static async Task<TimelineRecorder> StartAsync(IKubernetes client, RecoveryPlan plan, CancellationToken ct, int maxChanges = DefaultMaxChanges,
        TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChanges, 1);
        clock ??= TimeProvider.System;
        var recorder = new TimelineRecorder(client, plan, maxChanges, clock);
        var waiting = clock.GetTimestamp();
        try
        {
            while (!recorder.Synced && clock.GetElapsedTime(waiting) < SyncWait)
                await recorder._signal.WaitAsync(TimeSpan.FromMilliseconds(100), clock, ct);
        }
        catch (OperationCanceledException)
        {
            await recorder.DisposeAsync();
            throw;
        }
        recorder._startedAt = clock.GetUtcNow().UtcDateTime;
        recorder._started = clock.GetTimestamp();
        // What the lists hold now is the state the run begins with.
        lock (recorder._gate) recorder.Guarded(() => recorder.Sample(TimeSpan.Zero));
        recorder._tasks.Add(Task.Run(() => recorder.LoopAsync(recorder._stop.Token)));
        return recorder;
    }

    bool Synced => _podSources.All(s => s.Pods.IsSynced) && _leases.All(l => l.Synced);

    /// <summary>Takes one of the run's events; pass it from the <c>report</c> callback, which the runner calls as things happen.</summary>
    public void Record(RecoveryEvent e)
    {
        lock (_gate)
        {
            var at = Elapsed;
            switch (e.Kind)
            {
                case RecoveryEventKind.Started:
                    if (_steps.FirstOrDefault(s => s.Started is null && s.Is(e)) is { } started) started.Started = at;
                    break;
                case RecoveryEventKind.Finished or RecoveryEventKind.Failed:
                    if (_steps.FirstOrDefault(s => s.Started is not null && s.Ended is null && s.Is(e)) is { } ended)
                        (ended.Ended, ended.Succeeded, ended.Outcome) = (at, e.Kind == RecoveryEventKind.Finished, Cut(e.Message));
                    break;
                default:
                    if (_notes.Count < MaxNotes) _notes.Add(new(at, e.Kind, e.Step, e.Component, Cut(e.Message)!));
                    else _droppedNotes++;
                    break;
            }
        }
    }

    /// <summary>
    /// Stops following the cluster and returns the record. <paramref name="result"/> is null when the run was
    /// interrupted. The status afterwards is <paramref name="after"/>, else the result's, else read now (bounded;
    /// pass a token that is not already cancelled). Never throws for the cluster's failures: they become gaps.
    /// </summary>
    public async Task<RecoveryTimeline> FinishAsync(RecoveryResult? result, ControlPlaneStatus? after = null, CancellationToken ct = default)
    {
        await StopAsync();
        TimeSpan duration;
        lock (_gate)
        {
            duration = Elapsed;
            Guarded(() => Sample(duration));
            _stoppedAt ??= duration;
            Close(_stoppedAt.Value);
            foreach (var s in _podSources.Where(s => !s.Pods.IsSynced))
                _gaps.Add($"{s.What} could not be listed{Because(s.Pods.LastError)}");
            foreach (var l in _leases.Where(l => !l.Synced))
                _gaps.Add($"the {l.Source} {l.Component.Namespace}/{l.Component.LeaseName} could not be read{Because(l.Watched?.LastError ?? l.Error)}");
            if (_droppedNotes > 0) _gaps.Add($"{_droppedNotes} later progress messages were left out (at most {MaxNotes} are kept)");
        }

        after ??= result?.After;
        if (after is null)
        {
            using var timeout = new CancellationTokenSource(AfterTimeout, _clock);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try { after = await ControlPlaneDiagnoser.DiagnoseAsync(_client, _clock, bounded.Token); }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e) || e is OperationCanceledException)
            {
                lock (_gate) _gaps.Add($"the status afterwards could not be read{Because(e is OperationCanceledException ? null : e)}");
            }
        }

        lock (_gate)
        {
            return new RecoveryTimeline(
                _startedAt, duration, _stoppedAt.Value, [.. _plan.Components.Select(p => p.Component.Name)],
                result is null ? TimelineOutcome.Interrupted : result.Succeeded ? TimelineOutcome.Succeeded : TimelineOutcome.Failed,
                result?.Failure,
                [.. _steps.Select(s => s.ToStep())],
                [.. _notes],
                [.. _pods.Values.OrderBy(p => ComponentOrder(p.Component)).ThenBy(p => p.IsRescue ? 0 : 1).ThenBy(p => p.FirstSeen).ThenBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => new PodLane(p.Namespace, p.Name, p.Component, p.IsRescue, [.. p.Done], p.Gone))],
                [.. _leases.Select(l => new LeaseLane(l.Component.Namespace, l.Component.LeaseName, l.Component.Name, l.Source, [.. l.Done]))],
                [.. _plan.Components.Select(p => p.Before)],
                after,
                [.. _gaps]);
        }
    }

    /// <summary>Since the start, on the run's clock.</summary>
    TimeSpan Elapsed => _clock.GetElapsedTime(_started);

    int ComponentOrder(string name) => _plan.Components.ToList().FindIndex(p => p.Component.Name == name);

    static string Because(Exception? e) => e is null ? "" : $": {Cut(ApiErrors.Describe(e))}";

    async Task LoopAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_stoppedAt is not null) return;
                    Guarded(() => Sample(Elapsed));
                }
                await _signal.WaitAsync(Recheck, _clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Whatever goes wrong in following the cluster stops the record there, with the reason: the recovery it
    /// records must go on regardless (the only place an unknown exception is caught, for that reason).
    /// </summary>
    void Guarded(Action sample)
    {
        if (_stoppedAt is not null) return;
        try { sample(); }
        catch (Exception e)
        {
            var at = Elapsed;
            _gaps.Add($"the recorder failed at {at.TotalSeconds:0.0}s ({e.GetType().Name}: {Cut(e.Message)}); pods and Leases are not drawn after that");
            Stop(at);
        }
    }

    /// <summary>Closes every open interval and records nothing more of pods and Leases.</summary>
    void Stop(TimeSpan at)
    {
        Close(at);
        _stoppedAt = at;
    }

    void Close(TimeSpan at)
    {
        foreach (var p in _pods.Values) p.Close(at);
        foreach (var l in _leases) l.Close(at);
    }

    void Sample(TimeSpan now)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var complete = true;
        foreach (var source in _podSources)
        {
            if (!source.Pods.IsSynced)
            {
                complete = false;
                continue;
            }
            foreach (var pod in source.Pods.Items)
                if (pod.Metadata.Uid is { } uid && seen.Add(uid)) ObservePod(source.Component, uid, pod, now);
        }
        // A pod no list has any more is gone; while a list is missing, nothing is judged gone.
        if (complete)
            foreach (var (uid, track) in _pods)
                if (!seen.Contains(uid) && track.Gone is null)
                {
                    track.Close(now);
                    track.Gone = now;
                }

        var utc = _clock.GetUtcNow().UtcDateTime;
        foreach (var lease in _leases.Where(l => l.Synced))
        {
            var record = lease.Record;
            var holder = record?.HolderIdentity;
            var pod = record is null || holder is null ? null
                : _pods.Values.Where(p => record.Names(p.Last)).OrderBy(p => p.Gone is null ? 0 : 1).ThenByDescending(p => p.FirstSeen).FirstOrDefault();
            var holding = new Holding(holder is null ? null : Cut(holder), holder is not null && record!.ExpiredAt(utc), pod?.Name, pod?.IsRescue == true);
            if (lease.Open != holding) Change(() => lease.Begin(holding, now), now);
        }
    }

    void ObservePod(string component, string uid, V1Pod pod, TimeSpan now)
    {
        var look = LookOf(pod);
        if (!_pods.TryGetValue(uid, out var track))
        {
            track = new PodTrack(pod.Metadata.NamespaceProperty, pod.Metadata.Name, component, !Workload.IsPermanent(pod), pod);
            _pods[uid] = track;
        }
        track.Last = pod;
        // A relist can miss a pod for a moment; seen again, it was not gone after all.
        track.Gone = null;
        if (track.Open != look) Change(() => track.Begin(look, now), now);
    }

    /// <summary>One more interval or holding, unless the cap is reached: then the record stops there.</summary>
    void Change(Action open, TimeSpan now)
    {
        if (_stoppedAt is not null) return;
        if (++_changes > _maxChanges)
        {
            _gaps.Add($"more than {_maxChanges} changes of pods and Leases: the record stops at {now.TotalSeconds:0.0}s");
            Stop(now);
            return;
        }
        open();
    }

    static Look LookOf(V1Pod pod) => new(
        pod.Status?.Phase ?? "Pending",
        PodState.IsReady(pod),
        string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
        PodState.Restarts(pod),
        PodState.IsTerminating(pod),
        ComponentEvidence.CrashLooping(pod),
        Cut(Reason(pod)),
        Cut(Message(pod)));

    /// <summary>What kubectl's STATUS column would show instead of the phase, as its printer picks it.</summary>
    static string? Reason(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Status?.Reason)) return pod.Status.Reason;
        foreach (var s in pod.Status?.ContainerStatuses ?? [])
        {
            if (s.State?.Waiting?.Reason is { Length: > 0 } waiting) return waiting;
            if (s.State?.Terminated is { } terminated) return string.IsNullOrEmpty(terminated.Reason) ? $"ExitCode:{terminated.ExitCode}" : terminated.Reason;
        }
        return string.IsNullOrEmpty(pod.Spec?.NodeName) ? Unscheduled(pod)?.Reason : null;
    }

    /// <summary>What the kubelet or scheduler wrote about it; of a container only its exit code, never its own words.</summary>
    static string? Message(V1Pod pod)
    {
        if (pod.Status?.Phase == "Failed" && !string.IsNullOrEmpty(pod.Status.Message)) return pod.Status.Message;
        if (string.IsNullOrEmpty(pod.Spec?.NodeName) && Unscheduled(pod)?.Message is { Length: > 0 } unscheduled) return unscheduled;
        return pod.Status?.ContainerStatuses?.Select(s => s.LastState?.Terminated).FirstOrDefault(t => t is { ExitCode: not 0 }) is { } last
            ? $"last exit code {last.ExitCode}" : null;
    }

    static V1PodCondition? Unscheduled(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False");

    static string? Cut(string? text) => text is null || text.Length <= MaxText ? text : text[..MaxText] + "…";

    async Task PollAsync(LeaseTrack lease, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var record = await ControlPlaneDiagnoser.ReadLeaderAsync(_client, lease.Component, ct);
                lock (_gate) (lease.Polled, lease.PolledOnce) = (record, true);
                _signal.Raise();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
            {
                lock (_gate) lease.Error = e;
            }
            try { await Task.Delay(Recheck, _clock, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
        foreach (var s in _podSources) await s.Pods.DisposeAsync();
        foreach (var l in _leases)
            if (l.Watched is not null) await l.Watched.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    sealed record PodSource(string Component, string What, Informer<V1Pod> Pods);

    /// <summary>A pod's state as far as the intervals go (what <see cref="PodInterval"/> holds beside its times).</summary>
    sealed record Look(string Phase, bool Ready, string? Node, int Restarts, bool Terminating, bool Crashing, string? Reason, string? Message);

    sealed record Holding(string? Holder, bool Expired, string? HolderPod, bool HolderIsRescue);

    sealed class PodTrack(string ns, string name, string component, bool isRescue, V1Pod last)
    {
        public string Namespace => ns;
        public string Name => name;
        public string Component => component;
        public bool IsRescue => isRescue;
        /// <summary>The pod as last seen: a Lease's identity names it by its hostname (its name, or its node's with hostNetwork).</summary>
        public V1Pod Last { get; set; } = last;
        public List<PodInterval> Done { get; } = [];
        public Look? Open { get; private set; }
        public TimeSpan OpenSince { get; private set; }
        public TimeSpan? Gone { get; set; }
        public TimeSpan FirstSeen => Done.Count > 0 ? Done[0].From : OpenSince;

        public void Begin(Look look, TimeSpan now)
        {
            Close(now);
            (Open, OpenSince) = (look, now);
        }

        public void Close(TimeSpan now)
        {
            if (Open is { } o)
                Done.Add(new PodInterval(OpenSince, now, o.Phase, o.Ready, o.Node, o.Restarts, o.Terminating, o.Crashing, o.Reason, o.Message));
            Open = null;
        }
    }

    sealed class LeaseTrack(ControlPlaneComponent component, string source, Informer<V1Lease>? watched)
    {
        public ControlPlaneComponent Component => component;
        public string Source => source;
        public Informer<V1Lease>? Watched => watched;
        public LeaderRecord? Polled { get; set; }
        public bool PolledOnce { get; set; }
        public Exception? Error { get; set; }
        public bool Synced => watched?.IsSynced ?? PolledOnce;
        public LeaderRecord? Record => watched is null ? Polled : watched.Items.FirstOrDefault() is { } lease ? LeaderRecord.FromLease(lease) : null;
        public List<LeaseHolding> Done { get; } = [];
        public Holding? Open { get; private set; }
        TimeSpan _since;

        public void Begin(Holding holding, TimeSpan now)
        {
            Close(now);
            (Open, _since) = (holding, now);
        }

        public void Close(TimeSpan now)
        {
            if (Open is { } o) Done.Add(new LeaseHolding(_since, now, o.Holder, o.Expired, o.HolderPod, o.HolderIsRescue));
            Open = null;
        }
    }

    sealed class StepTrack(string name, string? component, string description)
    {
        public TimeSpan? Started { get; set; }
        public TimeSpan? Ended { get; set; }
        public bool Succeeded { get; set; }
        public string? Outcome { get; set; }

        public bool Is(RecoveryEvent e) => e.Step == name && e.Component == component;

        public TimelineStep ToStep() => new(name, component, description,
            Started is null ? StepState.NotRun : Ended is null ? StepState.Interrupted : Succeeded ? StepState.Succeeded : StepState.Failed,
            Started, Ended, Outcome);
    }
}
