using k8s;
using k8s.Models;
using KubeRescue.Lab.Bootstrap;

namespace KubeRescue.Lab.Tests.Bootstrap;

public class ManifestsTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    [Fact]
    public void The_built_in_set_is_a_bootkube_era_control_plane()
    {
        var objects = Manifests.BuiltIn();
        var deployments = objects.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        foreach (var name in new[] { "kube-scheduler", "kube-controller-manager" })
        {
            var d = deployments[name];
            Assert.Equal(2, d.Spec.Replicas);
            Assert.Equal(new Dictionary<string, string> { ["tier"] = "control-plane", ["k8s-app"] = name }, d.Spec.Selector.MatchLabels);
            Assert.Equal("", d.Spec.Template.Spec.NodeSelector["node-role.kubernetes.io/master"]);
            Assert.Contains(d.Spec.Template.Spec.Tolerations, t => t.Key == "node-role.kubernetes.io/master" && t.Effect == "NoSchedule");
            Assert.NotNull(d.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            Assert.Contains(objects.OfType<V1PodDisruptionBudget>(), p => p.Metadata.Name == name && p.Spec.MinAvailable.Value == "1");
        }
        Assert.Equal(["./hyperkube", "scheduler", "--leader-elect=true"], deployments["kube-scheduler"].Spec.Template.Spec.Containers[0].Command);
        Assert.Equal("kube-controller-manager", deployments["kube-controller-manager"].Spec.Template.Spec.ServiceAccountName);
        Assert.Equal(["kube-apiserver", "kube-proxy", "pod-checkpointer"], objects.OfType<V1DaemonSet>().Select(d => d.Metadata.Name).Order());
        Assert.Contains("kube-dns", deployments.Keys);
    }

    [Fact]
    public async Task Every_built_in_manifest_is_accepted_by_the_API_server_and_creating_twice_is_harmless()
    {
        using var client = lab.NewClient();
        await Manifests.CreateAsync(client, Manifests.BuiltIn(), CancellationToken.None);
        await Manifests.CreateAsync(client, Manifests.BuiltIn(), CancellationToken.None);
        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync("kube-system");
        Assert.Equal(["kube-controller-manager", "kube-dns", "kube-scheduler"], deployments.Items.Select(d => d.Metadata.Name).Order());
    }

    [Fact]
    public void A_directory_with_a_kind_the_lab_cannot_create_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "x.yaml"), "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n");
            Assert.Throws<InvalidDataException>(() => Manifests.FromDirectory(dir));
            Assert.Throws<DirectoryNotFoundException>(() => Manifests.FromDirectory(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
