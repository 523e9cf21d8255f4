using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Components.Nodes;

namespace KubeRescue.Lab.Tests.Nodes;

/// <summary>The emulated kubelets against the in-process API server; the test plays the scheduler by setting spec.nodeName.</summary>
public class KubeletFleetTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    static readonly LabTiming Fast = new(20);
    static readonly TimeProvider Clock = new SystemTime();
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    const string Ns = "default";

    readonly string _id = Guid.NewGuid().ToString("N")[..6];
    readonly StringWriter _log = new();

    k8s.Kubernetes Client => lab.Client;

    KubeletFleet NewFleet(params IEmulatedBinary[] binaries) => new(lab.Server.ClientConfiguration(), Fast, Clock, binaries, _log);

    string Name(string what) => $"{what}-{_id}";

    [Fact]
    public async Task NodesRegisterAsTheKubeletDoesAndRenewTheirLease()
    {
        await using var fleet = NewFleet();
        var master = Name("master");
        var worker = Name("worker");
        await fleet.AddNodeAsync(NodeSpec.Master(master, "10.0.0.10"));
        await fleet.AddNodeAsync(NodeSpec.Worker(worker, "10.0.0.20") with { Cpu = "4", Memory = "8Gi" });

        var m = await Client.CoreV1.ReadNodeAsync(master);
        Assert.Equal(master, m.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", m.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("amd64", m.Metadata.Labels["kubernetes.io/arch"]);
        Assert.Equal("", m.Metadata.Labels["node-role.kubernetes.io/master"]);
        var taint = Assert.Single(m.Spec.Taints);
        Assert.Equal(("node-role.kubernetes.io/master", null, "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
        var ready = m.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("True", "KubeletReady", "kubelet is posting ready status"), (ready.Status, ready.Reason, ready.Message));
        foreach (var (type, reason) in new[] { ("MemoryPressure", "KubeletHasSufficientMemory"), ("DiskPressure", "KubeletHasNoDiskPressure"), ("PIDPressure", "KubeletHasSufficientPID") })
        {
            var c = m.Status.Conditions.Single(c => c.Type == type);
            Assert.Equal(("False", reason), (c.Status, c.Reason));
        }
        Assert.Equal(KubeletFleet.KubeletVersion, m.Status.NodeInfo.KubeletVersion);
        Assert.Contains(m.Status.Addresses, a => a.Type == "InternalIP" && a.Address == "10.0.0.10");
        Assert.Equal(10250, m.Status.DaemonEndpoints.KubeletEndpoint.Port);
        Assert.Equal("2", m.Status.Capacity["cpu"].ToString());
        Assert.Equal("110", m.Status.Allocatable["pods"].ToString());

        var w = await Client.CoreV1.ReadNodeAsync(worker);
        Assert.False(w.Metadata.Labels.ContainsKey("node-role.kubernetes.io/master"));
        Assert.Null(w.Spec.Taints);
        Assert.Equal("4", w.Status.Capacity["cpu"].ToString());

        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(master, "kube-node-lease");
        Assert.Equal(master, lease.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(m.Metadata.Uid, Assert.Single(lease.Metadata.OwnerReferences).Uid);
        var first = lease.Spec.RenewTime;
        await Wait.UntilAsync(async () => (await Client.CoordinationV1.ReadNamespacedLeaseAsync(master, "kube-node-lease")).Spec.RenewTime > first, Timeout, "lease renewal");
    }

    [Fact]
    public async Task APodRunsWithTheKubeletsStatusConditionsAndEvents()
    {
        await using var fleet = NewFleet();
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.30"));
        var pod = await CreatePodAsync(Name("app"), node);

        var running = await WaitPodAsync(pod, p => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        var types = running.Status.Conditions.Select(c => (c.Type, c.Status)).ToList();
        Assert.Equal([("PodReadyToStartContainers", "True"), ("Initialized", "True"), ("Ready", "True"), ("ContainersReady", "True"), ("PodScheduled", "True")], types);
        Assert.Equal("10.0.0.30", running.Status.HostIP);
        Assert.StartsWith("10.2.", running.Status.PodIP);
        Assert.Equal(running.Status.PodIP, Assert.Single(running.Status.PodIPs).Ip);
        Assert.NotNull(running.Status.StartTime);
        Assert.Equal("BestEffort", running.Status.QosClass);
        var cs = Assert.Single(running.Status.ContainerStatuses);
        Assert.Equal("app", cs.Name);
        Assert.Equal("docker.io/library/busybox:1.36", cs.Image);
        Assert.StartsWith("docker.io/library/busybox@sha256:", cs.ImageID);
        Assert.StartsWith("containerd://", cs.ContainerID);
        Assert.True(cs.Ready);
        Assert.True(cs.Started);
        Assert.Equal(0, cs.RestartCount);
        Assert.NotNull(cs.State.Running);
        Assert.Null(cs.LastState.Terminated);

        await WaitEventsAsync(pod, ("Pulled", "Container image \"busybox:1.36\" already present on machine"),
            ("Created", "Created container: app"), ("Started", "Started container app"));

        // A steady pod's status is not rewritten.
        await Task.Delay(Fast.Seconds(30));
        Assert.Equal(running.Metadata.ResourceVersion, (await Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns)).Metadata.ResourceVersion);

        var host = await CreatePodAsync(Name("host"), node, p => p.Spec.HostNetwork = true);
        var hostRunning = await WaitPodAsync(host, p => p.Status?.Phase == "Running");
        Assert.Equal("10.0.0.30", hostRunning.Status.PodIP);
    }

    [Fact]
    public async Task AFailingBinaryCrashLoopsWithGrowingBackOff()
    {
        var crasher = new FakeBinary("crasher", (_, _) => Task.FromResult(1));
        await using var fleet = NewFleet(crasher);
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.40"));
        var pod = await CreatePodAsync(Name("crash"), node, p => p.Spec.Containers[0].Command = ["crasher", "--v=2"]);

        var looping = await WaitPodAsync(pod, p => Status(p) is { RestartCount: >= 2, State.Waiting.Reason: "CrashLoopBackOff" });
        var cs = Status(looping)!;
        var backOff = cs.RestartCount == 2 ? "20s" : "40s";
        Assert.Equal($"back-off {backOff} restarting failed container=app pod={pod.Metadata.Name}_{Ns}({pod.Metadata.Uid})", cs.State.Waiting.Message);
        Assert.Equal("Running", looping.Status.Phase);
        Assert.Equal((1, "Error"), (cs.LastState.Terminated.ExitCode, cs.LastState.Terminated.Reason));
        Assert.False(cs.Ready);
        Assert.Contains(looping.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "ContainersNotReady"
            && c.Message == "containers with unready status: [app]");

        await WaitPodAsync(pod, p => Status(p)?.RestartCount >= 3);
        Assert.True(crasher.Started.Count >= 4);
        Assert.Equal(["--v=2"], crasher.Started.First().Args);
        await WaitEventsAsync(pod, ("BackOff", $"Back-off restarting failed container app in pod {pod.Metadata.Name}_{Ns}({pod.Metadata.Uid})"), type: "Warning");
    }

    [Fact]
    public async Task AReadinessProbeDelaysReadinessByItsInitialDelay()
    {
        await using var fleet = NewFleet();
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.35"));
        var pod = await CreatePodAsync(Name("probed"), node, p => p.Spec.Containers[0].ReadinessProbe = new V1Probe
        {
            InitialDelaySeconds = 20,
            HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 },
        });
        var started = await WaitPodAsync(pod, p => p.Status?.Phase == "Running");
        Assert.True(Status(started)!.Started);
        Assert.False(Status(started)!.Ready);
        Assert.Contains(started.Status.Conditions, c => c.Type == "ContainersReady" && c.Status == "False");
        var ready = await WaitPodAsync(pod, p => Status(p)?.Ready == true);
        Assert.Contains(ready.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        Assert.Equal(Status(started)!.ContainerID, Status(ready)!.ContainerID);
    }

    [Fact]
    public async Task AContainerThatCompletesUnderRestartPolicyNeverEndsThePod()
    {
        var done = new FakeBinary("done", (_, _) => Task.FromResult(0));
        await using var fleet = NewFleet(done);
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.41"));
        var pod = await CreatePodAsync(Name("job"), node, p =>
        {
            p.Spec.RestartPolicy = "Never";
            p.Spec.Containers[0].Command = ["done"];
        });
        var finished = await WaitPodAsync(pod, p => p.Status?.Phase == "Succeeded");
        var cs = Status(finished)!;
        Assert.Equal((0, "Completed"), (cs.State.Terminated.ExitCode, cs.State.Terminated.Reason));
        Assert.Equal(0, cs.RestartCount);
    }

    [Fact]
    public async Task AdmissionRejectsAPodThatDoesNotFitTheCpu()
    {
        await using var fleet = NewFleet();
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.50") with { Cpu = "2" });
        var big = await CreatePodAsync(Name("big"), node, p => Requests(p, "1800m"));
        await WaitPodAsync(big, p => p.Status?.Phase == "Running");

        var small = await CreatePodAsync(Name("small"), node, p => Requests(p, "500m"));
        var rejected = await WaitPodAsync(small, p => p.Status?.Phase == "Failed");
        Assert.Equal("OutOfcpu", rejected.Status.Reason);
        Assert.Equal("Pod was rejected: Node didn't have enough resource: cpu, requested: 500, used: 1800, capacity: 2000", rejected.Status.Message);
        Assert.Equal(node, rejected.Spec.NodeName);
        await WaitEventsAsync(small, ("OutOfcpu", "Node didn't have enough resource: cpu, requested: 500, used: 1800, capacity: 2000"), type: "Warning");
    }

    [Fact]
    public async Task AdmissionRejectsAHostPortConflictAndAMismatchedNodeSelector()
    {
        await using var fleet = NewFleet();
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.60"));
        var first = await CreatePodAsync(Name("port1"), node, p => p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 10251, HostPort = 10251 }]);
        await WaitPodAsync(first, p => p.Status?.Phase == "Running");
        // hostNetwork: the container port is the host port.
        var second = await CreatePodAsync(Name("port2"), node, p =>
        {
            p.Spec.HostNetwork = true;
            p.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 10251 }];
        });
        var rejected = await WaitPodAsync(second, p => p.Status?.Phase == "Failed");
        Assert.Equal("NodePorts", rejected.Status.Reason);
        Assert.Equal("Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports", rejected.Status.Message);

        var selector = await CreatePodAsync(Name("sel"), node, p => p.Spec.NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" });
        var wrongNode = await WaitPodAsync(selector, p => p.Status?.Phase == "Failed");
        Assert.Equal("NodeAffinity", wrongNode.Status.Reason);
        Assert.Equal("Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector", wrongNode.Status.Message);
    }

    [Fact]
    public async Task AdmissionRejectsUntoleratedNoExecuteTaintsButNotNoSchedule()
    {
        await using var fleet = NewFleet();
        var tainted = Name("tainted");
        var master = Name("master");
        await fleet.AddNodeAsync(NodeSpec.Worker(tainted, "10.0.0.70") with { Taints = [new V1Taint { Key = "dedicated", Value = "infra", Effect = "NoExecute" }] });
        await fleet.AddNodeAsync(NodeSpec.Master(master, "10.0.0.71"));

        var plain = await CreatePodAsync(Name("plain"), tainted);
        var rejected = await WaitPodAsync(plain, p => p.Status?.Phase == "Failed");
        Assert.Equal("TaintToleration", rejected.Status.Reason);
        Assert.Equal("Pod was rejected: Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate", rejected.Status.Message);

        var tolerating = await CreatePodAsync(Name("tol"), tainted, p => p.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "infra", Effect = "NoExecute" }]);
        await WaitPodAsync(tolerating, p => p.Status?.Phase == "Running");

        // The master's NoSchedule taint is the scheduler's business: a pod bound there directly runs.
        var onMaster = await CreatePodAsync(Name("direct"), master);
        await WaitPodAsync(onMaster, p => p.Status?.Phase == "Running");
    }

    [Fact]
    public async Task GracefulDeletionStopsTheBinaryAndDeletesThePod()
    {
        var stopped = new TaskCompletionSource();
        var server = new FakeBinary("server", async (_, stop) =>
        {
            try { await Task.Delay(System.Threading.Timeout.Infinite, stop); }
            catch (OperationCanceledException) { stopped.TrySetResult(); }
            return 0;
        });
        await using var fleet = NewFleet(server);
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.80"));
        var pod = await CreatePodAsync(Name("srv"), node, p => p.Spec.Containers[0].Command = ["server"]);
        await WaitPodAsync(pod, p => p.Status?.Phase == "Running");

        await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);
        await stopped.Task.WaitAsync(Timeout);
        await WaitGoneAsync(pod);
        await WaitEventsAsync(pod, ("Killing", "Stopping container app"));
    }

    [Fact]
    public async Task AStoppedKubeletStopsRenewingAndItsPodsStayTerminatingUntilItReturns()
    {
        var running = 0;
        var server = new FakeBinary("server", async (_, stop) =>
        {
            Interlocked.Increment(ref running);
            try { await Task.Delay(System.Threading.Timeout.Infinite, stop); }
            catch (OperationCanceledException) { }
            Interlocked.Decrement(ref running);
            return 0;
        });
        await using var fleet = NewFleet(server);
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.90"));
        var pod = await CreatePodAsync(Name("srv"), node, p => p.Spec.Containers[0].Command = ["server"]);
        await WaitPodAsync(pod, p => p.Status?.Phase == "Running");

        await fleet.StopKubeletAsync(node);
        Assert.False(fleet.IsKubeletRunning(node));
        var renewed = (await Client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease")).Spec.RenewTime;
        await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);
        // Three renew intervals and the whole grace period pass without the kubelet.
        await Task.Delay(Fast.Seconds(35));
        Assert.Equal(renewed, (await Client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease")).Spec.RenewTime);
        var terminating = await Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(1, Volatile.Read(ref running)); // the containers outlive their kubelet

        await fleet.StartKubeletAsync(node);
        await WaitGoneAsync(pod);
        Assert.Equal(0, Volatile.Read(ref running));
        await Wait.UntilAsync(async () => (await Client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease")).Spec.RenewTime > renewed, Timeout, "lease renewal");
    }

    [Fact]
    public async Task ANodeCrashKillsItsContainersWhichRestartWhenTheKubeletReturns()
    {
        var stops = 0;
        var server = new FakeBinary("server", async (_, stop) =>
        {
            try { await Task.Delay(System.Threading.Timeout.Infinite, stop); }
            catch (OperationCanceledException) { Interlocked.Increment(ref stops); }
            return 0;
        });
        await using var fleet = NewFleet(server);
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Worker(node, "10.0.0.95"));
        var pod = await CreatePodAsync(Name("srv"), node, p => p.Spec.Containers[0].Command = ["server"]);
        await WaitPodAsync(pod, p => p.Status?.Phase == "Running");

        await fleet.StopKubeletAsync(node, killContainers: true);
        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref stops) == 1), Timeout, "the binary to be cancelled");

        await fleet.StartKubeletAsync(node);
        var restarted = await WaitPodAsync(pod, p => Status(p) is { RestartCount: 1, State.Running: not null });
        Assert.Equal((255, "Unknown"), (Status(restarted)!.LastState.Terminated.ExitCode, Status(restarted)!.LastState.Terminated.Reason));
        Assert.Equal(2, server.Started.Count);
    }

    [Fact]
    public async Task EachBinaryInstanceGetsItsOwnClient()
    {
        var recorder = new FakeBinary("hyperkube", async (context, stop) =>
        {
            using var client = new k8s.Kubernetes(context.Client);
            await client.CoreV1.ReadNamespacedPodAsync(context.PodName, context.PodNamespace, cancellationToken: stop);
            try { await Task.Delay(System.Threading.Timeout.Infinite, stop); } catch (OperationCanceledException) { }
            return 0;
        });
        await using var fleet = NewFleet(recorder);
        var node = Name("node");
        await fleet.AddNodeAsync(NodeSpec.Master(node, "10.0.0.99"));
        var a = await CreatePodAsync(Name("sched-a"), node, p => p.Spec.Containers[0].Command = ["hyperkube", "scheduler", "--leader-elect=true"]);
        var b = await CreatePodAsync(Name("sched-b"), node, p =>
        {
            p.Spec.HostNetwork = true;
            p.Spec.Containers[0].Command = ["hyperkube"];
            p.Spec.Containers[0].Args = ["scheduler"];
        });
        await WaitPodAsync(a, p => p.Status?.Phase == "Running");
        await WaitPodAsync(b, p => p.Status?.Phase == "Running");
        // The phase is written as the container starts; the binary's own start may come a moment after it.
        await Wait.UntilAsync(() => Task.FromResult(recorder.Started.Count >= 2), what: "both binaries started");

        var contexts = recorder.Started.ToList();
        Assert.Equal(2, contexts.Count);
        Assert.NotSame(contexts[0].Client, contexts[1].Client);
        var ctxA = contexts.Single(c => c.PodName == a.Metadata.Name);
        var ctxB = contexts.Single(c => c.PodName == b.Metadata.Name);
        Assert.Equal(["scheduler", "--leader-elect=true"], ctxA.Args);
        Assert.Equal((node, Ns, false, a.Metadata.Name), (ctxA.NodeName, ctxA.PodNamespace, ctxA.HostNetwork, ctxA.Hostname));
        Assert.Equal((true, node), (ctxB.HostNetwork, ctxB.Hostname));
        Assert.Same(Fast, ctxA.Timing);
        Assert.Same(Clock, ctxA.Clock);
    }

    // --- helpers ---

    sealed class FakeBinary(string name, Func<BinaryContext, CancellationToken, Task<int>> run) : IEmulatedBinary
    {
        public ConcurrentQueue<BinaryContext> Started { get; } = new();

        public string Name => name;

        public bool Recognizes(IReadOnlyList<string> command, out IReadOnlyList<string> args)
        {
            args = [.. command.Skip(1)];
            return command.Count > 0 && command[0] == name;
        }

        public Task<int> RunAsync(BinaryContext context, CancellationToken stop)
        {
            Started.Enqueue(context);
            return run(context, stop);
        }
    }

    static V1ContainerStatus? Status(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault();

    static void Requests(V1Pod pod, string cpu) =>
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } };

    async Task<V1Pod> CreatePodAsync(string name, string node, Action<V1Pod>? edit = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "app", Image = "busybox:1.36", Command = ["sleep", "infinity"] }],
            },
        };
        edit?.Invoke(pod);
        return await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);
    }

    async Task<V1Pod> WaitPodAsync(V1Pod pod, Func<V1Pod, bool> condition)
    {
        V1Pod? last = null;
        try
        {
            await Wait.UntilAsync(async () => condition(last = await Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns)), Timeout, $"pod {pod.Metadata.Name}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last status: {KubernetesJson.Serialize(last?.Status)}\n{_log}", e);
        }
        return last!;
    }

    async Task WaitGoneAsync(V1Pod pod) => await Wait.UntilAsync(async () =>
    {
        try
        {
            await Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns);
            return false;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
    }, Timeout, $"pod {pod.Metadata.Name} to be deleted");

    async Task WaitEventsAsync(V1Pod pod, params (string Reason, string Message)[] expected) => await WaitEventsAsync(pod, expected, "Normal");

    async Task WaitEventsAsync(V1Pod pod, (string Reason, string Message) expected, string type) => await WaitEventsAsync(pod, [expected], type);

    async Task WaitEventsAsync(V1Pod pod, (string Reason, string Message)[] expected, string type)
    {
        await Wait.UntilAsync(async () =>
        {
            var events = (await Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: $"involvedObject.name={pod.Metadata.Name}")).Items;
            return expected.All(e => events.Any(ev => ev.Reason == e.Reason && ev.Message == e.Message && ev.Type == type
                && ev.Source.Component == "kubelet" && ev.InvolvedObject.Uid == pod.Metadata.Uid));
        }, Timeout, $"events {string.Join(", ", expected.Select(e => e.Reason))}");
    }
}
