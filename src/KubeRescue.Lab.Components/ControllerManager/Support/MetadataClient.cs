using System.Text.Json;
using k8s;
using k8s.Models;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>
/// client-go's metadata client, as the garbage collector and the namespace controller use it: the objects of any
/// built-in resource read, listed, patched and deleted by their metadata alone, over the component's own client.
/// </summary>
public sealed class MetadataClient(IKubernetes client)
{
    /// <summary>A live read (not a cache): the object's metadata, or null when it does not exist.</summary>
    public async Task<V1ObjectMeta?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken ct)
    {
        try
        {
            using var response = await ApiRequests.SendAsync(client, HttpMethod.Get, resource.Path(ns, name), null, ct);
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return Metadata(document.RootElement);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>A live list of a namespace's objects.</summary>
    public async Task<IReadOnlyList<V1ObjectMeta>> ListAsync(ApiResource resource, string ns, CancellationToken ct)
    {
        using var response = await ApiRequests.SendAsync(client, HttpMethod.Get, resource.Path(ns), null, ct);
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(Metadata)];
    }

    public async Task DeleteAsync(ApiResource resource, string? ns, string name, V1DeleteOptions options, CancellationToken ct)
    {
        using var _ = await ApiRequests.SendAsync(client, HttpMethod.Delete, resource.Path(ns, name), (KubernetesJson.Serialize(options), "application/json"), ct);
    }

    /// <summary>deletecollection in a namespace.</summary>
    public async Task DeleteCollectionAsync(ApiResource resource, string ns, CancellationToken ct)
    {
        using var _ = await ApiRequests.SendAsync(client, HttpMethod.Delete, resource.Path(ns), null, ct);
    }

    public async Task PatchAsync(ApiResource resource, string? ns, string name, V1Patch patch, CancellationToken ct)
    {
        var contentType = patch.Type switch
        {
            V1Patch.PatchType.JsonPatch => "application/json-patch+json",
            V1Patch.PatchType.MergePatch => "application/merge-patch+json",
            V1Patch.PatchType.StrategicMergePatch => "application/strategic-merge-patch+json",
            V1Patch.PatchType.ApplyPatch => "application/apply-patch+yaml",
            _ => throw new ArgumentException($"unknown patch type {patch.Type}", nameof(patch)),
        };
        using var _ = await ApiRequests.SendAsync(client, HttpMethod.Patch, resource.Path(ns, name), ((string)patch.Content, contentType), ct);
    }

    static V1ObjectMeta Metadata(JsonElement obj) => KubernetesJson.Deserialize<V1ObjectMeta>(obj.GetProperty("metadata"));
}
