using k8s;
using k8s.Models;
using KubeRescue.Lab.Components.ControllerManager;

namespace KubeRescue.Lab.Tests.ControlPlane.Controllers;

public sealed class NamespaceAndServiceAccountTests
{
    [Fact]
    public async Task A_deleted_namespace_loses_its_content_and_then_goes()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new NamespaceController());
        await lab.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "doomed" } });
        var labels = new Dictionary<string, string> { ["app"] = "x" };
        await lab.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" } }, "doomed");
        await lab.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, "doomed");
        await lab.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "svc" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        }, "doomed");
        await lab.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "d" },
            Spec = new V1DeploymentSpec { Selector = new V1LabelSelector { MatchLabels = labels }, Template = ControllerHarness.Template(labels) },
        }, "doomed");
        await lab.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p", Labels = labels }, Spec = ControllerHarness.Template(labels).Spec }, "doomed");
        // Every namespaced resource goes, RBAC's too, as upstream's namespace controller deletes what discovery lists.
        await lab.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }],
        }, "doomed");

        await lab.Client.CoreV1.DeleteNamespaceAsync("doomed");

        await Wait.UntilAsync(() => lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespaceAsync("doomed")), what: "the namespace gone");
        Assert.Empty((await lab.Client.CoreV1.ListNamespacedConfigMapAsync("doomed")).Items);
        Assert.Empty((await lab.Client.AppsV1.ListNamespacedDeploymentAsync("doomed")).Items);
        Assert.Empty((await lab.Client.CoreV1.ListNamespacedServiceAsync("doomed")).Items);
        Assert.Empty((await lab.Client.RbacAuthorizationV1.ListNamespacedRoleAsync("doomed")).Items);
    }

    [Fact]
    public async Task Every_active_namespace_gets_a_default_service_account_and_the_root_ca()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new ServiceAccountController(), new RootCaCertPublisher("PEM-OF-THE-LAB-CA"));
        await lab.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "fresh" } });

        foreach (var ns in new[] { "fresh", "kube-system", "default" })
        {
            await Wait.UntilAsync(async () => !await lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespacedServiceAccountAsync("default", ns)), what: $"{ns}/default");
            await Wait.UntilAsync(async () => !await lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespacedConfigMapAsync(RootCaCertPublisher.ConfigMapName, ns)), what: $"{ns}/kube-root-ca.crt");
        }
        var ca = await lab.Client.CoreV1.ReadNamespacedConfigMapAsync(RootCaCertPublisher.ConfigMapName, "fresh");
        Assert.Equal("PEM-OF-THE-LAB-CA", ca.Data["ca.crt"]);
        Assert.StartsWith("Contains a CA bundle", ca.Metadata.Annotations["kubernetes.io/description"]);

        // Deleted or tampered with, both come back.
        await lab.Client.CoreV1.DeleteNamespacedServiceAccountAsync("default", "fresh");
        await lab.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"ca.crt":"forged","extra":"x"}}""", V1Patch.PatchType.MergePatch), RootCaCertPublisher.ConfigMapName, "fresh");
        await Wait.UntilAsync(async () => !await lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespacedServiceAccountAsync("default", "fresh")), what: "default recreated");
        await Wait.UntilAsync(async () =>
        {
            var cm = await lab.Client.CoreV1.ReadNamespacedConfigMapAsync(RootCaCertPublisher.ConfigMapName, "fresh");
            return cm.Data is { Count: 1 } data && data["ca.crt"] == "PEM-OF-THE-LAB-CA";
        }, what: "the CA put back");
    }
}
