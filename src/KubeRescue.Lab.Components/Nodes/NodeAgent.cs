using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.Nodes;

/// <summary>
/// One node of the fleet: its kubelet (registration, Lease and node status heartbeats, pod workers, admission,
/// crash back-off memory) and its container runtime, which outlives the kubelet unless the node crashes.
/// </summary>
internal sealed class NodeAgent
{
    const string LeaseNamespace = "kube-node-lease";
    const int LeaseDurationSeconds = 40;
    static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);
    static readonly TimeSpan StatusUpdateFrequency = TimeSpan.FromSeconds(10);
    static readonly TimeSpan StatusReportFrequency = TimeSpan.FromMinutes(5);

    sealed class Entry(PodWorker worker)
    {
        public PodWorker Worker { get; } = worker;
        public Task? Loop { get; set; }
    }

    readonly KubeletFleet _fleet;
    readonly Lock _gate = new();
    readonly Lock _admission = new();
    readonly Dictionary<string, Entry> _workers = new(StringComparer.Ordinal);
    readonly HashSet<string> _terminated = new(StringComparer.Ordinal);
    CancellationTokenSource? _kubelet;
    Task? _heartbeat;
    V1Node? _registered;
    V1Lease? _lease;
    DateTime _lastStatusReport = DateTime.MinValue;
    string _bootId = NewId();
    // Fingerprints compared on every status pass (every 10 s on every node); neither side changes between one
    // version of the node object or one boot of the kubelet, so each is worked out once for it.
    (string BootId, string Value)? _desiredFingerprint;
    (V1NodeStatus? Status, string Value) _currentFingerprint;
    int _lastPodHost = 1;
    volatile IReadOnlySet<string> _crashing = new HashSet<string>();

    public NodeAgent(KubeletFleet fleet, NodeSpec spec, int index)
    {
        _fleet = fleet;
        Spec = spec;
        Index = index;
        Runtime = new ContainerRuntime(fleet.Log, fleet.Clock);
        BackOff = new CrashBackOff(fleet.Timing, fleet.Clock);
    }

    public NodeSpec Spec { get; }
    public int Index { get; }
    public string Name => Spec.Name;
    public ContainerRuntime Runtime { get; }

    /// <summary>The crash back-off of this kubelet's containers, forgotten when it stops.</summary>
    public CrashBackOff BackOff { get; }
    public IKubernetes Client => _fleet.Client;
    public LabTiming Timing => _fleet.Timing;
    public TimeProvider Clock => _fleet.Clock;
    DateTime Now => Clock.GetUtcNow().UtcDateTime;
    EventRecorder? _events;

    /// <summary>This kubelet's events: source kubelet, host and reporting instance the node.</summary>
    EventRecorder Events => _events ??= _fleet.Events.NewRecorder("kubelet", Name, Name);

    public void PodEvent(V1Pod pod, string type, string reason, string message, string? container = null) =>
        Events.Record(EventRecorder.Reference(pod, "v1", "Pod", container is null ? null : $"spec.containers{{{container}}}"), type, reason, message);

    /// <summary>Node events: the kubelet refers to its node by name, with the name as UID, in the default namespace.</summary>
    void NodeEvent(string type, string reason, string message) =>
        Events.Record(new V1ObjectReference { Kind = "Node", Name = Name, Uid = Name }, type, reason, message);
    public bool Running { get { lock (_gate) return _kubelet is not null; } }

    public void Log(string line) => _fleet.Log.WriteLine($"kubelet {Name}: {line}");

    /// <summary>
    /// Starts the kubelet: registers (or reconciles) the Node, starts the heartbeats, admits the pods already
    /// bound here in creation order, restarts their containers and stops containers whose pods are gone.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        CancellationTokenSource kubelet;
        lock (_gate)
        {
            if (_kubelet is not null) return;
            kubelet = _kubelet = CancellationTokenSource.CreateLinkedTokenSource(_fleet.Stopping);
        }
        try
        {
            await RegisterAsync(ct);
        }
        catch
        {
            // Not started after all: a later StartAsync tries again.
            lock (_gate) _kubelet = null;
            kubelet.Dispose();
            throw;
        }
        NodeEvent("Normal", "Starting", "Starting kubelet.");
        _heartbeat = Task.Run(() => HeartbeatAsync(kubelet.Token), CancellationToken.None);

        await _fleet.Pods.Synced.WaitAsync(ct);
        var pods = _fleet.Pods.ByIndex(PodIndexes.ByNode, Name).OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).ToList();
        var fresh = new List<Entry>();
        lock (_gate)
        {
            foreach (var pod in pods)
                if (!_workers.ContainsKey(pod.Metadata.Uid) && !_terminated.Contains(pod.Metadata.Uid))
                {
                    var entry = new Entry(new PodWorker(this, pod));
                    _workers[pod.Metadata.Uid] = entry;
                    fresh.Add(entry);
                }
        }
        foreach (var entry in fresh) Admit(entry.Worker);
        lock (_gate) foreach (var entry in fresh) entry.Loop ??= Task.Run(() => entry.Worker.RunAsync(kubelet.Token), CancellationToken.None);

        var known = pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in Runtime.Sandboxes.Where(s => !known.Contains(s.PodUid)).ToList())
        {
            foreach (var c in orphan.Current) c.RequestStop();
            Runtime.Remove(orphan.PodUid);
        }
    }

    /// <summary>Stops the kubelet: heartbeats and pod workers end. With <paramref name="crash"/> the node dies: every container too.</summary>
    public async Task StopAsync(bool crash)
    {
        CancellationTokenSource? kubelet;
        List<Task> loops;
        lock (_gate)
        {
            kubelet = _kubelet;
            _kubelet = null;
            loops = [.. _workers.Values.Select(e => e.Loop).OfType<Task>()];
            _workers.Clear();
            _terminated.Clear();
        }
        if (kubelet is not null)
        {
            kubelet.Cancel();
            await Task.WhenAll([.. loops, _heartbeat ?? Task.CompletedTask]);
            kubelet.Dispose();
        }
        BackOff.Clear();
        _lease = null;
        if (crash)
        {
            Runtime.Crash();
            _bootId = NewId();
        }
    }

    public void OnPod(V1Pod pod)
    {
        lock (_gate)
        {
            if (_kubelet is not { } kubelet || _terminated.Contains(pod.Metadata.Uid)) return;
            if (_workers.TryGetValue(pod.Metadata.Uid, out var entry))
            {
                entry.Worker.Update(pod);
                return;
            }
            var fresh = new Entry(new PodWorker(this, pod));
            _workers[pod.Metadata.Uid] = fresh;
            fresh.Loop = Task.Run(() => fresh.Worker.RunAsync(kubelet.Token), CancellationToken.None);
        }
    }

    public void OnPodGone(V1Pod pod)
    {
        lock (_gate)
        {
            _terminated.Remove(pod.Metadata.Uid);
            if (_workers.TryGetValue(pod.Metadata.Uid, out var entry)) entry.Worker.Gone();
            else if (_kubelet is not null && Runtime.Find(pod.Metadata.Uid) is { } sandbox)
            {
                foreach (var c in sandbox.Current) c.RequestStop();
                Runtime.Remove(pod.Metadata.Uid);
            }
        }
    }

    /// <summary>Admits one pod against the node as it is now and the pods already admitted, one pod at a time.</summary>
    public void Admit(PodWorker worker)
    {
        lock (_admission)
        {
            List<V1Pod> others;
            lock (_gate) others = [.. _workers.Values.Select(e => e.Worker).Where(w => w != worker && w.Active).Select(w => w.Pod)];
            worker.Admit(others, _fleet.Nodes.Get(null, Name) ?? _registered!);
        }
    }

    /// <summary>The worker terminated its pod; later updates of that pod (before its deletion arrives) are ignored.</summary>
    public void Forget(PodWorker worker)
    {
        lock (_gate)
        {
            if (_workers.TryGetValue(worker.Uid, out var entry) && entry.Worker == worker) _workers.Remove(worker.Uid);
            _terminated.Add(worker.Uid);
        }
    }

    /// <summary>Pod IPs 10.2.&lt;node&gt;.&lt;n&gt; from the node's /24, handed out in turn.</summary>
    public string NextPodIP()
    {
        lock (_gate)
        {
            _lastPodHost = _lastPodHost >= 254 ? 2 : _lastPodHost + 1;
            return string.Create(CultureInfo.InvariantCulture, $"10.{2 + Index / 256}.{Index % 256}.{_lastPodHost}");
        }
    }

    /// <summary>
    /// What a container runs: the first binary that recognises its command and args, each instance with its own
    /// client; else an idle process. A binary this node crashes (<see cref="SetCrashing"/>) exits 1 as it starts.
    /// </summary>
    public (string? Binary, Func<CancellationToken, Task<int>> Body) Program(V1Pod pod, V1Container container)
    {
        List<string> command = [.. container.Command ?? [], .. container.Args ?? []];
        foreach (var binary in _fleet.Binaries)
        {
            if (!binary.Recognizes(command, out var args)) continue;
            var log = new PrefixWriter(_fleet.Log, $"{Name} {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}/{container.Name}: ");
            var context = new BinaryContext(args, _fleet.NewClientConfiguration(), Name, pod.Metadata.NamespaceProperty, pod.Metadata.Name,
                pod.Spec.HostNetwork == true, Timing, Clock, log);
            return (binary.Name, async stop =>
            {
                try
                {
                    if (!_crashing.Contains(binary.Name)) return await binary.RunAsync(context, stop);
                    await log.WriteLineAsync($"{binary.Name} exits at start: node {Name} crashes it ({KubeletFleet.CrashAnnotation})");
                    return 1;
                }
                finally { await log.FlushAsync(CancellationToken.None); }
            });
        }
        return (null, async stop =>
        {
            await Task.Delay(Timeout.Infinite, stop);
            return 0;
        });
    }

    /// <summary>
    /// The node-crash fault: from now on the named binaries crash on this node as they start (the kubelet restarts
    /// them with its back-off, so they crash-loop), and the ones running die at once with exit 1.
    /// </summary>
    public void SetCrashing(IReadOnlySet<string> binaries)
    {
        if (binaries.SetEquals(_crashing)) return;
        _crashing = binaries;
        foreach (var sandbox in Runtime.Sandboxes)
            foreach (var c in sandbox.Current)
                if (c.Binary is { } b && binaries.Contains(b)) c.Kill(1, "Error");
    }

    async Task RegisterAsync(CancellationToken ct)
    {
        var node = new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                Labels = Spec.EffectiveLabels(),
                Annotations = new Dictionary<string, string>
                {
                    ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
                },
            },
            Spec = new V1NodeSpec { Taints = Spec.EffectiveTaints.Count > 0 ? [.. Spec.EffectiveTaints] : null },
            Status = DesiredStatus(null, Now),
        };
        try
        {
            _registered = await Client.CoreV1.CreateNodeAsync(node, cancellationToken: ct);
            _lastStatusReport = Now;
            Log("registered");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Already registered (a restart): reconcile the labels the kubelet owns, as updateDefaultLabels does;
            // the first status update follows at once.
            var existing = await Client.CoreV1.ReadNodeAsync(Name, cancellationToken: ct);
            var labels = Spec.EffectiveLabels().Where(kv => kv.Key is "kubernetes.io/hostname" or "kubernetes.io/os" or "kubernetes.io/arch"
                or "beta.kubernetes.io/os" or "beta.kubernetes.io/arch").Where(kv => existing.Metadata.Labels is not { } have || !have.TryGetValue(kv.Key, out var v) || v != kv.Value)
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            if (labels.Count > 0)
                existing = await Client.CoreV1.PatchNodeAsync(new V1Patch(KubernetesJson.Serialize(new { metadata = new { labels } }), V1Patch.PatchType.MergePatch), Name, cancellationToken: ct);
            _registered = existing;
            _lastStatusReport = DateTime.MinValue;
        }
    }

    async Task HeartbeatAsync(CancellationToken ct)
    {
        // The Lease renews every 10 s (a quarter of its 40 s duration) and node status is computed every 10 s
        // (nodeStatusUpdateFrequency); one loop does both, as their periods are equal.
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RenewLeaseAsync(ct);
                await UpdateNodeStatusAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or TaskCanceledException)
            {
                Log($"heartbeat failed: {e.Message}");
            }
            try { await Task.Delay(Timing.Of(RenewInterval < StatusUpdateFrequency ? RenewInterval : StatusUpdateFrequency), Clock, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Renews <c>kube-node-lease/&lt;node&gt;</c> with an update of the last lease seen; on conflict or loss it reads (or creates) it again.</summary>
    async Task RenewLeaseAsync(CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (_lease is null)
            {
                try
                {
                    _lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(Name, LeaseNamespace, cancellationToken: ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    _lease = await Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
                    {
                        ApiVersion = "coordination.k8s.io/v1",
                        Kind = "Lease",
                        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = LeaseNamespace, OwnerReferences = OwnerReferences() },
                        Spec = new V1LeaseSpec { HolderIdentity = Name, LeaseDurationSeconds = LeaseDurationSeconds, RenewTime = Now },
                    }, LeaseNamespace, cancellationToken: ct);
                    return;
                }
            }
            _lease.Spec ??= new V1LeaseSpec();
            _lease.Spec.HolderIdentity = Name;
            _lease.Spec.LeaseDurationSeconds = LeaseDurationSeconds;
            _lease.Spec.RenewTime = Now;
            if (_lease.Metadata.OwnerReferences is not { Count: > 0 }) _lease.Metadata.OwnerReferences = OwnerReferences();
            try
            {
                _lease = await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(_lease, Name, LeaseNamespace, cancellationToken: ct);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                _lease = null;
            }
        }
    }

    List<V1OwnerReference>? OwnerReferences() =>
        _registered?.Metadata.Uid is { } uid ? [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = Name, Uid = uid }] : null;

    /// <summary>
    /// tryUpdateNodeStatus: compute the status every 10 s; patch it when it differs from the node's (ignoring
    /// heartbeat times) or when 5 minutes (nodeStatusReportFrequency) have passed since the last report.
    /// So an unchanged node's Ready lastHeartbeatTime moves every 5 minutes, while the Lease carries liveness.
    /// </summary>
    async Task UpdateNodeStatusAsync(CancellationToken ct)
    {
        var current = _fleet.Nodes.Get(null, Name) ?? await Client.CoreV1.ReadNodeAsync(Name, cancellationToken: ct);
        var now = Now;
        if (_desiredFingerprint?.BootId != _bootId) _desiredFingerprint = (_bootId, Fingerprint(DesiredStatus(null, now)));
        if (!ReferenceEquals(_currentFingerprint.Status, current.Status)) _currentFingerprint = (current.Status, Fingerprint(current.Status));
        if (_desiredFingerprint.Value.Value == _currentFingerprint.Value && now - _lastStatusReport < Timing.Of(StatusReportFrequency)) return;
        var desired = DesiredStatus(current.Status, now);
        var wasReady = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";
        var patch = KubernetesJson.Serialize(new { status = desired });
        _registered = await Client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), Name, cancellationToken: ct);
        _lastStatusReport = now;
        if (!wasReady) NodeEvent("Normal", "NodeReady", $"Node {Name} status is now: NodeReady");
    }

    V1NodeStatus DesiredStatus(V1NodeStatus? current, DateTime now)
    {
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(Spec.Cpu),
            ["memory"] = new(Spec.Memory),
            ["pods"] = new(Spec.Pods.ToString(CultureInfo.InvariantCulture)),
        };
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(Spec.AllocatableCpu ?? Spec.Cpu),
            ["memory"] = new(Spec.AllocatableMemory ?? Spec.Memory),
            ["pods"] = new((Spec.AllocatablePods ?? Spec.Pods).ToString(CultureInfo.InvariantCulture)),
        };
        (string Type, string Status, string Reason, string Message)[] wanted =
        [
            ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ];
        var conditions = wanted.Select(w =>
        {
            var old = current?.Conditions?.FirstOrDefault(c => c.Type == w.Type);
            return new V1NodeCondition
            {
                Type = w.Type,
                Status = w.Status,
                Reason = w.Reason,
                Message = w.Message,
                LastHeartbeatTime = now,
                LastTransitionTime = old is not null && old.Status == w.Status && old.LastTransitionTime is { } t ? t : now,
            };
        }).ToList();
        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = allocatable,
            Conditions = conditions,
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = Spec.InternalIP }, new V1NodeAddress { Type = "Hostname", Address = Name }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = Id(Name + "/machine"),
                SystemUUID = Id(Name + "/system"),
                BootID = _bootId,
                KernelVersion = "6.1.0-28-amd64",
                OsImage = "Debian GNU/Linux 12 (bookworm)",
                ContainerRuntimeVersion = "containerd://1.7.24",
                KubeletVersion = KubeletFleet.KubeletVersion,
                KubeProxyVersion = "",
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
        };
    }

    /// <summary>The status without heartbeat times, for nodeStatusHasChanged.</summary>
    static string Fingerprint(V1NodeStatus? status) => status is null ? "" : KubernetesJson.Serialize(new
    {
        conditions = (status.Conditions ?? []).OrderBy(c => c.Type, StringComparer.Ordinal).Select(c => new { c.Type, c.Status, c.Reason, c.Message }),
        capacity = status.Capacity?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"),
        allocatable = status.Allocatable?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"),
        addresses = status.Addresses?.Select(a => $"{a.Type}={a.Address}"),
        boot = status.NodeInfo?.BootID,
    });

    static string Id(string seed) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)))[..32];

    static string NewId() => Guid.NewGuid().ToString();
}
