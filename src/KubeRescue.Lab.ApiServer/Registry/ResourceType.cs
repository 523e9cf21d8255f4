using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Tables;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Registry;

/// <summary>
/// Everything the API server knows about one resource. The HTTP layer is generic: it reads only this.
/// A new resource is one of these; a behaviour of one resource is a hook on its <see cref="Strategy"/>
/// or a <see cref="Subresources"/> entry, never a branch in the handler.
/// </summary>
public sealed record ResourceType
{
    /// <summary>Its names and scope, as every part of kube-rescue knows the resource.</summary>
    public required ApiResource Resource { get; init; }
    public string Group => Resource.Group;
    public string Version => Resource.Version;
    public string Kind => Resource.Kind;
    public string Plural => Resource.Plural;
    public bool Namespaced => Resource.Namespaced;
    /// <summary>The official client's model, for OpenAPI schemas, strategic merge patch and unknown-field checks.</summary>
    public required Type Model { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    /// <summary>Fields a fieldSelector may name, with how to read each from an object.</summary>
    public required FieldSet FieldSelectors { get; init; }
    public TableDefinition Table { get; init; } = Tables.Tables.Default;
    public ResourceStrategy Strategy { get; init; } = ResourceStrategy.Default;
    /// <summary>Subresources by name (status, scale, binding, eviction), each with its own handler.</summary>
    public IReadOnlyDictionary<string, Subresource> Subresources { get; init; } = new Dictionary<string, Subresource>();
    /// <summary>Whether metadata.generation is kept and bumped on spec changes.</summary>
    public bool TracksGeneration { get; init; }
    /// <summary>A resource that is never stored: a create is answered by this review (selfsubjectaccessreviews).</summary>
    public Review? Review { get; init; }
    /// <summary>DELETE answers with the object rather than a Success Status (pods, namespaces).</summary>
    public bool ReturnDeletedObject { get; init; }
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    public static readonly IReadOnlyList<string> AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public string ApiVersion => Resource.ApiVersion;
    public string ListKind => Kind + "List";
    public string Singular => Kind.ToLowerInvariant();
    public GroupResource GroupResource => new(Group, Plural);
    public bool HasStatus => Subresources.ContainsKey("status");

    /// <summary>Storage key prefix, as the real API server lays out etcd: /registry/&lt;group&gt;/&lt;resource&gt;/.</summary>
    public string KeyPrefix => $"/registry/{(Group.Length == 0 ? "core" : Group)}/{Plural}/";

    public OpenApi.OpenApiResource ToOpenApiResource() => new(Group, Version, Kind, Plural, Namespaced, Model, Verbs, Subresources.Keys.ToList());

    public string Key(string? ns, string name) => Namespaced ? $"{KeyPrefix}{ns}/{name}" : $"{KeyPrefix}{name}";
    public string CollectionKey(string? ns) => Namespaced && !string.IsNullOrEmpty(ns) ? $"{KeyPrefix}{ns}/" : KeyPrefix;
}

/// <summary>Per-resource behaviour around writes, as the real registry's REST strategies have it.</summary>
public class ResourceStrategy
{
    public static readonly ResourceStrategy Default = new();

    /// <summary>Defaults and status reset on create.</summary>
    public virtual void PrepareForCreate(JsonObject obj) { }

    /// <summary>Called on a main-resource update after status has been carried over from <paramref name="old"/>.</summary>
    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old) { }

    /// <summary>Whether a create keeps the status the client sent (nodes do; most resources start from an empty status).</summary>
    public virtual bool KeepStatusOnCreate => false;

    public virtual IReadOnlyList<FieldError> Validate(JsonObject obj) => [];

    public virtual IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => Validate(obj);

    /// <summary>
    /// The grace period a DELETE gets, or null when the object goes at once. Only pods delete gracefully:
    /// they stay, with a deletionTimestamp, until their kubelet confirms.
    /// </summary>
    public virtual long? GracePeriod(JsonObject obj, long? requested) => null;

    /// <summary>Holds a deletion beyond metadata.finalizers (a namespace waits for its spec.finalizers).</summary>
    public virtual bool HoldsDeletion(JsonObject obj) => false;

    /// <summary>Marks an object whose deletion was requested (a namespace's phase becomes Terminating).</summary>
    public virtual void OnDeletionRequested(JsonObject obj) { }
}

/// <summary>A subresource's handler; it reaches objects only through <see cref="ResourceStorage"/>.</summary>
public abstract class Subresource
{
    /// <summary>Verbs it answers, for discovery.</summary>
    public abstract IReadOnlyList<string> Verbs { get; }
    /// <summary>Kind it speaks, for discovery (Scale, Binding, Eviction; the resource's own kind for status).</summary>
    public virtual string? Kind => null;
    public virtual string? Group => null;
    public virtual string? Version => null;

    public abstract Task HandleAsync(ApiRequest request, ResourceStorage storage);
}

/// <summary>
/// The answer to a create of a resource that is computed, not stored (upstream's access reviews): the request's body
/// with its status filled in.
/// </summary>
public abstract class Review
{
    public abstract Task<JsonObject> AnswerAsync(ApiRequest request, JsonObject body, ResourceStorage storage);
}
