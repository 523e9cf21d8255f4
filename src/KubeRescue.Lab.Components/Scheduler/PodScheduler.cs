using System.Collections.Concurrent;
using System.Net;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Kubernetes.Scheduling;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// The scheduling loop of one kube-scheduler process. Informers (started at once, so a standby's cache is warm)
/// feed a queue of pending pods and the scheduler's cache of nodes and the pods on them; while this process leads,
/// one worker takes a pod at a time: filter nodes until enough are feasible (all of them in a cluster under 100
/// nodes), score the feasible ones, assume the pod onto the winner (so the next decision counts it before the
/// watch shows it) and bind through pods/binding. A pod that fits nowhere gets PodScheduled=False/Unschedulable and a
/// FailedScheduling event, then waits until a node or an assigned pod changes, never sooner than its back-off
/// (1s doubling to 10s), or until it has waited podMaxInUnschedulablePodsDuration; as the scheduling queue does.
/// </summary>
sealed class PodScheduler
{
    static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    static readonly TimeSpan FlushPeriod = TimeSpan.FromSeconds(30);

    readonly IKubernetes _client;
    readonly string _schedulerName;
    readonly LabTiming _timing;
    readonly TimeProvider _clock;
    readonly TimeSpan _maxInUnschedulable;
    readonly Klog _log;
    readonly EventRecorder _events;
    readonly Informer<V1Pod> _pending;
    readonly Informer<V1Pod> _assigned;
    readonly Informer<V1Node> _nodes;
    readonly WorkQueue<string> _queue;
    readonly CancellationToken _stop;

    // Pods bound by this process that the assigned-pods informer has not shown yet.
    readonly ConcurrentDictionary<string, V1Pod> _assumed = new(StringComparer.Ordinal);
    // The cache: bound and assumed pods by node, each node's NodeInfo kept until something on it changes (upstream
    // updates its snapshot by generation), and the node names in order.
    readonly Dictionary<string, Dictionary<string, V1Pod>> _podsByNode = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _nodeOfPod = new(StringComparer.Ordinal);
    readonly Dictionary<string, NodeInfo> _nodeInfos = new(StringComparer.Ordinal);
    readonly SortedSet<string> _nodeNames = new(StringComparer.Ordinal);
    readonly Lock _cache = new();
    int _nextStartNodeIndex;
    // Scheduling attempts per pod, for its back-off, and the unschedulable pods with the time they failed.
    readonly Dictionary<string, (int Attempts, DateTime LastFailure)> _backoff = new(StringComparer.Ordinal);
    readonly Dictionary<string, DateTime> _unschedulable = new(StringComparer.Ordinal);
    readonly Lock _gate = new();
    long _moveRequests;

    public PodScheduler(IKubernetes client, EventRecorder events, string schedulerName, LabTiming timing, TimeProvider clock, TimeSpan maxInUnschedulable,
        Klog log, CancellationToken stop)
    {
        _client = client;
        _schedulerName = schedulerName;
        _timing = timing;
        _clock = clock;
        _maxInUnschedulable = maxInUnschedulable;
        _log = log;
        _stop = stop;
        _events = events;
        _queue = new WorkQueue<string>(timing, clock);
        var informing = new InformerOptions { Clock = clock };
        _pending = Informers.Pods(client, fieldSelector: "spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed", transform: SharedCopies.Of, options: informing);
        _assigned = Informers.Pods(client, fieldSelector: "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed", transform: SharedCopies.Of, options: informing);
        _nodes = Informers.Nodes(client, SharedCopies.Of, informing);

        _pending.Added += p => { if (Responsible(p)) _queue.Add(Key(p)); };
        _pending.Updated += PendingUpdated;
        _pending.Deleted += p => { lock (_gate) { _unschedulable.Remove(Key(p)); _backoff.Remove(Key(p)); } };
        _assigned.Added += p => { _assumed.TryRemove(Key(p), out _); CachePod(p); };
        _assigned.Updated += (old, p) => { _assumed.TryRemove(Key(p), out _); CachePod(p); MoveAllToActiveOrBackoff(); };
        _assigned.Deleted += p => { _assumed.TryRemove(Key(p), out _); UncachePod(Key(p), null); MoveAllToActiveOrBackoff(); };
        _nodes.Added += node => { CacheNode(node.Metadata.Name, present: true); MoveAllToActiveOrBackoff(); };
        _nodes.Updated += (old, node) =>
        {
            CacheNode(node.Metadata.Name, present: true);
            if (SchedulingPropertiesChanged(old, node)) MoveAllToActiveOrBackoff();
        };
        _nodes.Deleted += node => CacheNode(node.Metadata.Name, present: false);
    }

    DateTime Now => _clock.GetUtcNow().UtcDateTime;

    static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";

    bool Responsible(V1Pod pod) => (pod.Spec.SchedulerName ?? "default-scheduler") == _schedulerName;

    /// <summary>Lists and watches until the process stops.</summary>
    public Task RunInformersAsync() => Task.WhenAll(
        Task.Run(() => _pending.RunAsync(_stop)), Task.Run(() => _assigned.RunAsync(_stop)), Task.Run(() => _nodes.RunAsync(_stop)));

    /// <summary>Schedules until <paramref name="leading"/> ends (leadership lost or the process stopping).</summary>
    public async Task ScheduleAsync(CancellationToken leading)
    {
        try
        {
            await Task.WhenAll(_pending.Synced, _assigned.Synced, _nodes.Synced).WaitAsync(leading);
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            return;
        }
        foreach (var pod in _pending.Items)
            if (Responsible(pod)) _queue.Add(Key(pod));
        await Task.WhenAll(_queue.RunAsync(ScheduleOneAsync, 1, leading), FlushUnschedulableLeftoversAsync(leading));
    }

    async Task<bool> ScheduleOneAsync(string key, CancellationToken ct)
    {
        var slash = key.IndexOf('/');
        var pod = _pending.Get(key[..slash], key[(slash + 1)..]);
        if (pod is null || pod.Metadata.DeletionTimestamp is not null || !Responsible(pod) || _assumed.ContainsKey(key)) return true;

        var moveRequestsAtStart = Interlocked.Read(ref _moveRequests);
        var nodes = Snapshot();
        if (nodes.Count == 0)
        {
            await UnschedulableAsync(pod, FitError.NoNodesAvailable, moveRequestsAtStart, ct);
            return true;
        }

        var request = PodResources.Requests(pod.Spec);
        var affinity = NodeAffinity.Of(pod.Spec);
        var interPod = InterPodAffinity.Compute(pod, nodes);
        var statuses = new Dictionary<string, NodeStatus>(StringComparer.Ordinal);
        var feasible = new List<NodeInfo>();
        // findNodesThatPassFilters: from where the last attempt stopped, until enough nodes are feasible.
        var wanted = NumFeasibleNodesToFind(nodes.Count);
        var processed = 0;
        while (processed < nodes.Count && feasible.Count < wanted)
        {
            var node = nodes[(_nextStartNodeIndex + processed++) % nodes.Count];
            if (Filters.Run(pod, request, affinity, node, interPod) is { } status) statuses[node.Name] = status;
            else feasible.Add(node);
        }
        _nextStartNodeIndex = (_nextStartNodeIndex + processed) % nodes.Count;
        if (feasible.Count == 0)
        {
            var preemption = FitError.Preemption(pod, request, affinity, nodes, statuses);
            if (preemption is null)
                _log.Info("preemption.go:244", $"\"Preemption would help, but the lab does not preempt\" pod=\"{key}\"");
            await UnschedulableAsync(pod, FitError.Message(nodes.Count, statuses.Values, preemption), moveRequestsAtStart, ct);
            return true;
        }

        var chosen = Scoring.Select(pod, affinity, feasible, interPod);
        await BindAsync(pod, chosen.Name, processed, feasible.Count, ct);
        return true;
    }

    /// <summary>
    /// numFeasibleNodesToFind with the default percentageOfNodesToScore: every node below 100; above, 50% less
    /// one point per 125 nodes, at least 5% and at least 100 nodes.
    /// </summary>
    static int NumFeasibleNodesToFind(int allNodes)
    {
        const int minFeasibleNodes = 100;
        if (allNodes < minFeasibleNodes) return allNodes;
        var percentage = Math.Max(5, 50 - allNodes / 125);
        return Math.Max(minFeasibleNodes, allNodes * percentage / 100);
    }

    /// <summary>Nodes by name, each with its bound pods and the pods this process assumed onto it.</summary>
    List<NodeInfo> Snapshot()
    {
        lock (_cache)
        {
            var snapshot = new List<NodeInfo>(_nodeNames.Count);
            foreach (var name in _nodeNames)
            {
                if (!_nodeInfos.TryGetValue(name, out var info))
                {
                    if (_nodes.Get(null, name) is not { } node) continue;
                    IReadOnlyList<V1Pod> pods = _podsByNode.TryGetValue(name, out var onNode) ? [.. onNode.Values] : [];
                    _nodeInfos[name] = info = new NodeInfo(node, pods);
                }
                snapshot.Add(info);
            }
            return snapshot;
        }
    }

    void CacheNode(string name, bool present)
    {
        lock (_cache)
        {
            if (present) _nodeNames.Add(name);
            else _nodeNames.Remove(name);
            _nodeInfos.Remove(name);
        }
    }

    /// <summary>A bound pod from the informer, or one this process assumed: it replaces whatever was cached under its key.</summary>
    void CachePod(V1Pod pod)
    {
        var key = Key(pod);
        lock (_cache)
        {
            UncachePod(key, null);
            var node = pod.Spec.NodeName;
            if (!_podsByNode.TryGetValue(node, out var onNode)) _podsByNode[node] = onNode = new(StringComparer.Ordinal);
            onNode[key] = pod;
            _nodeOfPod[key] = node;
            _nodeInfos.Remove(node);
        }
    }

    /// <summary>Removes a pod from the cache; with <paramref name="only"/>, only if that very object is cached (an assumption that failed).</summary>
    void UncachePod(string key, V1Pod? only)
    {
        lock (_cache)
        {
            if (!_nodeOfPod.TryGetValue(key, out var node)) return;
            var onNode = _podsByNode[node];
            if (only is not null && !ReferenceEquals(onNode.GetValueOrDefault(key), only)) return;
            onNode.Remove(key);
            if (onNode.Count == 0) _podsByNode.Remove(node);
            _nodeOfPod.Remove(key);
            _nodeInfos.Remove(node);
        }
    }

    async Task BindAsync(V1Pod pod, string node, int nodes, int feasible, CancellationToken ct)
    {
        var key = Key(pod);
        var assumed = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
        assumed.Spec.NodeName = node;
        _assumed[key] = assumed;
        CachePod(assumed);
        try
        {
            await _client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding
            {
                Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
                Target = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = node },
            }, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Bound by someone else, or deleted meanwhile: nothing left to do for this pod.
            _assumed.TryRemove(key, out _);
            UncachePod(key, assumed);
            _log.Info("schedule_one.go:1046", $"\"Pod could not be bound; it was bound or deleted meanwhile\" pod=\"{key}\" node=\"{node}\" err=\"{e.Response.Content}\"");
            return;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            _assumed.TryRemove(key, out _);
            UncachePod(key, assumed);
            _log.Error("schedule_one.go:1065", $"\"Error scheduling pod; retrying\" err=\"binding rejected: {e.Message}\" pod=\"{key}\"");
            lock (_gate) _backoff[key] = (_backoff.GetValueOrDefault(key).Attempts + 1, Now);
            RetryAfterBackoff(key);
            return;
        }
        lock (_gate) _backoff.Remove(key);
        _log.Info("schedule_one.go:314", $"\"Successfully bound pod to node\" pod=\"{key}\" node=\"{node}\" evaluatedNodes={nodes} feasibleNodes={feasible}");
        _events.Record(pod, "v1", "Pod", "Normal", "Scheduled", $"Successfully assigned {key} to {node}", "Binding");
    }

    async Task UnschedulableAsync(V1Pod pod, string message, long moveRequestsAtStart, CancellationToken ct)
    {
        var key = Key(pod);
        _log.Info("schedule_one.go:1055", $"\"Unable to schedule pod; no fit; waiting\" pod=\"{key}\" err=\"{message}\"");
        var now = Now;
        bool parked;
        lock (_gate)
        {
            var attempts = _backoff.GetValueOrDefault(key).Attempts + 1;
            _backoff[key] = (attempts, now);
            // A cluster change during this attempt may already have made room: then retry after the back-off.
            parked = Interlocked.Read(ref _moveRequests) == moveRequestsAtStart;
            if (parked) _unschedulable[key] = now;
        }
        if (!parked) RetryAfterBackoff(key);
        _events.Record(pod, "v1", "Pod", "Warning", "FailedScheduling", message, "Scheduling");
        await SetUnschedulableConditionAsync(pod, message, ct);
    }

    /// <summary>PodScheduled=False with reason Unschedulable, written only when it changes (updatePod's check).</summary>
    async Task SetUnschedulableConditionAsync(V1Pod pod, string message, CancellationToken ct)
    {
        var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is { Status: "False", Reason: "Unschedulable" } && current.Message == message) return;
        var transition = current?.Status == "False" ? current.LastTransitionTime ?? Now : Now;
        var patch = KubernetesJson.Serialize(new
        {
            status = new
            {
                conditions = new[]
                {
                    new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = message, LastTransitionTime = transition },
                },
            },
        });
        try
        {
            await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            _log.Error("schedule_one.go:1094", $"\"Error updating pod\" err=\"{e.Message}\" pod=\"{Key(pod)}\"");
        }
    }

    TimeSpan Backoff(string key)
    {
        var attempts = Math.Max(1, _backoff.GetValueOrDefault(key).Attempts);
        var backoff = InitialBackoff * Math.Pow(2, Math.Min(attempts - 1, 10));
        return _timing.Of(backoff > MaxBackoff ? MaxBackoff : backoff);
    }

    void RetryAfterBackoff(string key)
    {
        TimeSpan delay;
        lock (_gate) delay = Backoff(key);
        _queue.AddAfter(key, delay, _stop);
    }

    /// <summary>A cluster change: every unschedulable pod is retried, each once its back-off has passed.</summary>
    void MoveAllToActiveOrBackoff()
    {
        Interlocked.Increment(ref _moveRequests);
        List<(string Key, TimeSpan Wait)> moved;
        lock (_gate)
        {
            var now = Now;
            moved = _unschedulable.Keys.Select(k => (k, _backoff.GetValueOrDefault(k).LastFailure + Backoff(k) - now)).ToList();
            _unschedulable.Clear();
        }
        foreach (var (key, wait) in moved)
            if (wait > TimeSpan.Zero) _queue.AddAfter(key, wait, _stop); else _queue.Add(key);
    }

    void PendingUpdated(V1Pod old, V1Pod pod)
    {
        // Status-only updates (our own condition among them) change nothing the filters read.
        if (!Responsible(pod) || !SpecOrMetadataChanged(old, pod)) return;
        var key = Key(pod);
        bool wasUnschedulable;
        lock (_gate) wasUnschedulable = _unschedulable.Remove(key);
        if (!wasUnschedulable) _queue.Add(key);
        else
        {
            TimeSpan wait;
            lock (_gate) wait = _backoff.GetValueOrDefault(key).LastFailure + Backoff(key) - Now;
            if (wait > TimeSpan.Zero) _queue.AddAfter(key, wait, _stop); else _queue.Add(key);
        }
    }

    static bool SpecOrMetadataChanged(V1Pod old, V1Pod pod) =>
        !Same(old.Spec, pod.Spec) || !Same(old.Metadata.Labels, pod.Metadata.Labels) || old.Metadata.DeletionTimestamp != pod.Metadata.DeletionTimestamp;

    static bool Same(object? a, object? b) => a is null ? b is null : b is not null && KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);

    /// <summary>What the filters read of a node; heartbeats alone do not wake unschedulable pods.</summary>
    static bool SchedulingPropertiesChanged(V1Node old, V1Node node) =>
        old.Spec?.Unschedulable != node.Spec?.Unschedulable
        || !Same(old.Spec?.Taints, node.Spec?.Taints)
        || !Same(old.Metadata.Labels, node.Metadata.Labels)
        || !Same(old.Status?.Allocatable, node.Status?.Allocatable)
        || !(old.Status?.Conditions ?? []).Select(c => (c.Type, c.Status)).SequenceEqual((node.Status?.Conditions ?? []).Select(c => (c.Type, c.Status)));

    /// <summary>flushUnschedulablePodsLeftover: every 30s, pods unschedulable for longer than the maximum are retried anyway.</summary>
    async Task FlushUnschedulableLeftoversAsync(CancellationToken leading)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_timing.Of(FlushPeriod), _clock, leading);
                var limit = Now - _timing.Of(_maxInUnschedulable);
                List<string> due;
                lock (_gate)
                {
                    due = _unschedulable.Where(kv => kv.Value < limit).Select(kv => kv.Key).ToList();
                    foreach (var key in due) _unschedulable.Remove(key);
                }
                foreach (var key in due) _queue.Add(key);
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
        }
    }
}
