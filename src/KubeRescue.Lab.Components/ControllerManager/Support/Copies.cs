using k8s;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>Informer caches are shared: an object is copied before it is changed and written back.</summary>
public static class Copies
{
    public static T Deep<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
