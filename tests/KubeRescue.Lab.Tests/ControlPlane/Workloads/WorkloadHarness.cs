using k8s;
using k8s.Models;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Components.ControllerManager;

namespace KubeRescue.Lab.Tests.ControlPlane.Workloads;

/// <summary>Controllers running against the lab API server with their own client and informers, as one controller-manager process.</summary>
sealed class RunningControllers : IAsyncDisposable
{
    public static readonly LabTiming Timing = new(Speed: 10);

    readonly k8s.Kubernetes _client;
    readonly CancellationTokenSource _stop = new();
    readonly SharedInformers _informers;
    readonly List<Task> _running;
    readonly EventBroadcaster _events;

    public RunningControllers(LabServerFixture lab, params IController[] controllers)
    {
        _client = lab.NewClient();
        _informers = new SharedInformers(_client, TimeProvider.System, _stop.Token);
        _events = new EventBroadcaster(_client, Timing, TimeProvider.System, _ => { });
        var context = new ControllerContext(_client, _informers, Timing, TimeProvider.System, "test-controller-manager", TextWriter.Null, _events);
        _running = controllers.Select(c => Task.Run(() => c.RunAsync(context, _stop.Token))).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_running);
        await _informers.Completion;
        await _events.StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }
}

/// <summary>What the tests do in place of the scheduler and kubelets, and the reads they assert on.</summary>
static class Workload
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static V1PodTemplateSpec Template(IDictionary<string, string> labels, string image = "example/app:1") => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = image }] },
    };

    public static V1ReplicaSet ReplicaSet(string name, int replicas, int minReadySeconds = 0)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                MinReadySeconds = minReadySeconds,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = Template(labels),
            },
        };
    }

    public static V1Deployment Deployment(string name, int replicas, string image = "example/app:1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = Template(new Dictionary<string, string> { ["app"] = name }, image),
        },
    };

    public static async Task<List<V1Pod>> PodsAsync(IKubernetes client, string app, bool activeOnly = true)
    {
        var pods = (await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={app}")).Items;
        return pods.Where(p => !activeOnly || p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
    }

    public static async Task<List<V1ReplicaSet>> ReplicaSetsAsync(IKubernetes client, string app) =>
        (await client.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: $"app={app}")).Items
            .OrderBy(rs => rs.Metadata.CreationTimestamp).ThenBy(rs => rs.Metadata.Name).ToList();

    /// <summary>The kubelet's part: a pod scheduled to a node, Running and Ready.</summary>
    public static Task MakeReadyAsync(IKubernetes client, V1Pod pod, string node = "node-1")
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var status = $$$"""
            {"status":{"phase":"Running","conditions":[
              {"type":"PodScheduled","status":"True","lastTransitionTime":"{{{now}}}"},
              {"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"}]}}
            """;
        return client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), pod.Metadata.Name, "default");
    }

    /// <summary>Marks every active pod of the app that is not yet ready, as kubelets would once they started them.</summary>
    public static async Task<int> ReadyAllAsync(IKubernetes client, string app)
    {
        var made = 0;
        foreach (var pod in await PodsAsync(client, app))
            if (pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true)
            {
                await MakeReadyAsync(client, pod);
                made++;
            }
        return made;
    }

    public static async Task<List<Corev1Event>> EventsAsync(IKubernetes client, string name) =>
        (await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={name}")).Items.ToList();
}
