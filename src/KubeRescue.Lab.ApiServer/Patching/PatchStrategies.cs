using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>
/// A field's strategic-merge-patch metadata, as the Go struct tags of the built-in types declare it
/// (and as OpenAPI publishes it in x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key).
/// </summary>
/// <param name="Strategy">"merge", "replace", "retainKeys" or "merge,retainKeys", verbatim from the tag.</param>
/// <param name="MergeKey">The patchMergeKey tag; null for lists of primitives and for non-list fields.</param>
public sealed record PatchStrategy(string Strategy, string? MergeKey);

/// <summary>
/// Patch metadata of the Kubernetes built-in types, keyed by KubernetesClient model type and JSON field name.
/// </summary>
public static class PatchStrategies
{
    // Every field of k8s.io/api (all group versions the client models), k8s.io/apimachinery meta/v1 and
    // kube-aggregator apiregistration/v1 whose Go struct carries a patchStrategy tag. A field absent here
    // has no tag: the server replaces it whole (lists such as tolerations, taints, envFrom, args are atomic).
    // EphemeralContainerCommon is inlined into EphemeralContainer, which is where the client models it.
    private static readonly Dictionary<(Type, string), PatchStrategy> Table = new()
    {
        // admissionregistration/v1
        [(typeof(V1MutatingAdmissionPolicySpec), "matchConditions")] = new("merge", "name"),
        [(typeof(V1MutatingWebhook), "matchConditions")] = new("merge", "name"),
        [(typeof(V1MutatingWebhookConfiguration), "webhooks")] = new("merge", "name"),
        [(typeof(V1ValidatingAdmissionPolicySpec), "matchConditions")] = new("merge", "name"),
        [(typeof(V1ValidatingAdmissionPolicySpec), "variables")] = new("merge", "name"),
        [(typeof(V1ValidatingWebhook), "matchConditions")] = new("merge", "name"),
        [(typeof(V1ValidatingWebhookConfiguration), "webhooks")] = new("merge", "name"),

        // admissionregistration/v1alpha1
        [(typeof(V1alpha1MutatingAdmissionPolicySpec), "matchConditions")] = new("merge", "name"),

        // admissionregistration/v1beta1
        [(typeof(V1beta1MutatingAdmissionPolicySpec), "matchConditions")] = new("merge", "name"),

        // apiregistration/v1
        [(typeof(V1APIServiceStatus), "conditions")] = new("merge", "type"),

        // apps/v1
        [(typeof(V1DaemonSetStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1DeploymentSpec), "strategy")] = new("retainKeys", null),
        [(typeof(V1DeploymentStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1ReplicaSetStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1StatefulSetStatus), "conditions")] = new("merge", "type"),

        // autoscaling/v2
        [(typeof(V2HorizontalPodAutoscalerStatus), "conditions")] = new("merge", "type"),

        // batch/v1
        [(typeof(V1JobSchedulingConfiguration), "resourceClaims")] = new("merge", "name"),
        [(typeof(V1JobStatus), "conditions")] = new("merge", "type"),

        // certificates/v1
        [(typeof(V1PodCertificateRequestStatus), "conditions")] = new("merge", "type"),

        // certificates/v1beta1
        [(typeof(V1beta1PodCertificateRequestStatus), "conditions")] = new("merge", "type"),

        // core/v1
        [(typeof(V1ComponentStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1Container), "env")] = new("merge", "name"),
        [(typeof(V1Container), "ports")] = new("merge", "containerPort"),
        [(typeof(V1Container), "volumeDevices")] = new("merge", "devicePath"),
        [(typeof(V1Container), "volumeMounts")] = new("merge", "mountPath"),
        [(typeof(V1ContainerStatus), "allocatedResourcesStatus")] = new("merge", "name"),
        [(typeof(V1ContainerStatus), "volumeMounts")] = new("merge", "mountPath"),
        [(typeof(V1NamespaceStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1NodeAllocatableResourceClaimStatus), "mapping")] = new("merge", "name"),
        [(typeof(V1NodeAllocatableResourceClaimStatus), "overhead")] = new("merge", "name"),
        [(typeof(V1NodeSpec), "podCIDRs")] = new("merge", null),
        [(typeof(V1NodeStatus), "addresses")] = new("merge", "type"),
        [(typeof(V1NodeStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1PersistentVolumeClaimStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1PodSpec), "containers")] = new("merge", "name"),
        [(typeof(V1PodSpec), "ephemeralContainers")] = new("merge", "name"),
        [(typeof(V1PodSpec), "evictionResponders")] = new("merge", "name"),
        [(typeof(V1PodSpec), "hostAliases")] = new("merge", "ip"),
        [(typeof(V1PodSpec), "imagePullSecrets")] = new("merge", "name"),
        [(typeof(V1PodSpec), "initContainers")] = new("merge", "name"),
        [(typeof(V1PodSpec), "resourceClaims")] = new("merge,retainKeys", "name"),
        [(typeof(V1PodSpec), "schedulingGates")] = new("merge", "name"),
        [(typeof(V1PodSpec), "topologySpreadConstraints")] = new("merge", "topologyKey"),
        [(typeof(V1PodSpec), "volumes")] = new("merge,retainKeys", "name"),
        [(typeof(V1PodStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1PodStatus), "hostIPs")] = new("merge", "ip"),
        [(typeof(V1PodStatus), "nodeAllocatableResourceClaimStatuses")] = new("merge", "resourceClaimName"),
        [(typeof(V1PodStatus), "podIPs")] = new("merge", "ip"),
        [(typeof(V1PodStatus), "resourceClaimStatuses")] = new("merge,retainKeys", "name"),
        [(typeof(V1PodVolumeHealth), "healthConditions")] = new("merge", "status"),
        [(typeof(V1ReplicationControllerStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1ServiceAccount), "secrets")] = new("merge", "name"),
        [(typeof(V1ServiceSpec), "ports")] = new("merge", "port"),
        [(typeof(V1ServiceStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1VolumeHealthStatus), "healthConditions")] = new("merge", "status"),
        [(typeof(V1EphemeralContainer), "env")] = new("merge", "name"),
        [(typeof(V1EphemeralContainer), "ports")] = new("merge", "containerPort"),
        [(typeof(V1EphemeralContainer), "volumeDevices")] = new("merge", "devicePath"),
        [(typeof(V1EphemeralContainer), "volumeMounts")] = new("merge", "mountPath"),

        // flowcontrol/v1
        [(typeof(V1FlowSchemaStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1PriorityLevelConfigurationStatus), "conditions")] = new("merge", "type"),

        // lifecycle/v1alpha1
        [(typeof(V1alpha1EvictionRequestStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1alpha1EvictionStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1alpha1EvictionStatus), "requesters")] = new("merge", "name"),
        [(typeof(V1alpha1EvictionStatus), "responders")] = new("merge", "name"),
        [(typeof(V1alpha1EvictionStatus), "targetResponders")] = new("merge", "name"),

        // meta/v1
        [(typeof(V1ObjectMeta), "finalizers")] = new("merge", null),
        [(typeof(V1ObjectMeta), "ownerReferences")] = new("merge", "uid"),

        // networking/v1
        [(typeof(V1ServiceCIDRStatus), "conditions")] = new("merge", "type"),

        // policy/v1
        [(typeof(V1PodDisruptionBudgetSpec), "selector")] = new("replace", null),
        [(typeof(V1PodDisruptionBudgetStatus), "conditions")] = new("merge", "type"),

        // resource/v1
        [(typeof(V1DeviceTaintRuleStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1ResourceClaimStatus), "reservedFor")] = new("merge", "uid"),

        // resource/v1alpha3
        [(typeof(V1alpha3DeviceTaintRuleStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1alpha3ResourcePoolStatusRequestStatus), "conditions")] = new("merge", "type"),

        // resource/v1beta1
        [(typeof(V1beta1ResourceClaimStatus), "reservedFor")] = new("merge", "uid"),

        // resource/v1beta2
        [(typeof(V1beta2DeviceTaintRuleStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1beta2ResourceClaimStatus), "reservedFor")] = new("merge", "uid"),

        // scheduling/v1alpha3
        [(typeof(V1alpha3CompositePodGroupStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1alpha3PodGroupSpec), "resourceClaims")] = new("merge,retainKeys", "name"),
        [(typeof(V1alpha3PodGroupStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1alpha3PodGroupStatus), "resourceClaimStatuses")] = new("merge,retainKeys", "name"),
        [(typeof(V1alpha3PodGroupTemplate), "resourceClaims")] = new("merge,retainKeys", "name"),

        // scheduling/v1beta1
        [(typeof(V1beta1PodGroupSpec), "resourceClaims")] = new("merge,retainKeys", "name"),
        [(typeof(V1beta1PodGroupStatus), "conditions")] = new("merge", "type"),
        [(typeof(V1beta1PodGroupStatus), "resourceClaimStatuses")] = new("merge,retainKeys", "name"),
        [(typeof(V1beta1PodGroupTemplate), "resourceClaims")] = new("merge,retainKeys", "name"),

        // storage/v1
        [(typeof(V1CSINodeSpec), "drivers")] = new("merge", "name"),
        [(typeof(V1CSINodeStatus), "storageHealth")] = new("merge", "name"),

        // storagemigration/v1
        [(typeof(V1StorageVersionMigrationStatus), "conditions")] = new("merge", "type"),

        // storagemigration/v1beta1
        [(typeof(V1beta1StorageVersionMigrationStatus), "conditions")] = new("merge", "type"),
    };

    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> Properties = new();

    /// <summary>The patch metadata of <paramref name="jsonPropertyName"/> in <paramref name="declaringModelType"/>, or null when the field has none.</summary>
    public static PatchStrategy? Lookup(Type declaringModelType, string jsonPropertyName) =>
        Table.GetValueOrDefault((declaringModelType, jsonPropertyName));

    /// <summary>
    /// The model type found under <paramref name="jsonPropertyName"/> of <paramref name="modelType"/>: the property's
    /// model type, or the element model type of a list. Null when the field is unknown to the model, or holds
    /// primitives, dictionaries, IntOrString, quantities or free-form objects.
    /// </summary>
    public static Type? ChildModelType(Type modelType, string jsonPropertyName) =>
        PropertiesOf(modelType).GetValueOrDefault(jsonPropertyName);

    private static bool IsModelType(Type type) =>
        type.IsClass && type.Namespace == typeof(V1Pod).Namespace
            && type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null);

    private static Dictionary<string, Type> PropertiesOf(Type modelType) =>
        Properties.GetOrAdd(modelType, static t =>
        {
            var children = new Dictionary<string, Type>(StringComparer.Ordinal);
            foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name
                    && ModelOf(property.PropertyType) is { } child)
                {
                    children[name.Name] = child;
                }
            }

            return children;
        });

    private static Type? ModelOf(Type propertyType)
    {
        if (IsModelType(propertyType))
        {
            return propertyType;
        }

        // Dictionaries are IEnumerable too, but their values are not list elements a merge key applies to.
        if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IList<>) || definition == typeof(List<>)
                || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>))
            && propertyType.GetGenericArguments()[0] is var element && IsModelType(element))
        {
            return element;
        }

        return propertyType.IsArray && propertyType.GetElementType() is { } arrayElement && IsModelType(arrayElement)
            ? arrayElement
            : null;
    }
}
