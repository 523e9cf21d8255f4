using System.Text.RegularExpressions;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Components.Scheduler;
using KubeRescue.Lab.Components;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Tests.ControlPlane.Scheduler;

/// <summary>
/// The emulated kube-scheduler against an in-process API server. The scheduler sees every node and pod, so each
/// test starts from an empty cluster: the class shares one server (its shutdown waits for watches the C# client
/// leaves open) and every test removes its nodes, pods, events and the lease. The test plays the kubelets: it
/// registers nodes with their status.
/// </summary>
public sealed class SchedulerTests(LabServerFixture lab) : IClassFixture<LabServerFixture>, IAsyncLifetime
{
    static readonly LabTiming Timing = new(10);
    const string MasterLabel = "node-role.kubernetes.io/master";

    readonly LabApiServer _server = lab.Server;
    readonly k8s.Kubernetes _client = lab.Client;
    readonly List<Instance> _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances) await instance.StopAsync();
        foreach (var node in (await _client.CoreV1.ListNodeAsync()).Items)
            await _client.CoreV1.DeleteNodeAsync(node.Metadata.Name);
        foreach (var pod in (await _client.CoreV1.ListNamespacedPodAsync("default")).Items)
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "default", gracePeriodSeconds: 0);
        foreach (var e in (await _client.CoreV1.ListNamespacedEventAsync("default")).Items)
            await _client.CoreV1.DeleteNamespacedEventAsync(e.Metadata.Name, "default");
        foreach (var lease in (await _client.CoordinationV1.ListNamespacedLeaseAsync("kube-system")).Items)
            await _client.CoordinationV1.DeleteNamespacedLeaseAsync(lease.Metadata.Name, "kube-system");
    }

    sealed record Instance(Task<int> Run, CancellationTokenSource Stop, StringWriter Log)
    {
        public async Task<int> StopAsync()
        {
            Stop.Cancel();
            return await Run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    Instance StartScheduler(string hostname, params string[] command)
    {
        var binary = new SchedulerBinary();
        Assert.True(binary.Recognizes(command.Length > 0 ? command : ["kube-scheduler", "--leader-elect=false"], out var args));
        var log = new StringWriter();
        var stop = new CancellationTokenSource();
        var context = new BinaryContext(args, _server.ClientConfiguration(), "master-1", "kube-system", hostname, false, Timing, TimeProvider.System, log);
        var instance = new Instance(Task.Run(() => binary.RunAsync(context, stop.Token)), stop, log);
        _instances.Add(instance);
        return instance;
    }

    async Task CreateNodeAsync(string name, string cpu = "2", string memory = "4Gi", bool master = false)
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        if (master) labels[MasterLabel] = "";
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110") };
        await _client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1NodeSpec { Taints = master ? [new V1Taint { Key = MasterLabel, Effect = "NoSchedule" }] : null },
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady" }],
            },
        });
    }

    static V1Pod Pod(string name, string? cpu = null, bool onMasters = false, Dictionary<string, string>? labels = null, V1Affinity? affinity = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "main", Image = "quay.io/coreos/hyperkube:v1.8.4_coreos.0",
                Resources = cpu is null ? null : new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
            }],
            NodeSelector = onMasters ? new Dictionary<string, string> { [MasterLabel] = "" } : null,
            Tolerations = onMasters ? [new V1Toleration { Key = MasterLabel, OperatorProperty = "Exists", Effect = "NoSchedule" }] : null,
            Affinity = affinity,
        },
    };

    async Task<string> BoundNodeAsync(string name, string ns = "default")
    {
        string? node = null;
        await Wait.UntilAsync(async () => (node = (await _client.CoreV1.ReadNamespacedPodAsync(name, ns)).Spec.NodeName) is { Length: > 0 },
            TimeSpan.FromSeconds(15), $"{name} bound");
        return node!;
    }

    async Task<V1PodCondition> UnschedulableConditionAsync(string name, string? message = null)
    {
        V1PodCondition? condition = null;
        await Wait.UntilAsync(async () =>
        {
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(name, "default");
            condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            return condition is { Status: "False" } && (message is null || condition.Message == message);
        }, TimeSpan.FromSeconds(15), $"{name} unschedulable");
        return condition!;
    }

    async Task<Corev1Event> EventAsync(string pod, string reason, Func<Corev1Event, bool>? also = null)
    {
        Corev1Event? found = null;
        await Wait.UntilAsync(async () =>
        {
            var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod},reason={reason}");
            found = events.Items.FirstOrDefault(e => also?.Invoke(e) ?? true);
            return found is not null;
        }, TimeSpan.FromSeconds(15), $"{reason} event for {pod}");
        return found!;
    }

    [Theory]
    [InlineData("./hyperkube scheduler --leader-elect=true", "--leader-elect=true")]
    [InlineData("/hyperkube kube-scheduler --v=2", "--v=2")]
    [InlineData("hyperkube scheduler", "")]
    [InlineData("kube-scheduler --kubeconfig=/etc/kubernetes/scheduler.conf", "--kubeconfig=/etc/kubernetes/scheduler.conf")]
    [InlineData("/usr/local/bin/kube-scheduler", "")]
    public void Recognizes_the_commands_a_real_pod_uses(string command, string args)
    {
        Assert.True(new SchedulerBinary().Recognizes(command.Split(' '), out var parsed));
        Assert.Equal(args, string.Join(' ', parsed));
    }

    [Theory]
    [InlineData("./hyperkube controller-manager")]
    [InlineData("kube-controller-manager")]
    [InlineData("/bin/kube-scheduler-wrapper")]
    public void Leaves_other_commands_alone(string command) =>
        Assert.False(new SchedulerBinary().Recognizes(command.Split(' '), out _));

    [Fact]
    public async Task An_unknown_flag_prints_cobras_error_and_exits_1()
    {
        var instance = StartScheduler("kube-scheduler-abc", "./hyperkube", "scheduler", "--leader-elect=true", "--foo=bar");
        Assert.Equal(1, await instance.Run.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("Error: unknown flag: --foo", instance.Log.ToString());
    }

    [Fact]
    public async Task A_pod_is_bound_to_the_node_it_fits_and_the_master_taint_keeps_it_off_the_master()
    {
        await CreateNodeAsync("master-1", master: true);
        await CreateNodeAsync("worker-1");
        StartScheduler("kube-scheduler-abc");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");

        Assert.Equal("worker-1", await BoundNodeAsync("web"));
        var scheduled = await EventAsync("web", "Scheduled");
        Assert.Equal("Successfully assigned default/web to worker-1", scheduled.Message);
        Assert.Equal("default-scheduler", scheduled.Source.Component);
        var pod = await _client.CoreV1.ReadNamespacedPodAsync("web", "default");
        Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");
    }

    [Fact]
    public async Task NodeSelector_and_toleration_put_a_pod_on_the_master_and_without_the_toleration_it_is_unschedulable()
    {
        await CreateNodeAsync("master-1", master: true);
        await CreateNodeAsync("worker-1");
        StartScheduler("kube-scheduler-abc");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("on-master", onMasters: true), "default");
        var untolerated = Pod("no-toleration", onMasters: true);
        untolerated.Spec.Tolerations = null;
        await _client.CoreV1.CreateNamespacedPodAsync(untolerated, "default");

        Assert.Equal("master-1", await BoundNodeAsync("on-master"));
        var message = "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/master: }. "
            + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
        var condition = await UnschedulableConditionAsync("no-toleration", message);
        Assert.Equal("Unschedulable", condition.Reason);
        Assert.Null((await _client.CoreV1.ReadNamespacedPodAsync("no-toleration", "default")).Spec.NodeName);
    }

    [Fact]
    public async Task Resource_exhaustion_is_unschedulable_with_the_real_message_and_event_and_retried_when_room_is_made()
    {
        await CreateNodeAsync("worker-1", cpu: "1");
        StartScheduler("kube-scheduler-abc");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("big", cpu: "800m"), "default");
        Assert.Equal("worker-1", await BoundNodeAsync("big"));
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("second", cpu: "500m"), "default");

        const string message = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
        await UnschedulableConditionAsync("second", message);
        var failed = await EventAsync("second", "FailedScheduling");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal(message, failed.Message);
        Assert.Equal("default-scheduler", failed.Source.Component);
        Assert.Equal("default-scheduler", failed.ReportingComponent);
        Assert.Equal("Pod", failed.InvolvedObject.Kind);

        // A node change that makes no room: the retry fails the same way and the event counts up.
        var node = await _client.CoreV1.ReadNodeAsync("worker-1");
        node.Metadata.Labels["touched"] = "yes";
        await _client.CoreV1.ReplaceNodeAsync(node, "worker-1");
        await EventAsync("second", "FailedScheduling", e => e.Count >= 2);
        var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=second,reason=FailedScheduling");
        Assert.Single(events.Items);

        // The kubelet finishes the big pod (it leaves at once: phase Failed is terminal) and the pending one fits.
        await _client.CoreV1.DeleteNamespacedPodAsync("big", "default", gracePeriodSeconds: 0);
        Assert.Equal("worker-1", await BoundNodeAsync("second"));
    }

    [Fact]
    public async Task Two_replicas_with_preferred_anti_affinity_land_on_different_masters()
    {
        await CreateNodeAsync("master-1", master: true);
        await CreateNodeAsync("master-2", master: true);
        await CreateNodeAsync("worker-1");
        var labels = new Dictionary<string, string> { ["k8s-app"] = "kube-scheduler", ["tier"] = "control-plane" };
        var affinity = new V1Affinity
        {
            PodAntiAffinity = new V1PodAntiAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1WeightedPodAffinityTerm
                    {
                        Weight = 100,
                        PodAffinityTerm = new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector
                            {
                                MatchExpressions = [new V1LabelSelectorRequirement { Key = "k8s-app", OperatorProperty = "In", Values = ["kube-scheduler"] }],
                            },
                        },
                    },
                ],
            },
        };
        // Both pending before the scheduler starts, so the second decision must count the first, assumed binding.
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("kube-scheduler-a", onMasters: true, labels: labels, affinity: affinity), "default");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("kube-scheduler-b", onMasters: true, labels: labels, affinity: affinity), "default");
        StartScheduler("kube-scheduler-abc");

        var a = await BoundNodeAsync("kube-scheduler-a");
        var b = await BoundNodeAsync("kube-scheduler-b");
        Assert.NotEqual(a, b);
        Assert.All(new[] { a, b }, n => Assert.StartsWith("master-", n));
    }

    [Fact]
    public async Task With_leader_election_only_the_leader_binds_and_releases_the_lease_on_stop_so_the_other_takes_over_quickly()
    {
        await CreateNodeAsync("worker-1");
        var one = StartScheduler("kube-scheduler-one", "./hyperkube", "scheduler", "--leader-elect=true");
        var two = StartScheduler("kube-scheduler-two", "kube-scheduler", "--leader-elect", "--leader-elect-lease-duration=30s");

        V1Lease? lease = null;
        await Wait.UntilAsync(async () =>
        {
            try { lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system"); }
            catch (k8s.Autorest.HttpOperationException) { return false; }
            return !string.IsNullOrEmpty(lease.Spec.HolderIdentity);
        }, TimeSpan.FromSeconds(10), "a lease holder");
        var holder = lease!.Spec.HolderIdentity;
        Assert.Matches(new Regex("^kube-scheduler-(one|two)_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"), holder);
        var (leader, standby) = holder.StartsWith("kube-scheduler-one_", StringComparison.Ordinal) ? (one, two) : (two, one);

        await _client.CoreV1.CreateNamespacedPodAsync(Pod("first"), "default");
        await BoundNodeAsync("first");
        // The binder logs once the server has answered, just after the test can see the binding.
        await Wait.UntilAsync(() => Task.FromResult(leader.Log.ToString().Contains("Successfully bound pod to node\" pod=\"default/first\"")),
            TimeSpan.FromSeconds(5), "the leader's log of the binding");
        Assert.DoesNotContain("Successfully bound", standby.Log.ToString());

        var stopped = DateTime.UtcNow;
        Assert.Equal(0, await leader.StopAsync());
        Assert.Contains("released lease kube-system/kube-scheduler", leader.Log.ToString());
        string next = "";
        await Wait.UntilAsync(async () =>
        {
            next = (await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system")).Spec.HolderIdentity ?? "";
            return next.Length > 0 && next != holder;
        }, TimeSpan.FromSeconds(10), "takeover");
        // Released, the lease is free at the standby's next retry (0.2s here), well before it would have expired
        // (15s, 1.5s at this speed, judged from the standby's last observation).
        Assert.True(DateTime.UtcNow - stopped < Timing.Of(TimeSpan.FromSeconds(15)), $"takeover took {DateTime.UtcNow - stopped}");

        await _client.CoreV1.CreateNamespacedPodAsync(Pod("second"), "default");
        await BoundNodeAsync("second");
        await Wait.UntilAsync(() => Task.FromResult(standby.Log.ToString().Contains("Successfully bound pod to node\" pod=\"default/second\"")),
            TimeSpan.FromSeconds(5), "the new leader's log of the binding");
    }

    [Fact]
    public async Task A_leader_whose_lease_is_taken_away_exits_1()
    {
        await CreateNodeAsync("worker-1");
        var instance = StartScheduler("kube-scheduler-one", "kube-scheduler", "--leader-elect=true");
        await Wait.UntilAsync(async () =>
        {
            try { return (await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system")).Spec.HolderIdentity?.StartsWith("kube-scheduler-one_", StringComparison.Ordinal) == true; }
            catch (k8s.Autorest.HttpOperationException) { return false; }
        }, TimeSpan.FromSeconds(10), "the instance leads");

        // Someone else writes the lease (a conflict with a renewal is retried with a fresh read).
        await Wait.UntilAsync(async () =>
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system");
            lease.Spec.HolderIdentity = "intruder";
            lease.Spec.RenewTime = DateTime.UtcNow;
            lease.Spec.LeaseDurationSeconds = 3600;
            try { await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "kube-scheduler", "kube-system"); return true; }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict) { return false; }
        }, TimeSpan.FromSeconds(10), "the lease taken");

        Assert.Equal(1, await instance.Run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("\"Leaderelection lost\"", instance.Log.ToString());
        Assert.Equal("intruder", (await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system")).Spec.HolderIdentity);
    }
}
