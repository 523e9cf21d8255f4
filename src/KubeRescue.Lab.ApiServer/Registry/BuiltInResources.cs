using k8s.Models;
using KubeRescue.Lab.ApiServer.Resources;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Validation;
using T = KubeRescue.Lab.ApiServer.Tables.Tables;

namespace KubeRescue.Lab.ApiServer.Registry;

/// <summary>The resources the lab serves: one registration each, with the names, short names and behaviour of the real API server.</summary>
public static class BuiltInResources
{
    static readonly StatusSubresource Status = new();
    static readonly ScaleSubresource Scale = new();

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        new()
        {
            Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Namespaced = false, Model = typeof(V1Namespace),
            ShortNames = ["ns"], FieldSelectors = FieldSets.Namespaces, Table = T.Namespaces, Strategy = new NamespaceStrategy(),
            ReturnDeletedObject = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status, ["finalize"] = new NamespaceFinalizeSubresource() },
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Node", Plural = "nodes", Namespaced = false, Model = typeof(V1Node),
            ShortNames = ["no"], FieldSelectors = FieldSets.Nodes, Table = T.Nodes,
            Strategy = new ValidatingStrategy(Validators.Node, keepStatusOnCreate: true),
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Pod", Plural = "pods", Namespaced = true, Model = typeof(V1Pod),
            ShortNames = ["po"], Categories = ["all"], FieldSelectors = FieldSets.Pods, Table = T.Pods, Strategy = new PodStrategy(),
            ReturnDeletedObject = true,
            Subresources = new Dictionary<string, Subresource>
            {
                ["status"] = new StatusSubresource("ownerReferences"), ["binding"] = new BindingSubresource(), ["eviction"] = new EvictionSubresource(),
            },
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Namespaced = true, Model = typeof(V1ConfigMap),
            ShortNames = ["cm"], FieldSelectors = FieldSets.ConfigMaps, Table = T.ConfigMaps, Strategy = new ValidatingStrategy(Validators.ConfigMap),
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Namespaced = true, Model = typeof(V1Secret),
            FieldSelectors = FieldSets.Secrets, Table = T.Secrets, Strategy = new ValidatingStrategy(Validators.Secret),
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Namespaced = true, Model = typeof(V1ServiceAccount),
            ShortNames = ["sa"], FieldSelectors = FieldSets.ServiceAccounts, Table = T.ServiceAccounts, Strategy = new ValidatingStrategy(Validators.ServiceAccount),
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Service", Plural = "services", Namespaced = true, Model = typeof(V1Service),
            ShortNames = ["svc"], Categories = ["all"], FieldSelectors = FieldSets.Services, Table = T.Services,
            Strategy = new ValidatingStrategy(Validators.Service), Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Endpoints", Plural = "endpoints", Namespaced = true, Model = typeof(V1Endpoints),
            ShortNames = ["ep"], FieldSelectors = FieldSets.Endpoints, Table = T.Endpoints, Strategy = new ValidatingStrategy(Validators.Endpoints),
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Event", Plural = "events", Namespaced = true, Model = typeof(Corev1Event),
            ShortNames = ["ev"], FieldSelectors = FieldSets.Events, Table = T.Events, Strategy = new ValidatingStrategy(Validators.Event),
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Namespaced = true, Model = typeof(V1Deployment),
            ShortNames = ["deploy"], Categories = ["all"], FieldSelectors = FieldSets.Deployments, Table = T.Deployments,
            Strategy = new DeploymentStrategy(), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = new StatusSubresource("labels"), ["scale"] = Scale },
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "ReplicaSet", Plural = "replicasets", Namespaced = true, Model = typeof(V1ReplicaSet),
            ShortNames = ["rs"], Categories = ["all"], FieldSelectors = FieldSets.ReplicaSets, Table = T.ReplicaSets,
            Strategy = new ReplicaSetStrategy(), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status, ["scale"] = Scale },
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "DaemonSet", Plural = "daemonsets", Namespaced = true, Model = typeof(V1DaemonSet),
            ShortNames = ["ds"], Categories = ["all"], FieldSelectors = FieldSets.DaemonSets, Table = T.DaemonSets,
            Strategy = new DaemonSetStrategy(), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Namespaced = true, Model = typeof(V1Lease),
            FieldSelectors = FieldSets.Leases, Table = T.Leases, Strategy = new ValidatingStrategy(Validators.Lease),
        },
        new()
        {
            Group = "policy", Version = "v1", Kind = "PodDisruptionBudget", Plural = "poddisruptionbudgets", Namespaced = true,
            Model = typeof(V1PodDisruptionBudget), ShortNames = ["pdb"], FieldSelectors = FieldSets.PodDisruptionBudgets, Table = T.PodDisruptionBudgets,
            Strategy = new ValidatingStrategy(Validators.PodDisruptionBudget), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Group = Validators.RbacGroup, Version = "v1", Kind = "Role", Plural = "roles", Namespaced = true, Model = typeof(V1Role),
            FieldSelectors = FieldSets.Roles, Strategy = new ValidatingStrategy(Validators.Role),
        },
        new()
        {
            Group = Validators.RbacGroup, Version = "v1", Kind = "RoleBinding", Plural = "rolebindings", Namespaced = true, Model = typeof(V1RoleBinding),
            FieldSelectors = FieldSets.RoleBindings, Table = T.RoleBindings, Strategy = new BindingStrategy("RoleBinding"),
        },
        new()
        {
            Group = Validators.RbacGroup, Version = "v1", Kind = "ClusterRole", Plural = "clusterroles", Namespaced = false, Model = typeof(V1ClusterRole),
            FieldSelectors = FieldSets.ClusterRoles, Strategy = new ValidatingStrategy(Validators.ClusterRole),
        },
        new()
        {
            Group = Validators.RbacGroup, Version = "v1", Kind = "ClusterRoleBinding", Plural = "clusterrolebindings", Namespaced = false,
            Model = typeof(V1ClusterRoleBinding), FieldSelectors = FieldSets.ClusterRoleBindings, Table = T.ClusterRoleBindings,
            Strategy = new BindingStrategy("ClusterRoleBinding"),
        },
        new()
        {
            Group = "authorization.k8s.io", Version = "v1", Kind = "SelfSubjectAccessReview", Plural = "selfsubjectaccessreviews",
            Namespaced = false, Model = typeof(V1SelfSubjectAccessReview), FieldSelectors = FieldSets.ClusterScoped, Verbs = ["create"],
            Review = new SelfSubjectAccessReview(),
        },
        new()
        {
            Group = "authentication.k8s.io", Version = "v1", Kind = "SelfSubjectReview", Plural = "selfsubjectreviews",
            Namespaced = false, Model = typeof(V1SelfSubjectReview), FieldSelectors = FieldSets.ClusterScoped, Verbs = ["create"],
            Review = new SelfSubjectReview(),
        },
    ];
}
