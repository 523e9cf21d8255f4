using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// RoleBindings and ClusterRoleBindings: rbac/v1's defaults (a roleRef's and a User or Group subject's apiGroup is
/// rbac.authorization.k8s.io, a ServiceAccount's is ""), and a roleRef that can never change, so a binding grants
/// what it was created to grant. Roles need only validation (<see cref="ValidatingStrategy"/>).
/// </summary>
public sealed class BindingStrategy(string kind) : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj) => SetDefaults(obj);

    public override void PrepareForUpdate(JsonObject obj, JsonObject old) => SetDefaults(obj);

    public override IReadOnlyList<FieldError> Validate(JsonObject obj) =>
        kind == "RoleBinding" ? Validators.RoleBinding(obj) : Validators.ClusterRoleBinding(obj);

    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => Validators.BindingUpdate(kind, obj, old);

    static void SetDefaults(JsonObject binding)
    {
        if (binding["roleRef"] is not JsonObject roleRef) binding["roleRef"] = roleRef = [];
        if (string.IsNullOrEmpty((string?)roleRef["apiGroup"])) roleRef["apiGroup"] = Validators.RbacGroup;
        foreach (var subject in (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!string.IsNullOrEmpty((string?)subject["apiGroup"])) continue;
            if ((string?)subject["kind"] is "User" or "Group") subject["apiGroup"] = Validators.RbacGroup;
        }
    }
}
