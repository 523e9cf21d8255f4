using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>
/// With <c>--rollback</c>: sets the Deployment's template to the source revision's, as <c>kubectl rollout undo</c>
/// does, so that the permanent pods the rescue instance brings up run the good template. It runs after the rescue
/// pods, whose controller-manager acts on it. The only change kube-rescue ever makes to a Deployment.
/// </summary>
public sealed class RollBackStep(ComponentPlan plan) : IRecoveryStep
{
    public const string ChangeCause = "kubernetes.io/change-cause";

    public string Name => "roll-back";
    public ControlPlaneComponent? Component => plan.Component;
    public string Description => $"roll {plan.Workload.Description} back to the template of {plan.Source.Description}{(plan.Source.Revision is null ? "" : $" revision {plan.Source.Revision}")}";

    public async Task<string> RunAsync(RecoveryRun run, CancellationToken ct)
    {
        var w = plan.Workload;
        var current = await run.Client.AppsV1.ReadNamespacedDeploymentAsync(w.Name, w.Namespace, cancellationToken: ct);
        if (RecoveryPlanner.SameTemplate(current.Spec.Template, plan.Source.Template)) return $"{w.Description} already has that template";

        var template = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(plan.Source.Template));
        template.Metadata?.Labels?.Remove("pod-template-hash");
        // A JSON patch that tests the resourceVersion it read: someone else's change in between fails it rather than being overwritten.
        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = current.Metadata.ResourceVersion },
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/template", ["value"] = JsonNode.Parse(KubernetesJson.Serialize(template)) });
        var cause = $"kube-rescue recover --rollback to {plan.Source.Description}{(plan.Source.Revision is null ? "" : $" revision {plan.Source.Revision}")}";
        patch.Add((JsonNode)(current.Metadata.Annotations is null
            ? new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { [ChangeCause] = cause } }
            : new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations/" + ChangeCause.Replace("~", "~0").Replace("/", "~1"), ["value"] = cause }));
        try
        {
            await run.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), w.Name, w.Namespace,
                fieldManager: RescueMetadata.FieldManager, cancellationToken: ct);
        }
        catch (HttpOperationException)
        {
            // A patch applied but whose answer was lost fails its own test when retried: the template tells.
            var now = await run.Client.AppsV1.ReadNamespacedDeploymentAsync(w.Name, w.Namespace, cancellationToken: ct);
            if (!RecoveryPlanner.SameTemplate(now.Spec.Template, plan.Source.Template)) throw;
        }
        return $"{w.Description} rolled back to the template of {plan.Source.Description}{(plan.Source.Revision is null ? "" : $" revision {plan.Source.Revision}")}";
    }
}
