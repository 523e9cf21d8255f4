using k8s;
using k8s.Models;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;

namespace KubeRescue.Lab.Tests.Cluster;

/// <summary>One self-hosted lab cluster for the scenario tests of a class, at five times real speed.</summary>
public sealed class LabClusterFixture : IAsyncLifetime
{
    public LabCluster Cluster { get; private set; } = null!;
    public k8s.Kubernetes Client { get; private set; } = null!;
    public List<string> Progress { get; } = [];
    public TimeProvider Clock { get; } = new SystemTime();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 2, Timing = new LabTiming(5), Clock = Clock }, Progress.Add, cts.Token);
        Client = new k8s.Kubernetes(Cluster.Api.ClientConfiguration());
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }
}

public class LabClusterTests(LabClusterFixture lab) : IClassFixture<LabClusterFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    async Task<IList<V1Pod>> Pods(string app) =>
        (await _client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={app}")).Items;

    [Fact]
    public void The_labs_clock_is_the_API_servers_and_the_kubelets()
    {
        Assert.Same(lab.Clock, lab.Cluster.Api.Storage.Clock);
        Assert.Same(lab.Clock, lab.Cluster.Kubelets.Clock);
    }

    [Fact]
    public async Task The_lab_boots_self_hosted_the_way_bootkube_does()
    {
        Assert.Contains("starting the temporary bootstrap control plane", lab.Progress);
        Assert.Contains("tearing down the temporary bootstrap control plane", lab.Progress);
        var nodes = (await _client.CoreV1.ListNodeAsync()).Items;
        Assert.Equal(["master-1", "master-2", "master-3", "worker-1", "worker-2"], nodes.Select(n => n.Metadata.Name).Order());
        Assert.All(nodes, n => Assert.Contains(n.Status.Conditions, c => c.Type == "Ready" && c.Status == "True"));

        foreach (var component in new[] { "kube-scheduler", "kube-controller-manager" })
        {
            var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync(component, "kube-system");
            Assert.Equal(2, deployment.Status.AvailableReplicas);
            var pods = await Pods(component);
            Assert.Equal(2, pods.Count(p => p.Status.Phase == "Running"));
            // Preferred anti-affinity spreads the two replicas over two masters.
            Assert.Equal(2, pods.Select(p => p.Spec.NodeName).Distinct().Count());
            Assert.All(pods, p => Assert.StartsWith("master-", p.Spec.NodeName));
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(component, "kube-system");
            Assert.Contains(pods, p => lease.Spec.HolderIdentity.StartsWith(p.Metadata.Name + "_", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Daemon_sets_run_where_the_real_ones_do()
    {
        await Wait.UntilAsync(async () => (await Pods("kube-proxy")).Count(p => p.Status.Phase == "Running") == 5, TimeSpan.FromSeconds(30), "kube-proxy on every node");
        await Wait.UntilAsync(async () => (await Pods("kube-apiserver")).Count(p => p.Status.Phase == "Running") == 3, TimeSpan.FromSeconds(30), "kube-apiserver on every master");
        Assert.All(await Pods("kube-apiserver"), p => Assert.StartsWith("master-", p.Spec.NodeName));
    }

    [Fact]
    public async Task A_deployment_rolls_out_and_scales()
    {
        var ns = "rollout";
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new() { Name = ns } });
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await _client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new() { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new() { Labels = labels }, Spec = new V1PodSpec { Containers = [new() { Name = "web", Image = "nginx:1" }] } },
            },
        }, ns);
        async Task<bool> RolledOut(int replicas)
        {
            var d = await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
            return d.Status?.ObservedGeneration >= d.Metadata.Generation && d.Status.UpdatedReplicas == replicas && d.Status.AvailableReplicas == replicas && d.Status.Replicas == replicas;
        }
        await Wait.UntilAsync(() => RolledOut(3), TimeSpan.FromSeconds(30), "first rollout");
        var pods = (await _client.CoreV1.ListNamespacedPodAsync(ns)).Items;
        Assert.All(pods, p => Assert.StartsWith("worker-", p.Spec.NodeName));

        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", ns);
        await Wait.UntilAsync(() => RolledOut(3), TimeSpan.FromSeconds(30), "second rollout");
        var sets = (await _client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items;
        Assert.Equal(2, sets.Count);
        Assert.Equal(3, sets.Single(s => s.Spec.Template.Spec.Containers[0].Image == "nginx:2").Status.ReadyReplicas);

        await _client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", ns);
        await Wait.UntilAsync(() => RolledOut(5), TimeSpan.FromSeconds(30), "scale to 5");
    }

    [Fact]
    public async Task Without_a_scheduler_its_replacement_pods_stay_pending_forever()
    {
        // Run on its own copy of the cluster state: it breaks the scheduler for good.
        await using var broken = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) });
        using var client = new k8s.Kubernetes(broken.Api.ClientConfiguration());
        await DeletePodsFault.RunAsync(client, ["kube-scheduler"], TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), _ => { }, CancellationToken.None, clock: broken.Options.Clock);
        // The controller-manager has recreated them; nothing schedules them.
        var replacements = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-scheduler")).Items;
        Assert.Equal(2, replacements.Count);
        Assert.All(replacements, p => Assert.Equal("Pending", p.Status.Phase));
        // Three lease durations (at this speed) later, nothing has scheduled them and no scheduler leads.
        await Wait.UntilAsync(async () =>
        {
            var pods = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-scheduler")).Items;
            return pods.All(p => p.Metadata.CreationTimestamp < DateTime.UtcNow.AddSeconds(-10));
        }, TimeSpan.FromSeconds(30), "the replacements to have waited three lease durations");
        var pending = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-scheduler")).Items;
        Assert.All(pending, p => Assert.True(string.IsNullOrEmpty(p.Spec.NodeName)));
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system");
        Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity) || lease.Spec.RenewTime < DateTime.UtcNow.AddSeconds(-3));
    }

    [Fact]
    public async Task Without_a_controller_manager_nothing_recreates_its_pods()
    {
        await using var broken = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) });
        using var client = new k8s.Kubernetes(broken.Api.ClientConfiguration());
        var deleted = await DeletePodsFault.RunAsync(client, ["kube-controller-manager"], TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), _ => { }, CancellationToken.None, clock: broken.Options.Clock);
        Assert.True(deleted >= 2);
        var brokenAt = DateTime.UtcNow;
        // Three lease durations (at this speed) later there is still no pod, though the ReplicaSet wants two.
        await Wait.UntilAsync(() => Task.FromResult(DateTime.UtcNow - brokenAt > TimeSpan.FromSeconds(9)), TimeSpan.FromSeconds(20), "three lease durations");
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-controller-manager")).Items);
        var rs = (await client.AppsV1.ListNamespacedReplicaSetAsync("kube-system", labelSelector: "k8s-app=kube-controller-manager")).Items.Single();
        Assert.Equal(2, rs.Spec.Replicas);
    }

    static V1Patch FaultPatch(string? value) => new(new System.Text.Json.Nodes.JsonObject
    {
        ["metadata"] = new System.Text.Json.Nodes.JsonObject
        {
            ["annotations"] = new System.Text.Json.Nodes.JsonObject { [KubeRescue.Lab.Components.Nodes.KubeletFleet.FaultAnnotation] = value },
        },
    }.ToJsonString(), V1Patch.PatchType.MergePatch);

    [Fact]
    public async Task A_stopped_kubelet_turns_its_node_unknown_and_its_pods_are_evicted_on_schedule()
    {
        await using var cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 1, Workers = 2, Timing = new LabTiming(5) });
        using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
        // Tolerates the unreachable taint for 10 s (2 s at this speed) instead of the default 300 s.
        V1Toleration Tolerate(string key) => new() { Key = key, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 10 };
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new() { Name = "on-worker-2" },
            Spec = new V1PodSpec
            {
                NodeName = "worker-2",
                Tolerations = [Tolerate("node.kubernetes.io/unreachable"), Tolerate("node.kubernetes.io/not-ready")],
                Containers = [new() { Name = "app", Image = "nginx:1" }],
            },
        }, "default");
        await Wait.UntilAsync(async () => (await client.CoreV1.ReadNamespacedPodAsync("on-worker-2", "default")).Status.Phase == "Running", TimeSpan.FromSeconds(30), "the pod to run");

        // The switch kubectl can flip too: kubectl annotate node worker-2 kube-rescue.io/kubelet=stopped
        await client.CoreV1.PatchNodeAsync(FaultPatch("stopped"), "worker-2");
        await Wait.UntilAsync(async () =>
        {
            var node = await client.CoreV1.ReadNodeAsync("worker-2");
            return node.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "Unknown")
                && node.Spec.Taints?.Any(t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute") == true;
        }, TimeSpan.FromSeconds(60), "worker-2 to go Unknown and get the unreachable taint");
        Assert.True(cluster.Kubelets.IsKubeletRunning("worker-1"));
        // Evicted after its toleration; with no kubelet to confirm, it stays Terminating, as on a real cluster.
        await Wait.UntilAsync(async () => (await client.CoreV1.ReadNamespacedPodAsync("on-worker-2", "default")).Metadata.DeletionTimestamp is not null,
            TimeSpan.FromSeconds(30), "the eviction");

        await client.CoreV1.PatchNodeAsync(FaultPatch(null), "worker-2");
        await Wait.UntilAsync(async () =>
        {
            var node = await client.CoreV1.ReadNodeAsync("worker-2");
            var pods = await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=on-worker-2");
            return node.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") && node.Spec.Taints is null or { Count: 0 } && pods.Items.Count == 0;
        }, TimeSpan.FromSeconds(60), "worker-2 back, untainted, and the evicted pod gone");
    }

    [Fact]
    public async Task Boots_from_a_user_s_own_manifests_and_refuses_a_bad_directory_before_starting_anything()
    {
        var dir = Directory.CreateTempSubdirectory("manifests-").FullName;
        try
        {
            // The built-in set, with a single scheduler replica: the user's own choice must be what boots.
            var assembly = typeof(LabCluster).Assembly;
            foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("manifests/", StringComparison.Ordinal)))
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                var yaml = reader.ReadToEnd();
                if (name.EndsWith("kube-scheduler.yaml", StringComparison.Ordinal)) yaml = yaml.Replace("replicas: 2", "replicas: 1");
                File.WriteAllText(Path.Combine(dir, name["manifests/".Length..]), yaml);
            }
            await using (var cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 1, Workers = 1, ManifestsDirectory = dir, Timing = new LabTiming(5) }))
            {
                using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
                var scheduler = await client.AppsV1.ReadNamespacedDeploymentAsync("kube-scheduler", "kube-system");
                Assert.Equal(1, scheduler.Spec.Replicas);
                Assert.Equal(1, scheduler.Status.AvailableReplicas);
            }
            File.WriteAllText(Path.Combine(dir, "broken.yaml"), "apiVersion: v1\nkind: [not, a, kind]\n");
            await Assert.ThrowsAsync<InvalidDataException>(() => LabCluster.StartAsync(new LabClusterOptions { ManifestsDirectory = dir }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
