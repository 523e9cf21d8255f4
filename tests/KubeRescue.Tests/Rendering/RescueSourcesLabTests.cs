using k8s;
using k8s.Models;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Rendering;

/// <summary>Sources resolved against a healthy lab cluster, and against workloads of other shapes created in it.</summary>
[Collection(HealthyLab.Collection)]
public class RescueSourcesLabTests(HealthyLab lab)
{
    readonly k8s.Kubernetes _client = lab.Client;

    Task<RescueSource> ResolveAsync(RescueSourceSpec spec, ControlPlaneComponent? component = null) =>
        RescueSources.ResolveAsync(_client, component ?? ControlPlaneComponent.Scheduler, spec, CancellationToken.None);

    static string Json(object? value) => KubernetesJson.Serialize(value);

    async Task<V1ReplicaSet> OnlyReplicaSetAsync(string app) =>
        Assert.Single((await _client.AppsV1.ListNamespacedReplicaSetAsync("kube-system", labelSelector: $"k8s-app={app}")).Items);

    [Fact]
    public async Task The_deployment_gives_its_template_and_the_revision_of_the_ReplicaSet_that_runs_it()
    {
        foreach (var component in ControlPlaneComponent.All)
        {
            var source = await ResolveAsync(RescueSourceSpec.Default, component);
            var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync(component.Name, "kube-system");
            var rs = await OnlyReplicaSetAsync(component.Name);
            Assert.Equal($"Deployment/kube-system/{component.Name}", source.Description);
            Assert.Equal(rs.Metadata.Annotations["deployment.kubernetes.io/revision"], source.Revision);
            Assert.Equal(Json(deployment.Spec.Template), Json(source.Template));
        }
    }

    [Fact]
    public async Task A_revision_gives_its_ReplicaSet_s_template_and_an_unknown_one_names_those_there_are()
    {
        var rs = await OnlyReplicaSetAsync("kube-scheduler");
        var source = await ResolveAsync(RescueSourceSpec.Parse("revision=1"));
        Assert.Equal(($"ReplicaSet/kube-system/{rs.Metadata.Name}", "1"), (source.Description, source.Revision));
        Assert.Equal(Json(rs.Spec.Template), Json(source.Template));

        var e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(RescueSourceSpec.Parse("revision=99")));
        Assert.Equal("deployment kube-system/kube-scheduler has no revision 99: its revisions are 1", e.Message);
    }

    [Fact]
    public async Task The_last_good_revision_of_a_healthy_deployment_is_the_running_one_on_the_evidence_of_its_ready_pods()
    {
        var source = await ResolveAsync(new RescueSourceSpec.LastGood(), ControlPlaneComponent.ControllerManager);
        Assert.Equal("1", source.Revision);
        Assert.StartsWith("revision 1 is the newest known to have worked: ReplicaSet kube-controller-manager-", source.Detail);
        Assert.Matches(@"pod kube-controller-manager-\S+ is Ready", source.Detail);
    }

    [Fact]
    public async Task Sources_that_do_not_exist_say_which_do()
    {
        var e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(new RescueSourceSpec.FromDaemonSet()));
        Assert.Equal("daemonset kube-system/kube-scheduler does not exist; kube-scheduler is there to render from with --source deployment", e.Message);
        e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(new RescueSourceSpec.FromMirrorPod()));
        Assert.StartsWith("no mirror pod of kube-scheduler in kube-system", e.Message);
        Assert.EndsWith("with --source deployment", e.Message);
        e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(RescueSourceSpec.Default, new ControlPlaneComponent("scheduler", "kube-scheduler", "nowhere")));
        Assert.Equal("deployment nowhere/kube-scheduler does not exist; nothing of kube-scheduler is left in nowhere to render from: use --source file=PATH with a saved manifest", e.Message);
    }

    async Task<ControlPlaneComponent> NamespaceAsync(string name)
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        // Pods need the namespace's default service account, which the controller-manager makes.
        await Wait.UntilAsync(async () => (await _client.CoreV1.ListNamespacedServiceAccountAsync(name)).Items.Any(sa => sa.Metadata.Name == "default"),
            what: $"the default service account in {name}");
        return new ControlPlaneComponent("scheduler", "kube-scheduler", name);
    }

    [Fact]
    public async Task A_DaemonSet_gives_its_template_and_a_revision_that_follows_template_changes()
    {
        var component = await NamespaceAsync("rescue-daemonset");
        try
        {
            var labels = new Dictionary<string, string> { ["k8s-app"] = "kube-scheduler", ["tier"] = "control-plane" };
            var daemonSet = await _client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
            {
                Metadata = new V1ObjectMeta { Name = "kube-scheduler", Labels = labels },
                Spec = new V1DaemonSetSpec
                {
                    Selector = new V1LabelSelector { MatchLabels = labels },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = labels },
                        Spec = new V1PodSpec
                        {
                            // On no node: the source only reads the template.
                            NodeSelector = new Dictionary<string, string> { ["kube-rescue.io/nowhere"] = "true" },
                            HostNetwork = true,
                            Containers = [new V1Container { Name = "kube-scheduler", Image = "k8s.gcr.io/hyperkube:v1.19.4", Command = ["./hyperkube", "kube-scheduler"] }],
                        },
                    },
                },
            }, component.Namespace);

            var source = await ResolveAsync(new RescueSourceSpec.FromDaemonSet(), component);
            Assert.Equal(("DaemonSet/rescue-daemonset/kube-scheduler", daemonSet.Metadata.Generation.ToString()), (source.Description, source.Revision));
            Assert.Equal(Json(daemonSet.Spec.Template), Json(source.Template));

            var patch = """[{"op": "add", "path": "/spec/template/spec/containers/0/command/-", "value": "--v=2"}]""";
            var changed = await _client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "kube-scheduler", component.Namespace);
            Assert.NotEqual(daemonSet.Metadata.Generation, changed.Metadata.Generation);
            Assert.Equal(changed.Metadata.Generation.ToString(), (await ResolveAsync(new RescueSourceSpec.FromDaemonSet(), component)).Revision);
        }
        finally
        {
            await _client.CoreV1.DeleteNamespaceAsync(component.Namespace);
        }
    }

    [Fact]
    public async Task A_mirror_pod_gives_its_spec_without_node_and_kubelet_annotations()
    {
        var component = await NamespaceAsync("rescue-kubeadm");
        try
        {
            var mirror = await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "kube-scheduler-cp-gone",
                    Labels = new Dictionary<string, string> { ["component"] = "kube-scheduler", ["tier"] = "control-plane" },
                    Annotations = new Dictionary<string, string>
                    {
                        ["kubernetes.io/config.hash"] = "0c2f", ["kubernetes.io/config.mirror"] = "0c2f",
                        ["kubernetes.io/config.seen"] = "2026-11-27T08:00:00Z", ["kubernetes.io/config.source"] = "file",
                        ["example.com/keep"] = "yes",
                    },
                },
                Spec = new V1PodSpec
                {
                    // A node no kubelet serves: the pod only has to be there to be read.
                    NodeName = "cp-gone",
                    HostNetwork = true,
                    Containers = [new V1Container { Name = "kube-scheduler", Image = "registry.k8s.io/kube-scheduler:v1.33.0", Command = ["kube-scheduler", "--leader-elect=true"] }],
                },
            }, component.Namespace);

            var source = await ResolveAsync(new RescueSourceSpec.FromMirrorPod(), component);
            Assert.Equal(("Pod/rescue-kubeadm/kube-scheduler-cp-gone", null), (source.Description, source.Revision));
            Assert.Null(source.Template.Spec.NodeName);
            Assert.Equal(new Dictionary<string, string> { ["example.com/keep"] = "yes" }, source.Template.Metadata.Annotations);
            Assert.Equal(mirror.Metadata.Labels, source.Template.Metadata.Labels);
            Assert.Equal(Json(mirror.Spec.Containers), Json(source.Template.Spec.Containers));
        }
        finally
        {
            // No kubelet would finish a graceful deletion on a node that does not exist.
            await _client.CoreV1.DeleteNamespacedPodAsync("kube-scheduler-cp-gone", component.Namespace, gracePeriodSeconds: 0);
            await _client.CoreV1.DeleteNamespaceAsync(component.Namespace);
        }
    }
}
