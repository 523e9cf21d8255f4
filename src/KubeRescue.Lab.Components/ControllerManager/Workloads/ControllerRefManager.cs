using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Kubernetes.Selectors;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.ControllerManager.Workloads;

/// <summary>
/// controller.BaseControllerRefManager's ClaimObject: a controller adopts orphans its selector matches and releases
/// objects it controls that its selector no longer matches, each with a strategic merge patch of the
/// ownerReferences carrying the child's uid as precondition, as upstream's patches do.
/// </summary>
/// <param name="canAdopt">re-reads the owner from the API server: null when it may still adopt, else why not</param>
/// <param name="patch">applies a strategic merge patch to the child</param>
sealed class ControllerRefManager<T>(
    V1ObjectMeta owner,
    string ownerApiVersion,
    string ownerKind,
    V1LabelSelector selector,
    Func<CancellationToken, Task<string?>> canAdopt,
    Func<T, string, CancellationToken, Task> patch)
    where T : IKubernetesObject<V1ObjectMeta>
{
    Task<string?>? _adoptCheck;

    /// <returns>the objects the owner controls after adoption and release</returns>
    /// <exception cref="InvalidOperationException">some adoption or release failed; the claimed objects are still usable only after a retry</exception>
    public async Task<List<T>> ClaimAsync(IEnumerable<T> candidates, CancellationToken ct)
    {
        var claimed = new List<T>();
        var errors = new List<string>();
        foreach (var obj in candidates)
        {
            var meta = obj.Metadata;
            var matches = LabelSelector.Matches(selector, meta.Labels);
            var controllerRef = Objects.ControllerOf(meta);
            if (controllerRef is not null)
            {
                if (controllerRef.Uid != owner.Uid) continue;
                if (matches)
                {
                    claimed.Add(obj);
                    continue;
                }
                // An owner being deleted keeps what it has; the garbage collector decides.
                if (owner.DeletionTimestamp is not null) continue;
                try
                {
                    await patch(obj, OwnerRefPatch(new JsonObject { ["$patch"] = "delete", ["uid"] = owner.Uid }, meta.Uid), ct);
                }
                catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsInvalid(e))
                {
                    // Gone, or its uid changed (deleted and recreated): nothing left to release.
                }
                catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
                {
                    errors.Add(ApiErrors.Message(e));
                }
                continue;
            }
            if (owner.DeletionTimestamp is not null || !matches || meta.DeletionTimestamp is not null) continue;
            var refuse = await (_adoptCheck ??= canAdopt(ct));
            if (refuse is not null)
            {
                errors.Add($"can't adopt {ownerKind.ToLowerInvariant()} child {meta.NamespaceProperty}/{meta.Name}: {refuse}");
                continue;
            }
            try
            {
                var reference = new JsonObject
                {
                    ["apiVersion"] = ownerApiVersion,
                    ["kind"] = ownerKind,
                    ["name"] = owner.Name,
                    ["uid"] = owner.Uid,
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                };
                await patch(obj, OwnerRefPatch(reference, meta.Uid), ct);
                claimed.Add(obj);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
            {
                errors.Add(ApiErrors.Message(e));
            }
        }
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
        return claimed;
    }

    /// <summary>The child's uid rides along as a precondition: a recreated object of the same name is not touched.</summary>
    static string OwnerRefPatch(JsonObject reference, string childUid) =>
        new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = new JsonArray(reference), ["uid"] = childUid } }.ToJsonString();

    /// <summary>RecheckDeletionTimestamp over a fresh read of the owner, as the controllers' canAdopt functions do.</summary>
    public static string? CheckFresh(V1ObjectMeta cached, V1ObjectMeta? fresh, string kind)
    {
        if (fresh is null || fresh.Uid != cached.Uid)
            return $"original {kind} {cached.NamespaceProperty}/{cached.Name} is gone: got uid {fresh?.Uid}, wanted {cached.Uid}";
        return fresh.DeletionTimestamp is { } ts ? $"{cached.NamespaceProperty}/{cached.Name} has just been deleted at {ts:O}" : null;
    }
}
