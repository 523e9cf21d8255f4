using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace KubeRescue.Lab.ApiServer.OpenApi;

/// <summary>
/// One group-version's OpenAPI v3 document: the REST paths of its resources, with the operation
/// parameters the real server lists (kubectl decides on server-side field validation by finding
/// fieldValidation among the PATCH parameters of the kind), and the schemas those paths reference.
/// </summary>
internal static class OpenApiV3Builder
{
    private static readonly string[] ResponseTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
    private static readonly string[] WatchResponseTypes =
        [.. ResponseTypes, "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"];
    private static readonly string[] PatchBodyTypes =
        ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    public static byte[] Build(IReadOnlyList<OpenApiResource> resources, PatchMetadataLookup? patchMetadata, string kubernetesVersion)
    {
        var schemas = new SchemaGenerator(patchMetadata);
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var r in resources)
            AddResource(paths, schemas, r);

        var components = new JsonObject
        {
            ["schemas"] = new JsonObject(schemas.Definitions.OrderBy(d => d.Key, StringComparer.Ordinal)
                .Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
            ["securitySchemes"] = new JsonObject
            {
                ["BearerToken"] = new JsonObject
                {
                    ["description"] = "Bearer Token authentication",
                    ["in"] = "header",
                    ["name"] = "authorization",
                    ["type"] = "apiKey",
                },
            },
        };
        var doc = new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = kubernetesVersion },
            ["paths"] = new JsonObject(paths.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["components"] = components,
        };
        return JsonSerializer.SerializeToUtf8Bytes(doc);
    }

    private static void AddResource(SortedDictionary<string, JsonObject> paths, SchemaGenerator schemas, OpenApiResource r)
    {
        var prefix = r.Group == "" ? $"/api/{r.Version}" : $"/apis/{r.Group}/{r.Version}";
        var scope = r.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{r.Plural}" : $"{prefix}/{r.Plural}";
        var item = scope + "/{name}";
        var opPrefix = OperationGroup(r.Group, r.Version) + (r.Namespaced ? "Namespaced" : "");
        var kindRef = schemas.Add(r.Model);
        var listRef = ListModel(r.Model) is { } listModel ? schemas.Add(listModel) : null;
        var gvk = Gvk(r.Group, r.Version, r.Kind);
        var verbs = r.Verbs.ToHashSet(StringComparer.Ordinal);

        var collection = new JsonObject();
        if (verbs.Contains("list") && listRef is not null)
            collection["get"] = Operation("list", $"list{opPrefix}{r.Kind}", gvk, ListParameters(), Responses(listRef, WatchResponseTypes, "200"));
        if (verbs.Contains("create"))
            collection["post"] = Operation("post", $"create{opPrefix}{r.Kind}", gvk, WriteParameters(), Responses(kindRef, ResponseTypes, "200", "201", "202"),
                Body(kindRef, "*/*"));
        if (verbs.Contains("deletecollection"))
        {
            schemas.Add(typeof(V1DeleteOptions));
            schemas.Add(typeof(V1Status));
            collection["delete"] = Operation("deletecollection", $"deletecollection{opPrefix}{r.Kind}", gvk,
                [.. DeleteParameters(), .. ListParameters().Where(p => p["name"]!.GetValue<string>() is not "allowWatchBookmarks" and not "watch")],
                Responses(ModelNames.Status, ResponseTypes, "200"), Body(ModelNames.DeleteOptions, "*/*", required: false));
        }
        AddPath(paths, scope, collection, r.Namespaced, named: false);

        var single = new JsonObject();
        if (verbs.Contains("get"))
            single["get"] = Operation("get", $"read{opPrefix}{r.Kind}", gvk, [], Responses(kindRef, ResponseTypes, "200"));
        if (verbs.Contains("update"))
            single["put"] = Operation("put", $"replace{opPrefix}{r.Kind}", gvk, WriteParameters(), Responses(kindRef, ResponseTypes, "200", "201"),
                Body(kindRef, "*/*"));
        if (verbs.Contains("patch"))
            single["patch"] = PatchOperation($"patch{opPrefix}{r.Kind}", gvk, kindRef, schemas);
        if (verbs.Contains("delete"))
        {
            schemas.Add(typeof(V1DeleteOptions));
            schemas.Add(typeof(V1Status));
            single["delete"] = Operation("delete", $"delete{opPrefix}{r.Kind}", gvk, DeleteParameters(),
                Responses(ModelNames.Status, ResponseTypes, "200", "202"), Body(ModelNames.DeleteOptions, "*/*", required: false));
        }
        AddPath(paths, item, single, r.Namespaced, named: true);

        if (r.Namespaced && verbs.Contains("list") && listRef is not null)
        {
            var all = new JsonObject
            {
                ["get"] = Operation("list", $"list{OperationGroup(r.Group, r.Version)}{r.Kind}ForAllNamespaces", gvk, ListParameters(),
                    Responses(listRef, WatchResponseTypes, "200")),
            };
            AddPath(paths, $"{prefix}/{r.Plural}", all, namespaced: false, named: false);
        }

        foreach (var sub in r.Subresources)
            AddSubresource(paths, schemas, r, item + "/" + sub, sub, opPrefix, kindRef);
    }

    private static void AddSubresource(SortedDictionary<string, JsonObject> paths, SchemaGenerator schemas, OpenApiResource r,
        string path, string sub, string opPrefix, string kindRef)
    {
        var suffix = r.Kind + char.ToUpperInvariant(sub[0]) + sub[1..];
        var ops = new JsonObject();
        switch (sub)
        {
            case "status" or "ephemeralcontainers" or "resize":
                var gvk = Gvk(r.Group, r.Version, r.Kind);
                ops["get"] = Operation("get", $"read{opPrefix}{suffix}", gvk, [], Responses(kindRef, ResponseTypes, "200"));
                ops["put"] = Operation("put", $"replace{opPrefix}{suffix}", gvk, WriteParameters(), Responses(kindRef, ResponseTypes, "200", "201"),
                    Body(kindRef, "*/*"));
                ops["patch"] = PatchOperation($"patch{opPrefix}{suffix}", gvk, kindRef, schemas);
                break;
            case "scale":
                var scaleRef = schemas.Add(typeof(V1Scale));
                var scaleGvk = Gvk("autoscaling", "v1", "Scale");
                ops["get"] = Operation("get", $"read{opPrefix}{suffix}", scaleGvk, [], Responses(scaleRef, ResponseTypes, "200"));
                ops["put"] = Operation("put", $"replace{opPrefix}{suffix}", scaleGvk, WriteParameters(), Responses(scaleRef, ResponseTypes, "200", "201"),
                    Body(scaleRef, "*/*"));
                ops["patch"] = PatchOperation($"patch{opPrefix}{suffix}", scaleGvk, scaleRef, schemas);
                break;
            case "eviction" or "binding" or "token":
                var (model, group, version, kind) = sub switch
                {
                    "eviction" => (typeof(V1Eviction), "policy", "v1", "Eviction"),
                    "binding" => (typeof(V1Binding), "", "v1", "Binding"),
                    _ => (typeof(Authenticationv1TokenRequest), "authentication.k8s.io", "v1", "TokenRequest"),
                };
                var bodyRef = schemas.Add(model);
                ops["post"] = Operation("post", $"create{opPrefix}{suffix}", Gvk(group, version, kind), WriteParameters(),
                    Responses(bodyRef, ResponseTypes, "200", "201", "202"), Body(bodyRef, "*/*"));
                break;
            case "log":
                ops["get"] = Operation("get", $"read{opPrefix}{suffix}", Gvk(r.Group, r.Version, r.Kind), [],
                    new JsonObject { ["200"] = Content(new JsonObject { ["type"] = "string" }, ["text/plain", .. ResponseTypes]) });
                break;
            case "exec" or "attach" or "portforward" or "proxy":
                var connectGvk = Gvk(r.Group, r.Version, r.Kind + (sub == "portforward" ? "PortForwardOptions" : char.ToUpperInvariant(sub[0]) + sub[1..] + "Options"));
                foreach (var method in new[] { "get", "post" })
                {
                    ops[method] = Operation("connect", $"connect{char.ToUpperInvariant(method[0])}{method[1..]}{opPrefix}{suffix}", connectGvk, [],
                        new JsonObject { ["200"] = Content(new JsonObject { ["type"] = "string" }, ["*/*"]) });
                }
                break;
            default:
                return; // Not described: the real server's shape for other subresources is resource-specific.
        }
        AddPath(paths, path, ops, r.Namespaced, named: true);
    }

    private static void AddPath(SortedDictionary<string, JsonObject> paths, string path, JsonObject ops, bool namespaced, bool named)
    {
        if (ops.Count == 0) return;
        var common = new JsonArray();
        if (named) common.Add(PathParameter("name", "name of the resource"));
        if (namespaced) common.Add(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        common.Add(Query("pretty", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."));
        ops["parameters"] = common;
        paths[path] = ops;
    }

    private static JsonObject Operation(string action, string operationId, JsonObject gvk, IEnumerable<JsonObject> parameters, JsonObject responses,
        JsonObject? requestBody = null)
    {
        var op = new JsonObject { ["operationId"] = operationId };
        var list = new JsonArray([.. parameters]);
        if (list.Count > 0) op["parameters"] = list;
        if (requestBody is not null) op["requestBody"] = requestBody;
        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        op["responses"] = responses;
        op["x-kubernetes-action"] = action;
        op["x-kubernetes-group-version-kind"] = gvk.DeepClone();
        return op;
    }

    private static JsonObject PatchOperation(string operationId, JsonObject gvk, string kindRef, SchemaGenerator schemas)
    {
        var patchRef = schemas.AddWellKnown(ModelNames.Patch);
        var body = new JsonObject { ["content"] = MediaTypes(SchemaGenerator.Ref(patchRef), PatchBodyTypes), ["required"] = true };
        return Operation("patch", operationId, gvk,
            [.. WriteParameters(), Query("force", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.", "boolean")],
            Responses(kindRef, ResponseTypes, "200", "201"), body);
    }

    private static IEnumerable<JsonObject> WriteParameters() =>
    [
        Query("dryRun", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"),
        Query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."),
        Query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered."),
    ];

    private static IEnumerable<JsonObject> DeleteParameters() =>
    [
        Query("dryRun", "When present, indicates that modifications should not be persisted."),
        Query("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", "integer"),
        Query("ignoreStoreReadErrorWithClusterBreakingPotential", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.", "boolean"),
        Query("orphanDependents", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.", "boolean"),
        Query("propagationPolicy", "Whether and how garbage collection will be performed."),
    ];

    private static IEnumerable<JsonObject> ListParameters() =>
    [
        Query("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", "boolean"),
        Query("continue", "The continue option should be set when retrieving more results from the server."),
        Query("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        Query("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        Query("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
        Query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        Query("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        Query("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", "boolean"),
        Query("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
        Query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", "boolean"),
    ];

    // Parameters are inlined, not $ref'd: kubectl's v3 check compares each PATCH parameter's own name.
    private static JsonObject Query(string name, string description, string type = "string")
    {
        var schema = new JsonObject { ["type"] = type, ["uniqueItems"] = true };
        return new JsonObject { ["name"] = name, ["in"] = "query", ["description"] = description, ["schema"] = schema };
    }

    private static JsonObject PathParameter(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["description"] = description,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonObject Body(string definition, string mediaType, bool required = true)
    {
        var body = new JsonObject { ["content"] = MediaTypes(SchemaGenerator.Ref(definition), [mediaType]) };
        if (required) body["required"] = true;
        return body;
    }

    private static JsonObject Responses(string definition, string[] mediaTypes, params string[] codes)
    {
        var responses = new JsonObject();
        foreach (var code in codes)
            responses[code] = Content(SchemaGenerator.Ref(definition), mediaTypes);
        return responses;
    }

    private static JsonObject Content(JsonObject schema, string[] mediaTypes) => new()
    {
        ["description"] = "OK",
        ["content"] = MediaTypes(schema, mediaTypes),
    };

    private static JsonObject MediaTypes(JsonObject schema, string[] mediaTypes)
    {
        var content = new JsonObject();
        foreach (var type in mediaTypes)
            content[type] = new JsonObject { ["schema"] = schema.DeepClone() };
        return content;
    }

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    // Upstream operation ids spell the group in camel case without ".k8s.io": CoreV1, AppsV1, RbacAuthorizationV1.
    private static string OperationGroup(string group, string version)
    {
        var name = group == "" ? "core" : group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        return string.Concat(name.Split('.').Select(Capitalize)) + Capitalize(version);
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static Type? ListModel(Type model) =>
        model.Assembly.GetType(model.FullName + "List") is { } list && list.GetCustomAttribute<KubernetesEntityAttribute>() is not null ? list : null;
}
