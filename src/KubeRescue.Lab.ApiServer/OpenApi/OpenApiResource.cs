namespace KubeRescue.Lab.ApiServer.OpenApi;

/// <summary>
/// One served resource as the OpenAPI documents describe it. <paramref name="Group"/> is "" for the core group;
/// <paramref name="Verbs"/> use discovery spelling (get, list, watch, create, update, patch, delete, deletecollection);
/// <paramref name="Subresources"/> are names such as "status", "scale", "log".
/// </summary>
public sealed record OpenApiResource(
    string Group,
    string Version,
    string Kind,
    string Plural,
    bool Namespaced,
    Type Model,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> Subresources);

/// <summary>
/// Strategic-merge patch metadata of one model property, e.g. ("merge", "name") for PodSpec.containers.
/// Wire <c>PatchStrategies.Lookup</c> here so the published schemas carry what kubectl apply reads.
/// </summary>
public delegate (string Strategy, string? MergeKey)? PatchMetadataLookup(Type declaringModelType, string jsonPropertyName);
