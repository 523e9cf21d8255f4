using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.ApiServer.Resources;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Validation;
using k8s.Models;
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
            Resource = ApiResources.Namespaces, Model = typeof(V1Namespace),
            ShortNames = ["ns"], FieldSelectors = FieldSets.Namespaces, Table = T.Namespaces, Strategy = new NamespaceStrategy(),
            ReturnDeletedObject = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status, ["finalize"] = new NamespaceFinalizeSubresource() },
        },
        new()
        {
            Resource = ApiResources.Nodes, Model = typeof(V1Node),
            ShortNames = ["no"], FieldSelectors = FieldSets.Nodes, Table = T.Nodes,
            Strategy = new ValidatingStrategy(Validators.Node, keepStatusOnCreate: true),
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Resource = ApiResources.Pods, Model = typeof(V1Pod),
            ShortNames = ["po"], Categories = ["all"], FieldSelectors = FieldSets.Pods, Table = T.Pods, Strategy = new PodStrategy(),
            ReturnDeletedObject = true,
            Subresources = new Dictionary<string, Subresource>
            {
                ["status"] = new StatusSubresource("ownerReferences"), ["binding"] = new BindingSubresource(), ["eviction"] = new EvictionSubresource(),
            },
        },
        new()
        {
            Resource = ApiResources.ConfigMaps, Model = typeof(V1ConfigMap),
            ShortNames = ["cm"], FieldSelectors = FieldSets.ConfigMaps, Table = T.ConfigMaps, Strategy = new ValidatingStrategy(Validators.ConfigMap),
        },
        new()
        {
            Resource = ApiResources.Secrets, Model = typeof(V1Secret),
            FieldSelectors = FieldSets.Secrets, Table = T.Secrets, Strategy = new ValidatingStrategy(Validators.Secret),
        },
        new()
        {
            Resource = ApiResources.ServiceAccounts, Model = typeof(V1ServiceAccount),
            ShortNames = ["sa"], FieldSelectors = FieldSets.ServiceAccounts, Table = T.ServiceAccounts, Strategy = new ValidatingStrategy(Validators.ServiceAccount),
        },
        new()
        {
            Resource = ApiResources.Services, Model = typeof(V1Service),
            ShortNames = ["svc"], Categories = ["all"], FieldSelectors = FieldSets.Services, Table = T.Services,
            Strategy = new ValidatingStrategy(Validators.Service), Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Resource = ApiResources.Endpoints, Model = typeof(V1Endpoints),
            ShortNames = ["ep"], FieldSelectors = FieldSets.Endpoints, Table = T.Endpoints, Strategy = new ValidatingStrategy(Validators.Endpoints),
        },
        new()
        {
            Resource = ApiResources.Events, Model = typeof(Corev1Event),
            ShortNames = ["ev"], FieldSelectors = FieldSets.Events, Table = T.Events, Strategy = new ValidatingStrategy(Validators.Event),
        },
        new()
        {
            Resource = ApiResources.Deployments, Model = typeof(V1Deployment),
            ShortNames = ["deploy"], Categories = ["all"], FieldSelectors = FieldSets.Deployments, Table = T.Deployments,
            Strategy = new DeploymentStrategy(), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = new StatusSubresource("labels"), ["scale"] = Scale },
        },
        new()
        {
            Resource = ApiResources.ReplicaSets, Model = typeof(V1ReplicaSet),
            ShortNames = ["rs"], Categories = ["all"], FieldSelectors = FieldSets.ReplicaSets, Table = T.ReplicaSets,
            Strategy = new ReplicaSetStrategy(), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status, ["scale"] = Scale },
        },
        new()
        {
            Resource = ApiResources.DaemonSets, Model = typeof(V1DaemonSet),
            ShortNames = ["ds"], Categories = ["all"], FieldSelectors = FieldSets.DaemonSets, Table = T.DaemonSets,
            Strategy = new DaemonSetStrategy(), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Resource = ApiResources.Leases, Model = typeof(V1Lease),
            FieldSelectors = FieldSets.Leases, Table = T.Leases, Strategy = new ValidatingStrategy(Validators.Lease),
        },
        new()
        {
            Resource = ApiResources.PodDisruptionBudgets,
            Model = typeof(V1PodDisruptionBudget), ShortNames = ["pdb"], FieldSelectors = FieldSets.PodDisruptionBudgets, Table = T.PodDisruptionBudgets,
            Strategy = new ValidatingStrategy(Validators.PodDisruptionBudget), TracksGeneration = true,
            Subresources = new Dictionary<string, Subresource> { ["status"] = Status },
        },
        new()
        {
            Resource = ApiResources.Roles, Model = typeof(V1Role),
            FieldSelectors = FieldSets.Roles, Strategy = new ValidatingStrategy(Validators.Role),
        },
        new()
        {
            Resource = ApiResources.RoleBindings, Model = typeof(V1RoleBinding),
            FieldSelectors = FieldSets.RoleBindings, Table = T.RoleBindings, Strategy = new BindingStrategy("RoleBinding"),
        },
        new()
        {
            Resource = ApiResources.ClusterRoles, Model = typeof(V1ClusterRole),
            FieldSelectors = FieldSets.ClusterRoles, Strategy = new ValidatingStrategy(Validators.ClusterRole),
        },
        new()
        {
            Resource = ApiResources.ClusterRoleBindings,
            Model = typeof(V1ClusterRoleBinding), FieldSelectors = FieldSets.ClusterRoleBindings, Table = T.ClusterRoleBindings,
            Strategy = new BindingStrategy("ClusterRoleBinding"),
        },
        new()
        {
            Resource = ApiResources.SelfSubjectAccessReviews, Model = typeof(V1SelfSubjectAccessReview), FieldSelectors = FieldSets.ClusterScoped, Verbs = ["create"],
            Review = new SelfSubjectAccessReview(),
        },
        new()
        {
            Resource = ApiResources.SelfSubjectReviews, Model = typeof(V1SelfSubjectReview), FieldSelectors = FieldSets.ClusterScoped, Verbs = ["create"],
            Review = new SelfSubjectReview(),
        },
    ];
}
