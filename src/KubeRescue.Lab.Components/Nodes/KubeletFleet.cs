using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.Components;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.Nodes;

/// <summary>
/// Every node's kubelet in one controller, as KWOK plays them: each node registers, heartbeats (Lease and node
/// status), admits the pods bound to it, runs their containers (emulated binaries, each with its own API client),
/// restarts them with CrashLoopBackOff, and terminates them gracefully. The fleet reads pods and nodes through
/// one informer each and writes through ONE shared client: a real kubelet has its own connection, but the lab's
/// faults are about the API server and the nodes, not one kubelet's network, and one connection keeps hundreds
/// of emulated nodes cheap. The binaries a container runs always get their own client, since their failures and
/// lease hand-overs must be their own.
/// </summary>
public sealed class KubeletFleet : IAsyncDisposable
{
    /// <summary>The version every kubelet reports, the lab API server's own.</summary>
    public const string KubeletVersion = "v1.33.0";

    /// <summary>
    /// The lab's fault switch on a Node, so that kubectl can stop a kubelet too: <c>stopped</c> stops it (its
    /// containers keep running), <c>crashed</c> crashes the node (its containers die), removing it starts the kubelet
    /// again. A real cluster has no such annotation; it stands for the machine being switched off.
    /// </summary>
    public const string FaultAnnotation = "kube-rescue.io/kubelet";

    /// <summary>
    /// The node-crash fault: a comma-separated list of binaries (<c>kube-scheduler</c>, <c>kube-controller-manager</c>)
    /// that crash on this node as they start, as if something on the host they need were broken.
    /// </summary>
    public const string CrashAnnotation = "kube-rescue.io/crash";

    readonly KubernetesClientConfiguration _config;
    readonly k8s.Kubernetes _client;
    readonly CancellationTokenSource _stopping = new();
    readonly Lock _gate = new();
    readonly Dictionary<string, NodeAgent> _agents = new(StringComparer.Ordinal);
    readonly List<Task> _informers = [];
    readonly HashSet<string> _stoppedByFault = new(StringComparer.Ordinal);
    Informer<V1Pod>? _pods;
    Informer<V1Node>? _nodes;

    /// <param name="clock">the lab's clock: the kubelets' and their containers' time, handed to every binary they start</param>
    public KubeletFleet(KubernetesClientConfiguration client, LabTiming timing, TimeProvider clock, IReadOnlyList<IEmulatedBinary> binaries, TextWriter log)
    {
        _config = client;
        Timing = timing;
        Clock = clock;
        Binaries = binaries;
        Log = TextWriter.Synchronized(log);
        var own = NewClientConfiguration();
        own.UserAgent = $"kubelet/{KubeletVersion} (linux/amd64) kubernetes/kube-rescue-lab";
        _client = new k8s.Kubernetes(own);
        Events = new EventBroadcaster(_client, timing, clock, Log.WriteLine);
    }

    public LabTiming Timing { get; }
    public TimeProvider Clock { get; }
    public IReadOnlyList<IEmulatedBinary> Binaries { get; }
    internal TextWriter Log { get; }
    internal IKubernetes Client => _client;
    internal EventBroadcaster Events { get; }
    internal CancellationToken Stopping => _stopping.Token;
    internal Informer<V1Pod> Pods => _pods!;
    internal Informer<V1Node> Nodes => _nodes!;

    /// <summary>The nodes added so far, in order.</summary>
    public IReadOnlyList<string> NodeNames { get { lock (_gate) return [.. _agents.Values.OrderBy(a => a.Index).Select(a => a.Name)]; } }

    public bool IsKubeletRunning(string node) => Agent(node).Running;

    /// <summary>Adds a node and starts its kubelet, which registers the Node and begins heartbeats and pod work.</summary>
    public async Task AddNodeAsync(NodeSpec spec, CancellationToken ct = default)
    {
        NodeAgent agent;
        lock (_gate)
        {
            if (_agents.ContainsKey(spec.Name)) throw new InvalidOperationException($"node {spec.Name} is already in the fleet");
            EnsureInformers();
            agent = new NodeAgent(this, spec, _agents.Count);
            _agents[spec.Name] = agent;
        }
        await agent.StartAsync(ct);
    }

    /// <summary>
    /// Stops a node's kubelet: no more heartbeats, and its pods are no longer reconciled (deleted ones stay
    /// Terminating). Its containers keep running, unless <paramref name="killContainers"/>: then the node crashed.
    /// </summary>
    public Task StopKubeletAsync(string node, bool killContainers = false) => Agent(node).StopAsync(killContainers);

    /// <summary>Starts a stopped kubelet again: it re-registers, heartbeats, re-admits and reconciles its pods.</summary>
    public Task StartKubeletAsync(string node, CancellationToken ct = default) => Agent(node).StartAsync(ct);

    /// <summary>A fresh copy of the fleet's client configuration, for one binary instance's own client.</summary>
    public KubernetesClientConfiguration NewClientConfiguration() => new()
    {
        Host = _config.Host,
        SslCaCerts = _config.SslCaCerts,
        SkipTlsVerify = _config.SkipTlsVerify,
        TlsServerName = _config.TlsServerName,
        ClientCertificateData = _config.ClientCertificateData,
        ClientCertificateKeyData = _config.ClientCertificateKeyData,
        ClientCertificateFilePath = _config.ClientCertificateFilePath,
        ClientKeyFilePath = _config.ClientKeyFilePath,
        ClientCertificateKeyStoreFlags = _config.ClientCertificateKeyStoreFlags,
        AccessToken = _config.AccessToken,
        TokenProvider = _config.TokenProvider,
        Username = _config.Username,
        Password = _config.Password,
        Namespace = _config.Namespace,
        UserAgent = _config.UserAgent,
        HttpClientTimeout = _config.HttpClientTimeout,
        DisableHttp2 = _config.DisableHttp2,
    };

    NodeAgent Agent(string node)
    {
        lock (_gate) return _agents.TryGetValue(node, out var agent) ? agent : throw new KeyNotFoundException($"node {node} is not in the fleet");
    }

    NodeAgent? AgentOf(V1Pod pod)
    {
        if (string.IsNullOrEmpty(pod.Spec?.NodeName)) return null;
        lock (_gate) return _agents.GetValueOrDefault(pod.Spec.NodeName);
    }

    void EnsureInformers()
    {
        if (_pods is not null) return;
        var informing = new InformerOptions { Clock = Clock };
        _pods = Informers.Pods(_client, fieldSelector: "spec.nodeName!=", transform: SharedCopies.Of, options: informing).Indexed();
        _nodes = Informers.Nodes(_client, SharedCopies.Of, informing);
        _pods.Added += pod => AgentOf(pod)?.OnPod(pod);
        _pods.Updated += (old, pod) =>
        {
            if (old.Metadata.Uid != pod.Metadata.Uid) AgentOf(old)?.OnPodGone(old);
            AgentOf(pod)?.OnPod(pod);
        };
        _pods.Deleted += pod => AgentOf(pod)?.OnPodGone(pod);
        _nodes.Added += ApplyFaultAnnotation;
        _nodes.Updated += (_, node) => ApplyFaultAnnotation(node);
        _informers.Add(Task.Run(() => _pods.RunAsync(_stopping.Token), CancellationToken.None));
        _informers.Add(Task.Run(() => _nodes.RunAsync(_stopping.Token), CancellationToken.None));
    }

    static string? FaultOf(V1Node node) =>
        node.Metadata.Annotations is { } annotations && annotations.TryGetValue(FaultAnnotation, out var value) ? value : null;

    static HashSet<string> CrashesOf(V1Node node) =>
        node.Metadata.Annotations is { } annotations && annotations.TryGetValue(CrashAnnotation, out var value)
            ? [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : [];

    void ApplyFaultAnnotation(V1Node node)
    {
        var name = node.Metadata.Name;
        NodeAgent? agent;
        Func<Task>? change = null;
        lock (_gate)
        {
            if (!_agents.TryGetValue(name, out agent)) return;
            agent.SetCrashing(CrashesOf(node));
            var wanted = FaultOf(node);
            if (wanted is "stopped" or "crashed" && agent.Running)
            {
                _stoppedByFault.Add(name);
                var crash = wanted == "crashed";
                change = () => agent.StopAsync(crash);
            }
            else if (wanted is null && _stoppedByFault.Remove(name))
            {
                change = () => agent.StartAsync(Stopping);
            }
        }
        if (change is null) return;
        Log.WriteLine($"{name}: kubelet {FaultOf(node) ?? "started"} by the {FaultAnnotation} annotation");
        _ = Task.Run(async () =>
        {
            try { await change(); }
            catch (Exception e) when (e is not OperationCanceledException) { Log.WriteLine($"{name}: {e.Message}"); }
        });
    }

    /// <summary>Stops every kubelet and crashes every node (all containers end), then the informers and the event writer.</summary>
    public async ValueTask DisposeAsync()
    {
        List<NodeAgent> agents;
        lock (_gate) agents = [.. _agents.Values];
        await Task.WhenAll(agents.Select(a => a.StopAsync(crash: true)));
        await _stopping.CancelAsync();
        await Task.WhenAll(_informers);
        await Events.StopAsync();
        _client.Dispose();
        _stopping.Dispose();
    }
}
