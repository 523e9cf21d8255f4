using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.Bootstrap;

/// <summary>
/// The kube-system assets a self-hosted cluster boots from: the built-in bootkube-era set (embedded YAML under
/// Bootstrap/Manifests), or a user's own directory of manifests. Created through the API as bootkube's
/// "create assets" step does, skipping what already exists.
/// </summary>
public static class Manifests
{
    /// <summary>Every built-in manifest, in a stable order.</summary>
    public static IReadOnlyList<object> BuiltIn()
    {
        var assembly = typeof(Manifests).Assembly;
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith("manifests/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .SelectMany(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                return KubernetesYaml.LoadAllFromString(reader.ReadToEnd());
            })
            .ToList();
    }

    /// <summary>The manifests of a directory (*.yaml, *.yml, *.json, each possibly multi-document).</summary>
    /// <exception cref="InvalidDataException">a file does not parse, or holds a kind the lab cannot create.</exception>
    public static IReadOnlyList<object> FromDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"manifests directory {directory} does not exist");
        var objects = new List<object>();
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml") || f.EndsWith(".json")).Order(StringComparer.Ordinal))
        {
            try
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(File.ReadAllText(file)).Where(o => o is not null));
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
            {
                throw new InvalidDataException($"{file}: {e.Message}", e);
            }
        }
        foreach (var o in objects.Where(o => !Creators.ContainsKey(o.GetType())))
            throw new InvalidDataException($"the lab cannot create a {o.GetType().Name}: manifests may hold {string.Join(", ", Creators.Keys.Select(k => k.Name))}");
        if (objects.Count == 0) throw new InvalidDataException($"{directory} holds no manifests");
        return objects;
    }

    delegate Task Create(IKubernetes client, object obj, string ns, CancellationToken ct);

    static readonly Dictionary<Type, Create> Creators = new()
    {
        [typeof(V1Namespace)] = (c, o, _, ct) => c.CoreV1.CreateNamespaceAsync((V1Namespace)o, cancellationToken: ct),
        [typeof(V1ServiceAccount)] = (c, o, ns, ct) => c.CoreV1.CreateNamespacedServiceAccountAsync((V1ServiceAccount)o, ns, cancellationToken: ct),
        [typeof(V1ConfigMap)] = (c, o, ns, ct) => c.CoreV1.CreateNamespacedConfigMapAsync((V1ConfigMap)o, ns, cancellationToken: ct),
        [typeof(V1Secret)] = (c, o, ns, ct) => c.CoreV1.CreateNamespacedSecretAsync((V1Secret)o, ns, cancellationToken: ct),
        [typeof(V1Service)] = (c, o, ns, ct) => c.CoreV1.CreateNamespacedServiceAsync((V1Service)o, ns, cancellationToken: ct),
        [typeof(V1Deployment)] = (c, o, ns, ct) => c.AppsV1.CreateNamespacedDeploymentAsync((V1Deployment)o, ns, cancellationToken: ct),
        [typeof(V1DaemonSet)] = (c, o, ns, ct) => c.AppsV1.CreateNamespacedDaemonSetAsync((V1DaemonSet)o, ns, cancellationToken: ct),
        [typeof(V1PodDisruptionBudget)] = (c, o, ns, ct) => c.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync((V1PodDisruptionBudget)o, ns, cancellationToken: ct),
        [typeof(V1Pod)] = (c, o, ns, ct) => c.CoreV1.CreateNamespacedPodAsync((V1Pod)o, ns, cancellationToken: ct),
    };

    /// <summary>Creates each object in order; an object that already exists is left as it is.</summary>
    public static async Task CreateAsync(IKubernetes client, IEnumerable<object> objects, CancellationToken ct)
    {
        foreach (var obj in objects)
        {
            var meta = ((IMetadata<V1ObjectMeta>)obj).Metadata;
            if (!Creators.TryGetValue(obj.GetType(), out var create))
                throw new InvalidDataException($"the lab cannot create a {obj.GetType().Name}");
            try
            {
                await create(client, obj, meta.NamespaceProperty ?? "kube-system", ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }
        }
    }
}
