using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Lab.ApiServer.Errors;
using static KubeRescue.Lab.ApiServer.Objects.Json;

namespace KubeRescue.Lab.ApiServer.Validation;

// rbac.authorization.k8s.io/v1, as pkg/apis/rbac/validation checks it: names are path segments, a rule needs verbs
// and either resources (with API groups) or non-resource URLs (in a ClusterRole only), a binding needs a roleRef it may
// never change and subjects of a known kind.
public static partial class Validators
{
    public const string RbacGroup = "rbac.authorization.k8s.io";

    public static IReadOnlyList<FieldError> Role(JsonObject obj) => RoleRules(obj, namespaced: true);

    /// <summary>A ClusterRole; an aggregationRule (which the lab does not act on) must at least hold valid selectors.</summary>
    public static IReadOnlyList<FieldError> ClusterRole(JsonObject obj)
    {
        var errs = RoleRules(obj, namespaced: false);
        if (Obj(obj, "aggregationRule") is not { } aggregation) return errs;
        var selectors = Arr(aggregation, "clusterRoleSelectors") ?? [];
        if (selectors.Count == 0)
            errs.Add(FieldError.Required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
        for (var i = 0; i < selectors.Count; i++) LabelSelectorErrors(selectors[i] as JsonObject, $"aggregationRule.clusterRoleSelectors[{i}]", errs);
        return errs;
    }

    public static IReadOnlyList<FieldError> RoleBinding(JsonObject obj) => Binding(obj, namespaced: true);

    public static IReadOnlyList<FieldError> ClusterRoleBinding(JsonObject obj) => Binding(obj, namespaced: false);

    /// <summary>A binding's update: valid as a new one, same name and namespace, and the same roleRef.</summary>
    public static IReadOnlyList<FieldError> BindingUpdate(string kind, JsonObject obj, JsonObject old)
    {
        var errs = Binding(obj, namespaced: kind == "RoleBinding").Concat(ImmutableFieldsOnUpdate(kind, old, obj)).ToList();
        var roleRef = Obj(obj, "roleRef");
        var oldRoleRef = Obj(old, "roleRef");
        if (new[] { "apiGroup", "kind", "name" }.Any(f => (Str(roleRef, f) ?? "") != (Str(oldRoleRef, f) ?? "")))
        {
            // The bad value is the internal rbac.RoleRef, which has no json tags: Go field names.
            var rendered = new JsonObject { ["APIGroup"] = Str(roleRef, "apiGroup") ?? "", ["Kind"] = Str(roleRef, "kind") ?? "", ["Name"] = Str(roleRef, "name") ?? "" };
            errs.Add(FieldError.Invalid("roleRef", GoFormat.Json(rendered), "cannot change roleRef"));
        }
        return errs;
    }

    static List<FieldError> RoleRules(JsonObject obj, bool namespaced)
    {
        var errs = ObjectMeta(obj, namespaced, NameRule.PathSegment).ToList();
        var rules = Arr(obj, "rules") ?? [];
        for (var i = 0; i < rules.Count; i++) PolicyRule(rules[i] as JsonObject, namespaced, $"rules[{i}]", errs);
        return errs;
    }

    static void PolicyRule(JsonObject? rule, bool namespaced, string path, List<FieldError> errs)
    {
        int Count(string key) => Arr(rule, key)?.Count ?? 0;
        if (Count("verbs") == 0) errs.Add(FieldError.Required(path + ".verbs", "verbs must contain at least one value"));
        if (Count("nonResourceURLs") > 0)
        {
            var urls = GoFormat.Json(Arr(rule, "nonResourceURLs"));
            if (namespaced) errs.Add(FieldError.Invalid(path + ".nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"));
            if (Count("apiGroups") > 0 || Count("resources") > 0 || Count("resourceNames") > 0)
                errs.Add(FieldError.Invalid(path + ".nonResourceURLs", urls, "rules cannot apply to both regular resources and non-resource URLs"));
            return;
        }
        if (Count("apiGroups") == 0) errs.Add(FieldError.Required(path + ".apiGroups", "resource rules must supply at least one api group"));
        if (Count("resources") == 0) errs.Add(FieldError.Required(path + ".resources", "resource rules must supply at least one resource"));
    }

    static List<FieldError> Binding(JsonObject obj, bool namespaced)
    {
        var errs = ObjectMeta(obj, namespaced, NameRule.PathSegment).ToList();
        var roleRef = Obj(obj, "roleRef");
        var apiGroup = Str(roleRef, "apiGroup") ?? "";
        if (apiGroup != RbacGroup) errs.Add(FieldError.NotSupported("roleRef.apiGroup", GoFormat.Quote(apiGroup), [RbacGroup]));
        var kind = Str(roleRef, "kind") ?? "";
        string[] kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
        if (!kinds.Contains(kind)) errs.Add(FieldError.NotSupported("roleRef.kind", GoFormat.Quote(kind), kinds));
        var name = Str(roleRef, "name") ?? "";
        if (name.Length == 0) errs.Add(FieldError.Required("roleRef.name"));
        else InvalidEach(errs, "roleRef.name", GoFormat.Quote(name), NameErrors(NameRule.PathSegment, name, prefix: false));

        var subjects = Arr(obj, "subjects") ?? [];
        for (var i = 0; i < subjects.Count; i++) Subject(subjects[i] as JsonObject, namespaced, $"subjects[{i}]", errs);
        return errs;
    }

    static void Subject(JsonObject? subject, bool namespaced, string path, List<FieldError> errs)
    {
        var name = Str(subject, "name") ?? "";
        var apiGroup = Str(subject, "apiGroup") ?? "";
        if (name.Length == 0) errs.Add(FieldError.Required(path + ".name"));
        switch (Str(subject, "kind") ?? "")
        {
            case "ServiceAccount":
                if (name.Length > 0) InvalidEach(errs, path + ".name", GoFormat.Quote(name), NameErrors(NameRule.DnsSubdomain, name, prefix: false));
                if (apiGroup.Length > 0) errs.Add(FieldError.NotSupported(path + ".apiGroup", GoFormat.Quote(apiGroup), [""]));
                if (!namespaced && string.IsNullOrEmpty(Str(subject, "namespace"))) errs.Add(FieldError.Required(path + ".namespace"));
                break;
            case "User" or "Group":
                if (apiGroup != RbacGroup) errs.Add(FieldError.NotSupported(path + ".apiGroup", GoFormat.Quote(apiGroup), [RbacGroup]));
                break;
            case var kind:
                errs.Add(FieldError.NotSupported(path + ".kind", GoFormat.Quote(kind), ["ServiceAccount", "User", "Group"]));
                break;
        }
    }
}
