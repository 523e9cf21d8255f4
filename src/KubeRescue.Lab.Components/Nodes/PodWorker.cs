using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using KubeRescue.Kubernetes.Scheduling;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.Nodes;

/// <summary>
/// The kubelet's pod worker for one pod (by UID): a level-triggered sync loop woken by pod updates, container
/// exits and its own timers (back-off, readiness). Each sync admits the pod once, starts and restarts containers,
/// terminates it when it is being deleted, and writes the status the kubelet owns when it changed.
/// </summary>
internal sealed class PodWorker
{
    // The conditions the kubelet owns, in the order the real kubelet reports them.
    static readonly string[] KubeletConditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];

    readonly NodeAgent _node;
    readonly Signal _wake = new();
    readonly Lock _gate = new();
    // Each kubelet condition's status and when it took it, in KubeletConditions' order: a worker lives as long as its
    // pod, so this is an array rather than a map (150,000 pods' maps were 50 MB).
    readonly (string? Status, DateTime Since)[] _conditions = new (string?, DateTime)[KubeletConditions.Length];
    HashSet<string>? _backOffAnnounced;
    V1Pod _pod;
    bool _gone;
    bool _admissionDone;
    bool _admitted;
    bool _terminal;
    bool _finished;
    AdmissionFailure? _rejection;
    // A digest of the status last written, not its JSON: that was 2 KiB per pod, kept for the pod's whole life.
    UInt128? _written;

    public PodWorker(NodeAgent node, V1Pod pod)
    {
        _node = node;
        _pod = pod;
        Uid = pod.Metadata.Uid;
    }

    public string Uid { get; }

    public V1Pod Pod { get { lock (_gate) return _pod; } }

    /// <summary>Counts against the node's resources and ports: admitted, not finished, not yet terminated.</summary>
    public bool Active { get { lock (_gate) return _admitted && !_terminal && !_finished; } }

    public void Update(V1Pod pod)
    {
        lock (_gate) _pod = pod;
        _wake.Set();
    }

    /// <summary>The pod is gone from the API server.</summary>
    public void Gone()
    {
        lock (_gate) _gone = true;
        _wake.Set();
    }

    public void Wake() => _wake.Set();

    /// <summary>Admission runs once per kubelet run, in the order the kubelet sees pods (the agent holds its lock).</summary>
    public void Admit(IReadOnlyCollection<V1Pod> others, V1Node node)
    {
        lock (_gate)
        {
            if (_admissionDone) return;
            _admissionDone = true;
            if (_pod.Status?.Phase is "Failed" or "Succeeded")
            {
                _terminal = true;
                return;
            }
            _rejection = KubeletAdmission.Check(_pod, node, others).FirstOrDefault();
            if (_rejection is null) _admitted = true;
            else _terminal = true;
        }
    }

    bool AdmissionDone { get { lock (_gate) return _admissionDone; } }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan? next;
            try
            {
                next = await SyncAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or TaskCanceledException)
            {
                _node.Log($"pod {Describe(Pod)}: sync failed, retrying: {e.Message}");
                next = _node.Timing.Seconds(1);
            }
            lock (_gate) if (_finished) return;
            if (!await _wake.WaitAsync(next, _node.Clock, ct)) return;
        }
    }

    async Task<TimeSpan?> SyncAsync(CancellationToken ct)
    {
        V1Pod pod;
        bool gone;
        lock (_gate)
        {
            pod = _pod;
            gone = _gone;
        }
        var sandbox = _node.Runtime.Find(Uid);

        if (gone)
        {
            // Deleted from the API server (force delete, or a node-less cleanup): stop whatever still runs.
            foreach (var c in sandbox?.Current.Where(c => c.Running) ?? [])
            {
                _node.PodEvent(pod, "Normal", "Killing", $"Stopping container {c.Name}", c.Name);
                c.RequestStop();
            }
            _node.Runtime.Remove(Uid);
            Finish();
            return null;
        }

        if (!AdmissionDone) _node.Admit(this);
        AdmissionFailure? rejection;
        bool terminal;
        lock (_gate)
        {
            rejection = _rejection;
            terminal = _terminal;
        }

        if (rejection is not null)
        {
            await RejectAsync(pod, rejection, ct);
            lock (_gate) _rejection = null;
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            await TerminateAsync(pod, sandbox, ct);
            return null;
        }
        if (terminal) return null;

        var firstSight = sandbox is null;
        sandbox ??= _node.Runtime.GetOrCreate(Uid, () => pod.Spec.HostNetwork == true ? _node.Spec.InternalIP : _node.NextPodIP());
        if (firstSight) await WriteStatusAsync(pod, BuildStatus(pod, sandbox, new Dictionary<string, (string, string)>()), ct);

        var waiting = new Dictionary<string, (string Reason, string Message)>(StringComparer.Ordinal);
        TimeSpan? next = null;
        foreach (var container in pod.Spec.Containers)
            Earliest(ref next, SyncContainer(pod, sandbox, container, waiting));
        var now = _node.Clock.GetUtcNow().UtcDateTime;
        foreach (var container in pod.Spec.Containers)
            if (sandbox.CurrentOf(container.Name) is { Running: true } rc && ReadyAt(container, rc) is { } at && at > now)
                Earliest(ref next, at - now);

        var status = BuildStatus(pod, sandbox, waiting);
        await WriteStatusAsync(pod, status, ct);
        if (status.Phase is "Succeeded" or "Failed") lock (_gate) _terminal = true;
        return next;
    }

    static void Earliest(ref TimeSpan? next, TimeSpan? candidate)
    {
        if (candidate is { } c && (next is null || c < next)) next = c;
    }

    /// <summary>Starts a container never started; restarts an exited one per restartPolicy, honouring CrashLoopBackOff.</summary>
    TimeSpan? SyncContainer(V1Pod pod, Sandbox sandbox, V1Container container, Dictionary<string, (string, string)> waiting)
    {
        var current = sandbox.CurrentOf(container.Name);
        if (current is null)
        {
            Start(pod, sandbox, container, 0);
            return null;
        }
        if (current.Running) return null;
        var restart = pod.Spec.RestartPolicy switch
        {
            "Never" => false,
            "OnFailure" => current.ExitCode != 0,
            _ => true,
        };
        if (!restart) return null;

        var key = $"{Uid}/{container.Name}";
        var finished = current.FinishedAt!.Value;
        if (_node.BackOff.InBackOff(key, finished, out var backOff, out var remaining))
        {
            var podRef = $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
            waiting[container.Name] = ("CrashLoopBackOff", $"back-off {GoDuration(backOff)} restarting failed container={container.Name} pod={podRef}");
            if ((_backOffAnnounced ??= new(StringComparer.Ordinal)).Add(current.Id))
                _node.PodEvent(pod, "Warning", "BackOff", $"Back-off restarting failed container {container.Name} in pod {podRef}", container.Name);
            return remaining;
        }
        _node.BackOff.Next(key);
        Start(pod, sandbox, container, current.RestartCount + 1);
        return null;
    }

    void Start(V1Pod pod, Sandbox sandbox, V1Container container, int restartCount)
    {
        var image = container.Image ?? "";
        if (container.ImagePullPolicy == "Always")
        {
            _node.PodEvent(pod, "Normal", "Pulling", $"Pulling image \"{image}\"", container.Name);
            _node.PodEvent(pod, "Normal", "Pulled", $"Successfully pulled image \"{image}\" in 0s (0s including waiting). Image size: 0 bytes.", container.Name);
        }
        else
        {
            _node.PodEvent(pod, "Normal", "Pulled", $"Container image \"{image}\" already present on machine", container.Name);
        }
        _node.PodEvent(pod, "Normal", "Created", $"Created container: {container.Name}", container.Name);
        var (binary, body) = _node.Program(pod, container);
        _node.Runtime.Start(sandbox, container.Name, restartCount, binary, body, Wake);
        _node.PodEvent(pod, "Normal", "Started", $"Started container {container.Name}", container.Name);
    }

    /// <summary>Readiness: at once without a readinessProbe; with one, after its initialDelaySeconds (probes always pass).</summary>
    DateTime? ReadyAt(V1Container container, RuntimeContainer rc) =>
        container.ReadinessProbe is { } probe ? rc.StartedAt + _node.Timing.Seconds(probe.InitialDelaySeconds ?? 0) : rc.StartedAt;

    async Task RejectAsync(V1Pod pod, AdmissionFailure rejection, CancellationToken ct)
    {
        _node.PodEvent(pod, "Warning", rejection.Reason, rejection.Message);
        var status = Clone(pod.Status);
        status.Phase = "Failed";
        status.Reason = rejection.Reason;
        status.Message = "Pod was rejected: " + rejection.Message;
        _node.Log($"pod {Describe(pod)} rejected: {rejection.Reason}: {rejection.Message}");
        await WriteStatusAsync(pod, status, ct);
    }

    /// <summary>
    /// Graceful termination: SIGTERM every container ("Killing"), wait until they exit or the grace period ends
    /// (then SIGKILL), report the terminal status, and delete the pod with grace 0 and a UID precondition, as the
    /// status manager does.
    /// </summary>
    async Task TerminateAsync(V1Pod pod, Sandbox? sandbox, CancellationToken ct)
    {
        var running = sandbox?.Current.Where(c => c.Running).ToList() ?? [];
        foreach (var c in running)
        {
            _node.PodEvent(pod, "Normal", "Killing", $"Stopping container {c.Name}", c.Name);
            c.RequestStop();
        }
        if (running.Count > 0)
        {
            var grace = pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30;
            await Task.WhenAny(Task.WhenAll(running.Select(c => c.Exited)), Task.Delay(_node.Timing.Seconds(grace), _node.Clock, ct));
            ct.ThrowIfCancellationRequested();
            foreach (var c in running) c.Kill(137, "Error");
        }
        if (sandbox is not null && pod.Status?.Phase is not ("Failed" or "Succeeded"))
        {
            var status = BuildStatus(pod, sandbox, new Dictionary<string, (string, string)>(), terminating: true);
            await WriteStatusAsync(pod, status, ct);
        }
        _node.Runtime.Remove(Uid);
        try
        {
            await _node.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = Uid } }, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone, or the name now belongs to a newer pod.
        }
        Finish();
    }

    void Finish()
    {
        lock (_gate) _finished = true;
        _node.Forget(this);
    }

    V1PodStatus BuildStatus(V1Pod pod, Sandbox sandbox, IReadOnlyDictionary<string, (string Reason, string Message)> waiting, bool terminating = false)
    {
        var now = _node.Clock.GetUtcNow().UtcDateTime;
        var statuses = new List<V1ContainerStatus>();
        foreach (var container in pod.Spec.Containers)
        {
            var current = sandbox.CurrentOf(container.Name);
            var previous = sandbox.PreviousOf(container.Name);
            var s = new V1ContainerStatus
            {
                Name = container.Name,
                Image = NormalizeImage(container.Image ?? ""),
                ImageID = "",
                Ready = false,
                Started = false,
                RestartCount = current?.RestartCount ?? 0,
                State = new V1ContainerState(),
                LastState = new V1ContainerState(),
            };
            if (current is null)
            {
                s.State.Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" };
            }
            else
            {
                s.ContainerID = current.Id;
                s.ImageID = ImageID(s.Image);
                if (current.Running)
                {
                    s.State.Running = new V1ContainerStateRunning { StartedAt = current.StartedAt };
                    s.Started = true;
                    s.Ready = !terminating && ReadyAt(container, current) <= now;
                    if (previous is not null) s.LastState.Terminated = Terminated(previous);
                }
                else if (waiting.TryGetValue(container.Name, out var w))
                {
                    s.State.Waiting = new V1ContainerStateWaiting { Reason = w.Reason, Message = w.Message };
                    s.LastState.Terminated = Terminated(current);
                }
                else
                {
                    s.State.Terminated = Terminated(current);
                    if (previous is not null) s.LastState.Terminated = Terminated(previous);
                }
            }
            statuses.Add(s);
        }

        var phase = Phase(pod, statuses, terminating);
        var status = Clone(pod.Status);
        status.Phase = phase;
        status.Reason = null;
        status.Message = null;
        status.HostIP = _node.Spec.InternalIP;
        status.HostIPs = [new V1HostIP { Ip = _node.Spec.InternalIP }];
        status.PodIP = sandbox.PodIP;
        status.PodIPs = [new V1PodIP { Ip = sandbox.PodIP }];
        status.StartTime ??= sandbox.CreatedAt;
        status.ContainerStatuses = statuses;

        var terminal = phase is "Succeeded" or "Failed";
        var allReady = statuses.All(s => s.Ready == true);
        var unready = string.Join(' ', statuses.Where(s => s.Ready != true).Select(s => s.Name));
        var desired = new Dictionary<string, (string Status, string? Reason, string? Message)>(StringComparer.Ordinal)
        {
            ["PodReadyToStartContainers"] = (terminal ? "False" : "True", null, null),
            ["Initialized"] = ("True", null, null),
            ["Ready"] = allReady ? ("True", null, null) : ("False", terminal ? "PodCompleted" : "ContainersNotReady", terminal ? null : $"containers with unready status: [{unready}]"),
            ["ContainersReady"] = allReady ? ("True", null, null) : ("False", terminal ? "PodCompleted" : "ContainersNotReady", terminal ? null : $"containers with unready status: [{unready}]"),
            ["PodScheduled"] = ("True", null, null),
        };
        var existing = status.Conditions ?? [];
        var conditions = new List<V1PodCondition>();
        for (var i = 0; i < KubeletConditions.Length; i++)
        {
            var type = KubeletConditions[i];
            var (st, reason, message) = desired[type];
            var old = existing.FirstOrDefault(c => c.Type == type);
            DateTime since;
            lock (_gate)
            {
                since = _conditions[i].Status == st ? _conditions[i].Since
                    : old is not null && old.Status == st && old.LastTransitionTime is { } t ? t
                    : now;
                _conditions[i] = (st, since);
            }
            conditions.Add(new V1PodCondition { Type = type, Status = st, Reason = reason, Message = message, LastTransitionTime = since, LastProbeTime = null });
        }
        // Conditions others own (DisruptionTarget, readiness gates) stay as they are.
        conditions.AddRange(existing.Where(c => !KubeletConditions.Contains(c.Type)));
        status.Conditions = conditions;
        return status;
    }

    static V1ContainerStateTerminated Terminated(RuntimeContainer c) => new()
    {
        ExitCode = c.ExitCode,
        Reason = c.Reason,
        StartedAt = c.StartedAt,
        FinishedAt = c.FinishedAt,
        ContainerID = c.Id,
    };

    /// <summary>
    /// The kubelet's getPhase: a container waiting to start makes the pod Pending; a container that ran before
    /// counts as stopped, so a crash-looping pod with restartPolicy Always stays Running. A pod being deleted
    /// ends Succeeded when every container exited 0, else Failed.
    /// </summary>
    static string Phase(V1Pod pod, List<V1ContainerStatus> statuses, bool terminating)
    {
        int waiting = 0, running = 0, stopped = 0, succeeded = 0;
        foreach (var s in statuses)
        {
            if (s.State.Running is not null) running++;
            else if (s.State.Terminated is { } t)
            {
                stopped++;
                if (t.ExitCode == 0) succeeded++;
            }
            else if (s.LastState.Terminated is not null) stopped++;
            else waiting++;
        }
        if (terminating) return stopped == succeeded && waiting == 0 ? "Succeeded" : "Failed";
        if (waiting > 0) return "Pending";
        if (running > 0) return "Running";
        if (pod.Spec.RestartPolicy is "Always" or null) return "Running";
        if (stopped == succeeded) return "Succeeded";
        return pod.Spec.RestartPolicy == "Never" ? "Failed" : "Running";
    }

    /// <summary>
    /// Writes status through pods/status as a JSON patch that first tests metadata.uid, so a write can never land
    /// on a newer pod of the same name (the real status manager puts the UID in its merge patch as a precondition).
    /// Only writes when the status changed.
    /// </summary>
    async Task WriteStatusAsync(V1Pod pod, V1PodStatus status, CancellationToken ct)
    {
        var json = KubernetesJson.Serialize(status);
        var digest = Digest(json);
        if (digest == _written) return;
        var patch = $"[{{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":{JsonSerializer.Serialize(Uid)}}},{{\"op\":\"add\",\"path\":\"/status\",\"value\":{json}}}]";
        try
        {
            await _node.Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
            _written = digest;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity)
        {
            // The pod is gone or was replaced by another of the same name; its deletion reaches this worker next.
        }
    }

    static UInt128 Digest(string json)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(json), hash);
        return BitConverter.ToUInt128(hash);
    }

    static V1PodStatus Clone(V1PodStatus? status) =>
        status is null ? new V1PodStatus() : KubernetesJson.Deserialize<V1PodStatus>(KubernetesJson.Serialize(status));

    /// <summary>The image reference containerd reports: registry and tag made explicit.</summary>
    static string NormalizeImage(string image)
    {
        if (image.Length == 0) return image;
        var slash = image.IndexOf('/');
        var first = slash < 0 ? "" : image[..slash];
        var named = first.Contains('.') || first.Contains(':') || first == "localhost" ? image
            : slash < 0 ? "docker.io/library/" + image : "docker.io/" + image;
        var lastSegment = named[(named.LastIndexOf('/') + 1)..];
        return named.Contains('@') || lastSegment.Contains(':') ? named : named + ":latest";
    }

    static string ImageID(string image)
    {
        var repository = image.Contains('@') ? image[..image.IndexOf('@')] : image.Contains(':') ? image[..image.LastIndexOf(':')] : image;
        return $"{repository}@sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image)))}";
    }

    /// <summary>Go's time.Duration String for whole seconds: 10s, 1m20s, 5m0s.</summary>
    public static string GoDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        return seconds < 60 ? $"{seconds}s" : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60}s");
    }

    static string Describe(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
}
