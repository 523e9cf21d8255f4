namespace KubeRescue.Kubernetes.Client;

/// <summary>One resource of the API as discovery names it (group, version, kind, plural, scope), and where its objects are.</summary>
public sealed record ApiResource(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>
    /// The path of a collection (a namespace's, or every namespace's when <paramref name="ns"/> is null) or, with
    /// <paramref name="name"/>, of one object: <c>/api/v1/namespaces/kube-system/pods/x</c>, <c>/apis/apps/v1/deployments</c>.
    /// </summary>
    public string Path(string? ns = null, string? name = null)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        var collection = Namespaced && ns is not null ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{root}/{Plural}";
        return name is null ? collection : $"{collection}/{Uri.EscapeDataString(name)}";
    }

    public override string ToString() => $"{Kind}.{ApiVersion}";
}

/// <summary>
/// The built-in resources kube-rescue and its lab know, one entry each: what the lab's API server serves (with the
/// behaviour it registers beside each), what the lab's controllers list, watch and collect, and what the tool reads.
/// </summary>
public static class ApiResources
{
    public static readonly ApiResource Namespaces = new("", "v1", "Namespace", "namespaces", false);
    public static readonly ApiResource Nodes = new("", "v1", "Node", "nodes", false);
    public static readonly ApiResource Pods = new("", "v1", "Pod", "pods", true);
    public static readonly ApiResource ConfigMaps = new("", "v1", "ConfigMap", "configmaps", true);
    public static readonly ApiResource Secrets = new("", "v1", "Secret", "secrets", true);
    public static readonly ApiResource ServiceAccounts = new("", "v1", "ServiceAccount", "serviceaccounts", true);
    public static readonly ApiResource Services = new("", "v1", "Service", "services", true);
    public static readonly ApiResource Endpoints = new("", "v1", "Endpoints", "endpoints", true);
    public static readonly ApiResource Events = new("", "v1", "Event", "events", true);
    public static readonly ApiResource Deployments = new("apps", "v1", "Deployment", "deployments", true);
    public static readonly ApiResource ReplicaSets = new("apps", "v1", "ReplicaSet", "replicasets", true);
    public static readonly ApiResource DaemonSets = new("apps", "v1", "DaemonSet", "daemonsets", true);
    public static readonly ApiResource Leases = new("coordination.k8s.io", "v1", "Lease", "leases", true);
    public static readonly ApiResource PodDisruptionBudgets = new("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true);
    public static readonly ApiResource Roles = new("rbac.authorization.k8s.io", "v1", "Role", "roles", true);
    public static readonly ApiResource RoleBindings = new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true);
    public static readonly ApiResource ClusterRoles = new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false);
    public static readonly ApiResource ClusterRoleBindings = new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false);
    public static readonly ApiResource SelfSubjectAccessReviews = new("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false);
    public static readonly ApiResource SelfSubjectReviews = new("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false);

    public static IReadOnlyList<ApiResource> All { get; } =
    [
        Namespaces, Nodes, Pods, ConfigMaps, Secrets, ServiceAccounts, Services, Endpoints, Events, Deployments, ReplicaSets, DaemonSets, Leases, PodDisruptionBudgets, Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, SelfSubjectAccessReviews, SelfSubjectReviews,
    ];

    /// <summary>The resource of an object's apiVersion and kind (an owner reference's), or null for one not built in.</summary>
    public static ApiResource? Find(string? apiVersion, string? kind) => All.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
}
