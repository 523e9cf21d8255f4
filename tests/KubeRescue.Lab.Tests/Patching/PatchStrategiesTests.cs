using k8s.Models;
using KubeRescue.Lab.ApiServer.Patching;

namespace KubeRescue.Lab.Tests.Patching;

public class PatchStrategiesTests
{
    [Theory]
    [InlineData(typeof(V1ObjectMeta), "finalizers", "merge", null)]
    [InlineData(typeof(V1ObjectMeta), "ownerReferences", "merge", "uid")]
    [InlineData(typeof(V1PodSpec), "containers", "merge", "name")]
    [InlineData(typeof(V1PodSpec), "initContainers", "merge", "name")]
    [InlineData(typeof(V1PodSpec), "ephemeralContainers", "merge", "name")]
    [InlineData(typeof(V1PodSpec), "volumes", "merge,retainKeys", "name")]
    [InlineData(typeof(V1PodSpec), "imagePullSecrets", "merge", "name")]
    [InlineData(typeof(V1PodSpec), "hostAliases", "merge", "ip")]
    [InlineData(typeof(V1PodSpec), "topologySpreadConstraints", "merge", "topologyKey")]
    [InlineData(typeof(V1Container), "env", "merge", "name")]
    [InlineData(typeof(V1Container), "ports", "merge", "containerPort")]
    [InlineData(typeof(V1Container), "volumeMounts", "merge", "mountPath")]
    [InlineData(typeof(V1Container), "volumeDevices", "merge", "devicePath")]
    [InlineData(typeof(V1EphemeralContainer), "env", "merge", "name")]
    [InlineData(typeof(V1PodStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1PodStatus), "podIPs", "merge", "ip")]
    [InlineData(typeof(V1NodeStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1NodeStatus), "addresses", "merge", "type")]
    [InlineData(typeof(V1NodeSpec), "podCIDRs", "merge", null)]
    [InlineData(typeof(V1NamespaceStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1ServiceSpec), "ports", "merge", "port")]
    [InlineData(typeof(V1ServiceAccount), "secrets", "merge", "name")]
    [InlineData(typeof(V1DeploymentSpec), "strategy", "retainKeys", null)]
    [InlineData(typeof(V1DeploymentStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1ReplicaSetStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1DaemonSetStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1StatefulSetStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1PodDisruptionBudgetSpec), "selector", "replace", null)]
    [InlineData(typeof(V1PodDisruptionBudgetStatus), "conditions", "merge", "type")]
    [InlineData(typeof(V1JobStatus), "conditions", "merge", "type")]
    public void Lookup_returns_the_upstream_struct_tags(Type type, string field, string strategy, string? mergeKey)
    {
        Assert.Equal(new PatchStrategy(strategy, mergeKey), PatchStrategies.Lookup(type, field));
    }

    [Theory]
    [InlineData(typeof(V1PodSpec), "tolerations")]
    [InlineData(typeof(V1NodeSpec), "taints")]
    [InlineData(typeof(V1Container), "envFrom")]
    [InlineData(typeof(V1Container), "args")]
    [InlineData(typeof(V1Container), "image")]
    [InlineData(typeof(V1ObjectMeta), "labels")]
    [InlineData(typeof(V1DaemonSetSpec), "updateStrategy")]
    [InlineData(typeof(V1EndpointSubset), "addresses")]
    [InlineData(typeof(V1ConfigMap), "data")]
    [InlineData(typeof(V1Lease), "spec")]
    [InlineData(typeof(V1PodSpec), "noSuchField")]
    public void Fields_without_tags_have_no_strategy(Type type, string field)
    {
        Assert.Null(PatchStrategies.Lookup(type, field));
    }

    [Theory]
    [InlineData(typeof(V1Pod), "metadata", typeof(V1ObjectMeta))]
    [InlineData(typeof(V1Pod), "spec", typeof(V1PodSpec))]
    [InlineData(typeof(V1PodSpec), "containers", typeof(V1Container))]
    [InlineData(typeof(V1Container), "env", typeof(V1EnvVar))]
    [InlineData(typeof(V1Deployment), "spec", typeof(V1DeploymentSpec))]
    [InlineData(typeof(V1DeploymentSpec), "template", typeof(V1PodTemplateSpec))]
    [InlineData(typeof(V1ObjectMeta), "ownerReferences", typeof(V1OwnerReference))]
    [InlineData(typeof(Corev1Event), "involvedObject", typeof(V1ObjectReference))]
    public void ChildModelType_descends_into_models_and_list_elements(Type type, string field, Type expected)
    {
        Assert.Equal(expected, PatchStrategies.ChildModelType(type, field));
    }

    [Theory]
    [InlineData(typeof(V1ObjectMeta), "labels")]
    [InlineData(typeof(V1ObjectMeta), "finalizers")]
    [InlineData(typeof(V1ObjectMeta), "name")]
    [InlineData(typeof(V1ResourceRequirements), "limits")]
    [InlineData(typeof(V1ContainerPort), "containerPort")]
    [InlineData(typeof(V1ServicePort), "targetPort")]
    [InlineData(typeof(V1Pod), "nope")]
    public void ChildModelType_is_null_for_primitives_dictionaries_and_unknown_fields(Type type, string field)
    {
        Assert.Null(PatchStrategies.ChildModelType(type, field));
    }
}
