using System.Globalization;
using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;

namespace KubeRescue.Lab.ApiServer.Registry;

/// <summary>metav1.DeleteOptions, from a request body and/or query parameters (the query wins, as upstream merges them).</summary>
public sealed record DeleteOptions
{
    public long? GracePeriodSeconds { get; init; }
    public string? PropagationPolicy { get; init; }
    public bool? OrphanDependents { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }

    public static DeleteOptions From(JsonObject? body, Func<string, string?> query)
    {
        var options = new DeleteOptions();
        if (body is not null)
        {
            var kind = (string?)body["kind"];
            if (kind is not null and not "DeleteOptions")
                throw ApiException.BadRequest($"the object provided is unrecognized (must be of type DeleteOptions): kind {kind}");
            options = new DeleteOptions
            {
                GracePeriodSeconds = Long(body["gracePeriodSeconds"]),
                PropagationPolicy = (string?)body["propagationPolicy"],
                OrphanDependents = body["orphanDependents"] is { } o ? (bool)o : null,
                PreconditionUid = (string?)body["preconditions"]?["uid"],
                PreconditionResourceVersion = (string?)body["preconditions"]?["resourceVersion"],
            };
        }
        if (query("gracePeriodSeconds") is { } g)
        {
            if (!long.TryParse(g, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var grace))
                throw ApiException.BadRequest($"invalid gracePeriodSeconds: {g}");
            options = options with { GracePeriodSeconds = grace };
        }
        if (query("propagationPolicy") is { } p) options = options with { PropagationPolicy = p };
        if (options.PropagationPolicy is not null and not ("Foreground" or "Background" or "Orphan"))
            throw ApiException.BadRequest($"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{options.PropagationPolicy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        if (options.GracePeriodSeconds < 0) options = options with { GracePeriodSeconds = 1 };
        return options;
    }

    static long? Long(JsonNode? n) => n is null ? null : n.GetValueKind() == System.Text.Json.JsonValueKind.Number ? (long)n : throw ApiException.BadRequest("gracePeriodSeconds must be a number");

    public void CheckPreconditions(ResourceType rt, string name, JsonObject meta)
    {
        if (PreconditionUid is { Length: > 0 } uid && uid != (string?)meta["uid"])
            throw ApiException.Conflict(rt.GroupResource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {(string?)meta["uid"]}");
        if (PreconditionResourceVersion is { Length: > 0 } rv && rv != (string?)meta["resourceVersion"])
            throw ApiException.Conflict(rt.GroupResource, name,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {(string?)meta["resourceVersion"]}");
    }
}
