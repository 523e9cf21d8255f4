using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static KubeRescue.Lab.Tests.ApiServer.ApiTestObjects;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>Object lifecycle semantics through the official client, as a real API server has them.</summary>
public class ObjectSemanticsTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    static async Task<HttpStatusCode> StatusOf(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        return e.Response.StatusCode;
    }

    [Fact]
    public async Task System_namespaces_exist_from_the_start()
    {
        var names = (await _client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name).ToList();
        Assert.Superset(new HashSet<string> { "default", "kube-system", "kube-public", "kube-node-lease" }, names.ToHashSet());
        var ns = await _client.CoreV1.ReadNamespaceAsync("kube-system");
        Assert.Equal("Active", ns.Status.Phase);
    }

    [Fact]
    public async Task Create_sets_uid_timestamp_and_a_global_monotonic_resource_version()
    {
        var a = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = Unique("cm") } }, "default");
        var b = await _client.CoreV1.CreateNamespacedPodAsync(Pod(Unique("pod")), "default");
        Assert.True(Guid.TryParse(a.Metadata.Uid, out _));
        Assert.NotEqual(a.Metadata.Uid, b.Metadata.Uid);
        Assert.NotNull(a.Metadata.CreationTimestamp);
        Assert.True(long.Parse(b.Metadata.ResourceVersion) > long.Parse(a.Metadata.ResourceVersion));
        var read = await _client.CoreV1.ReadNamespacedPodAsync(b.Metadata.Name, "default");
        Assert.Equal(b.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("Pending", read.Status.Phase);
        Assert.Equal("default-scheduler", read.Spec.SchedulerName);
    }

    [Fact]
    public async Task GenerateName_gets_a_random_suffix()
    {
        var cm = new V1ConfigMap { Metadata = new() { GenerateName = "gen-" } };
        var a = await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        var b = await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        Assert.Matches("^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$", a.Metadata.Name);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task Create_twice_is_AlreadyExists_and_missing_is_NotFound()
    {
        var name = Unique("cm");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = name } }, "default");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = name } }, "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains($"configmaps \\\"{name}\\\" already exists", e.Response.Content);
        Assert.Contains("\"reason\":\"AlreadyExists\"", e.Response.Content);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.ReadNamespacedDeploymentAsync("nope", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("deployments.apps \\\"nope\\\" not found", missing.Response.Content);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_NotFound()
    {
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(() => _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = "x" } }, "no-such-ns")));
    }

    [Fact]
    public async Task Generation_moves_on_spec_changes_only_and_status_is_its_own_subresource()
    {
        var d = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(Unique("web")), "default");
        Assert.Equal(1, d.Metadata.Generation);
        Assert.Null(d.Status?.Replicas);

        // A label is metadata: no new generation.
        d.Metadata.Labels = new Dictionary<string, string> { ["tier"] = "front" };
        d = await _client.AppsV1.ReplaceNamespacedDeploymentAsync(d, d.Metadata.Name, "default");
        Assert.Equal(1, d.Metadata.Generation);

        // Status through the main resource is ignored.
        d.Status = new V1DeploymentStatus { Replicas = 5 };
        d = await _client.AppsV1.ReplaceNamespacedDeploymentAsync(d, d.Metadata.Name, "default");
        Assert.Null(d.Status?.Replicas);

        // Status through its subresource changes only status.
        d.Status = new V1DeploymentStatus { Replicas = 2, ObservedGeneration = 1 };
        d.Spec.Replicas = 7;
        d = await _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, d.Metadata.Name, "default");
        Assert.Equal(2, d.Status.Replicas);
        Assert.Equal(2, d.Spec.Replicas);
        Assert.Equal(1, d.Metadata.Generation);

        d.Spec.Replicas = 3;
        d = await _client.AppsV1.ReplaceNamespacedDeploymentAsync(d, d.Metadata.Name, "default");
        Assert.Equal(2, d.Metadata.Generation);
        Assert.Equal(2, d.Status.Replicas);
    }

    [Fact]
    public async Task An_update_that_changes_nothing_writes_nothing()
    {
        var cm = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = Unique("cm") }, Data = new Dictionary<string, string> { ["a"] = "1" } }, "default");
        var again = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, cm.Metadata.Name, "default");
        Assert.Equal(cm.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Two_writers_with_the_same_resource_version_one_wins_one_gets_Conflict()
    {
        var cm = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = Unique("cm") }, Data = new Dictionary<string, string> { ["v"] = "0" } }, "default");
        var other = lab.NewClient();
        var first = await _client.CoreV1.ReadNamespacedConfigMapAsync(cm.Metadata.Name, "default");
        var second = await other.CoreV1.ReadNamespacedConfigMapAsync(cm.Metadata.Name, "default");
        first.Data["v"] = "1";
        second.Data["v"] = "2";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(first, cm.Metadata.Name, "default");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => other.CoreV1.ReplaceNamespacedConfigMapAsync(second, cm.Metadata.Name, "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", e.Response.Content);
        Assert.Equal("1", (await _client.CoreV1.ReadNamespacedConfigMapAsync(cm.Metadata.Name, "default")).Data["v"]);
    }

    [Fact]
    public async Task Concurrent_writers_never_lose_an_update()
    {
        var name = Unique("counter");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = name }, Data = new Dictionary<string, string> { ["n"] = "0" } }, "default");
        async Task Increment(k8s.Kubernetes c)
        {
            for (var i = 0; i < 10; i++)
            {
                while (true)
                {
                    var cm = await c.CoreV1.ReadNamespacedConfigMapAsync(name, "default");
                    cm.Data["n"] = (int.Parse(cm.Data["n"]) + 1).ToString();
                    try { await c.CoreV1.ReplaceNamespacedConfigMapAsync(cm, name, "default"); break; }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict) { }
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Increment(lab.NewClient())));
        Assert.Equal("40", (await _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default")).Data["n"]);
    }

    [Fact]
    public async Task Label_selectors_equality_and_set_based()
    {
        var ns = await NewNamespace();
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("a", labels: new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("b", labels: new Dictionary<string, string> { ["app"] = "web", ["tier"] = "back" }), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("c", labels: new Dictionary<string, string> { ["app"] = "db" }), ns);
        async Task<string[]> Names(string selector) =>
            (await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector)).Items.Select(p => p.Metadata.Name).Order().ToArray();
        Assert.Equal(["a", "b"], await Names("app=web"));
        Assert.Equal(["b", "c"], await Names("tier!=front"));
        Assert.Equal(["a", "c"], await Names("tier notin (back)"));
        Assert.Equal(["a"], await Names("tier in (front,side),app=web"));
        Assert.Equal(["c"], await Names("!tier"));
        Assert.Equal(["a", "b"], await Names("tier"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(() => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app in (web")));
    }

    [Fact]
    public async Task Field_selectors_are_the_real_per_resource_ones()
    {
        var ns = await NewNamespace();
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("on-node", node: "node-1"), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("pending"), ns);
        var onNode = await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=node-1");
        Assert.Equal(["on-node"], onNode.Items.Select(p => p.Metadata.Name));
        var unscheduled = await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.nodeName=,status.phase!=Succeeded");
        Assert.Equal(["pending"], unscheduled.Items.Select(p => p.Metadata.Name));
        var byName = await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=pending");
        Assert.Single(byName.Items);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.hostname=x"));
        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Contains("field label not supported: spec.hostname", e.Response.Content);
        // Deployments support only metadata fields.
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(() => _client.AppsV1.ListNamespacedDeploymentAsync(ns, fieldSelector: "spec.replicas=1")));
    }

    [Fact]
    public async Task Lists_page_with_limit_and_continue()
    {
        var ns = await NewNamespace();
        for (var i = 0; i < 7; i++)
            await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = $"cm-{i}" } }, ns);
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        string? firstRv = null;
        do
        {
            var page = await _client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 3, continueParameter: token);
            firstRv ??= page.Metadata.ResourceVersion;
            Assert.Equal(firstRv, page.Metadata.ResourceVersion);
            seen.AddRange(page.Items.Select(c => c.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        } while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), seen);
        Assert.Equal(HttpStatusCode.BadRequest, await StatusOf(() => _client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 3, continueParameter: "garbage!")));
    }

    [Fact]
    public async Task Dry_run_validates_and_answers_but_stores_nothing()
    {
        var name = Unique("dry");
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = name } }, "default", dryRun: "All");
        Assert.Equal(name, created.Metadata.Name);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(() => _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default")));
        var real = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = name } }, "default");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync(name, "default", dryRun: "All");
        var still = await _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default");
        Assert.Equal(real.Metadata.ResourceVersion, still.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_scheduled_pod_stays_terminating_until_its_kubelet_confirms()
    {
        var ns = await NewNamespace();
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("scheduled", node: "node-1"), ns);
        await _client.CoreV1.DeleteNamespacedPodAsync("scheduled", ns);
        var terminating = await _client.CoreV1.ReadNamespacedPodAsync("scheduled", ns);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(30, terminating.Metadata.DeletionGracePeriodSeconds);
        // The kubelet's confirmation: a delete with grace 0 and the pod's uid as precondition.
        await _client.CoreV1.DeleteNamespacedPodAsync("scheduled", ns, new V1DeleteOptions
        {
            GracePeriodSeconds = 0,
            Preconditions = new V1Preconditions { Uid = terminating.Metadata.Uid },
        });
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(() => _client.CoreV1.ReadNamespacedPodAsync("scheduled", ns)));

        await _client.CoreV1.CreateNamespacedPodAsync(Pod("unscheduled"), ns);
        await _client.CoreV1.DeleteNamespacedPodAsync("unscheduled", ns);
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(() => _client.CoreV1.ReadNamespacedPodAsync("unscheduled", ns)));
    }

    [Fact]
    public async Task Finalizers_hold_an_object_until_they_are_removed()
    {
        var name = Unique("held");
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = name, Finalizers = ["example.com/hold"] } }, "default");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync(name, "default");
        var held = await _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default");
        Assert.NotNull(held.Metadata.DeletionTimestamp);
        held.Metadata.Finalizers = [];
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(held, name, "default");
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(() => _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default")));
    }

    [Fact]
    public async Task Invalid_objects_are_422_with_causes()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new() { Name = "Bad_Name" }, Spec = new V1PodSpec { Containers = [] } }, "default"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        Assert.Contains("\"reason\":\"Invalid\"", e.Response.Content);
        Assert.Contains("\"field\":\"metadata.name\"", e.Response.Content);
        Assert.Contains("\"field\":\"spec.containers\"", e.Response.Content);
        Assert.Contains("Pod \\\"Bad_Name\\\" is invalid", e.Response.Content);
    }

    [Fact]
    public async Task Scale_subresource_changes_replicas_and_generation()
    {
        var d = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(Unique("scaled")), "default");
        var scale = await _client.AppsV1.ReadNamespacedDeploymentScaleAsync(d.Metadata.Name, "default");
        Assert.Equal(2, scale.Spec.Replicas);
        Assert.Equal($"app={d.Metadata.Name}", scale.Status.Selector);
        scale.Spec.Replicas = 5;
        await _client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, d.Metadata.Name, "default");
        var after = await _client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, "default");
        Assert.Equal(5, after.Spec.Replicas);
        Assert.Equal(2, after.Metadata.Generation);
    }

    [Fact]
    public async Task Binding_assigns_a_node_once()
    {
        var ns = await NewNamespace();
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns);
        var binding = new V1Binding { Metadata = new() { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } };
        await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p", ns);
        var pod = await _client.CoreV1.ReadNamespacedPodAsync("p", ns);
        Assert.Equal("node-1", pod.Spec.NodeName);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p", ns));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("is already assigned to node", e.Response.Content);
    }

    [Fact]
    public async Task Eviction_honours_the_disruption_budget()
    {
        var ns = await NewNamespace();
        var labels = new Dictionary<string, string> { ["app"] = "guarded" };
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("guarded", node: "node-1", labels: labels), ns);
        var pod = await _client.CoreV1.ReadNamespacedPodAsync("guarded", ns);
        pod.Status.Phase = "Running";
        await _client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "guarded", ns);
        var pdb = await _client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new() { Name = "guard" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = labels } },
        }, ns);
        pdb.Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 0, CurrentHealthy = 1, DesiredHealthy = 1, ExpectedPods = 1 };
        await _client.PolicyV1.ReplaceNamespacedPodDisruptionBudgetStatusAsync(pdb, "guard", ns);
        var eviction = new V1Eviction { Metadata = new() { Name = "guarded", NamespaceProperty = ns } };
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, "guarded", ns));
        Assert.Equal((HttpStatusCode)429, e.Response.StatusCode);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", e.Response.Content);
        Assert.Null((await _client.CoreV1.ReadNamespacedPodAsync("guarded", ns)).Metadata.DeletionTimestamp);
    }

    async Task<string> NewNamespace()
    {
        var ns = Unique("t");
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new() { Name = ns } });
        return ns;
    }
}
