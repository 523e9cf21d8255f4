using k8s.Models;

namespace KubeRescue.Lab.Tests.ApiServer;

static class ApiTestObjects
{
    public static V1Pod Pod(string name, string? node = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.9" }],
        },
    };

    public static V1Deployment Deployment(string name, int replicas = 2) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "example/app:1" }] },
            },
        },
    };

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
