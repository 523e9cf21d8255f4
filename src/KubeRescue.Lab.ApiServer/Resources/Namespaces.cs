using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// Namespaces start Active with the "kubernetes" finalizer in spec.finalizers; a DELETE makes them Terminating
/// until the namespace controller has emptied them and cleared that finalizer through namespaces/finalize.
/// </summary>
public sealed class NamespaceStrategy : ResourceStrategy
{
    public override bool KeepStatusOnCreate => false;

    public override void PrepareForCreate(JsonObject ns)
    {
        var spec = ns["spec"] as JsonObject ?? [];
        var finalizers = spec["finalizers"] as JsonArray ?? [];
        if (!finalizers.Any(f => (string?)f == "kubernetes")) finalizers.Add("kubernetes");
        spec["finalizers"] = finalizers;
        ns["spec"] = spec;
        ns["status"] = new JsonObject { ["phase"] = "Active" };
        var meta = ns["metadata"]!.AsObject();
        var labels = meta["labels"] as JsonObject ?? [];
        labels["kubernetes.io/metadata.name"] = (string?)meta["name"];
        meta["labels"] = labels;
    }

    public override void PrepareForUpdate(JsonObject ns, JsonObject old)
    {
        // spec.finalizers change only through namespaces/finalize.
        ns["spec"] = old["spec"]?.DeepClone();
        var labels = ns["metadata"]!["labels"] as JsonObject ?? [];
        labels["kubernetes.io/metadata.name"] = (string?)ns["metadata"]!["name"];
        ns["metadata"]!["labels"] = labels;
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj) => Validators.Namespace(obj);

    public override bool HoldsDeletion(JsonObject ns) => ns["spec"]?["finalizers"] is JsonArray { Count: > 0 };

    public override void OnDeletionRequested(JsonObject ns)
    {
        var status = ns["status"] as JsonObject ?? [];
        status["phase"] = "Terminating";
        ns["status"] = status;
    }
}

/// <summary>namespaces/finalize: the namespace controller's way to clear spec.finalizers; the last one lets the namespace go.</summary>
public sealed class NamespaceFinalizeSubresource : Subresource
{
    public override IReadOnlyList<string> Verbs { get; } = ["update"];

    public override async Task HandleAsync(ApiRequest req, ResourceStorage storage)
    {
        var rt = req.Resource;
        if (req.Http.Request.Method != "PUT") throw ApiException.MethodNotSupported(new GroupResource("", "namespaces/finalize"), req.Http.Request.Method.ToLowerInvariant());
        var name = req.Info.Name!;
        var dryRun = req.DryRun;
        var body = await req.ReadObjectAsync();
        var (result, _) = await storage.UpdateAsync(rt, null, name, current =>
        {
            var spec = current["spec"] as JsonObject ?? [];
            spec["finalizers"] = body["spec"]?["finalizers"]?.DeepClone() ?? new JsonArray();
            current["spec"] = spec;
            return current;
        }, dryRun, req.Aborted);
        await req.WriteObjectAsync(200, result);
    }
}
