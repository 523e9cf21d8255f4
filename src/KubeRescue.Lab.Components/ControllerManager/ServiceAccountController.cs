using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Components.ControllerManager.Support;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// The service account controller (pkg/controller/serviceaccount): every active namespace has a "default"
/// ServiceAccount, recreated if deleted. Since 1.24 no token Secret goes with it.
/// </summary>
public sealed class ServiceAccountController : IController
{
    const string Default = "default";

    public string Name => "serviceaccount";

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var informers = context.Informers;
        var namespaces = informers.Namespaces;
        var accounts = informers.ServiceAccounts;
        var queue = new WorkQueue<string>(context.Timing, context.Clock);
        namespaces.Added += ns => queue.Add(ns.Metadata.Name);
        namespaces.Updated += (_, ns) => queue.Add(ns.Metadata.Name);
        accounts.Deleted += sa => { if (sa.Metadata.Name == Default) queue.Add(sa.Metadata.NamespaceProperty); };
        await Task.WhenAll(namespaces.Synced, accounts.Synced).WaitAsync(stop);
        foreach (var ns in namespaces.Items) queue.Add(ns.Metadata.Name);
        await queue.RunAsync(async (name, ct) =>
        {
            var ns = namespaces.Get(null, name);
            if (ns?.Status?.Phase != "Active" || accounts.Get(name, Default) is not null) return true;
            try
            {
                await context.Client.CoreV1.CreateNamespacedServiceAccountAsync(
                    new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = Default } }, name, cancellationToken: ct);
                context.Log.WriteLine($"serviceaccount: created {name}/{Default}");
                return true;
            }
            // Already there (the cache lags), or the namespace is going away.
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                return true;
            }
        }, workers: 5, stop);
    }
}

/// <summary>
/// The root CA publisher (pkg/controller/certificates/rootcacertpublisher): a "kube-root-ca.crt" ConfigMap with
/// the cluster CA under "ca.crt" in every namespace, put back if changed or deleted.
/// </summary>
/// <param name="caPem">the CA bundle the API server is verified with (the lab's CA PEM)</param>
public sealed class RootCaCertPublisher(string caPem) : IController
{
    public const string ConfigMapName = "kube-root-ca.crt";
    const string DescriptionAnnotation = "kubernetes.io/description";
    const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
        "No other usage is guaranteed across distributions of Kubernetes clusters.";

    public string Name => "root-ca-cert-publisher";

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var informers = context.Informers;
        var namespaces = informers.Namespaces;
        var configMaps = informers.ConfigMaps;
        var queue = new WorkQueue<string>(context.Timing, context.Clock);
        namespaces.Added += ns => queue.Add(ns.Metadata.Name);
        namespaces.Updated += (_, ns) => queue.Add(ns.Metadata.Name);
        configMaps.Updated += (_, cm) => { if (cm.Metadata.Name == ConfigMapName) queue.Add(cm.Metadata.NamespaceProperty); };
        configMaps.Deleted += cm => { if (cm.Metadata.Name == ConfigMapName) queue.Add(cm.Metadata.NamespaceProperty); };
        await Task.WhenAll(namespaces.Synced, configMaps.Synced).WaitAsync(stop);
        foreach (var ns in namespaces.Items) queue.Add(ns.Metadata.Name);
        await queue.RunAsync(async (ns, ct) =>
        {
            if (namespaces.Get(null, ns) is not { Metadata.DeletionTimestamp: null }) return true;
            var current = configMaps.Get(ns, ConfigMapName);
            try
            {
                if (current is null)
                {
                    await context.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
                    {
                        Metadata = new V1ObjectMeta { Name = ConfigMapName, Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description } },
                        Data = new Dictionary<string, string> { ["ca.crt"] = caPem },
                    }, ns, cancellationToken: ct);
                    return true;
                }
                var annotations = current.Metadata.Annotations;
                if (current.Data is { Count: 1 } data && data.TryGetValue("ca.crt", out var pem) && pem == caPem
                    && annotations is not null && annotations.TryGetValue(DescriptionAnnotation, out var d) && d == Description) return true;
                // The data is replaced as a whole: other keys are removed (null in a merge patch), as upstream's update does.
                var newData = new JsonObject { ["ca.crt"] = caPem };
                foreach (var key in current.Data?.Keys ?? []) if (key != "ca.crt") newData[key] = null;
                var patch = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [DescriptionAnnotation] = Description }, ["resourceVersion"] = current.Metadata.ResourceVersion },
                    ["data"] = newData,
                };
                await context.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), ConfigMapName, ns, cancellationToken: ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                return true;
            }
        }, workers: 5, stop);
    }
}
