using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>
/// k8s.io/api core/v1 messages, numbered as in its generated.proto. A message lists every field Go always writes
/// (non-pointer scalars and structs), so that any object a Go client sends decodes; of the optional ones it lists
/// those a workload commonly sets, and the decoder refuses the rest by number.
/// </summary>
public static class CoreV1
{
    const string Core = "k8s.io.api.core.v1.";

    public static readonly ProtoMessage LocalObjectReference = new(Core + "LocalObjectReference", Str(1, "name"));

    public static readonly ProtoMessage ObjectReference = new(Core + "ObjectReference",
        Str(1, "kind"), Str(2, "namespace"), Str(3, "name"), Str(4, "uid"), Str(5, "apiVersion"), Str(6, "resourceVersion"), Str(7, "fieldPath"));

    // Containers.

    public static readonly ProtoMessage ContainerPort = new(Core + "ContainerPort",
        Str(1, "name"), Int32(2, "hostPort"), Int32(3, "containerPort", Zero.Keep), Str(4, "protocol"), Str(5, "hostIP"));

    public static readonly ProtoMessage ObjectFieldSelector = new(Core + "ObjectFieldSelector",
        Str(1, "apiVersion"), Str(2, "fieldPath", Zero.Keep));

    public static readonly ProtoMessage ResourceFieldSelector = new(Core + "ResourceFieldSelector",
        Str(1, "containerName"), Str(2, "resource", Zero.Keep), Msg(3, "divisor", Quantity));

    public static readonly ProtoMessage ConfigMapKeySelector = new(Core + "ConfigMapKeySelector",
        Inline(1, LocalObjectReference), Str(2, "key", Zero.Keep), Bool(3, "optional", Zero.Keep));

    public static readonly ProtoMessage SecretKeySelector = new(Core + "SecretKeySelector",
        Inline(1, LocalObjectReference), Str(2, "key", Zero.Keep), Bool(3, "optional", Zero.Keep));

    public static readonly ProtoMessage EnvVarSource = new(Core + "EnvVarSource",
        Msg(1, "fieldRef", ObjectFieldSelector), Msg(2, "resourceFieldRef", ResourceFieldSelector),
        Msg(3, "configMapKeyRef", ConfigMapKeySelector), Msg(4, "secretKeyRef", SecretKeySelector));

    public static readonly ProtoMessage EnvVar = new(Core + "EnvVar",
        Str(1, "name", Zero.Keep), Str(2, "value"), Msg(3, "valueFrom", EnvVarSource));

    public static readonly ProtoMessage ConfigMapEnvSource = new(Core + "ConfigMapEnvSource",
        Inline(1, LocalObjectReference), Bool(2, "optional", Zero.Keep));

    public static readonly ProtoMessage SecretEnvSource = new(Core + "SecretEnvSource",
        Inline(1, LocalObjectReference), Bool(2, "optional", Zero.Keep));

    public static readonly ProtoMessage EnvFromSource = new(Core + "EnvFromSource",
        Str(1, "prefix"), Msg(2, "configMapRef", ConfigMapEnvSource), Msg(3, "secretRef", SecretEnvSource));

    public static readonly ProtoMessage ResourceClaim = new(Core + "ResourceClaim", Str(1, "name", Zero.Keep), Str(2, "request"));

    public static readonly ProtoMessage ResourceRequirements = new(Core + "ResourceRequirements",
        MsgMap(1, "limits", Quantity), MsgMap(2, "requests", Quantity), Msgs(3, "claims", ResourceClaim));

    public static readonly ProtoMessage VolumeMount = new(Core + "VolumeMount",
        Str(1, "name", Zero.Keep), Bool(2, "readOnly"), Str(7, "recursiveReadOnly", Zero.Keep), Str(3, "mountPath", Zero.Keep),
        Str(4, "subPath"), Str(5, "mountPropagation", Zero.Keep), Str(6, "subPathExpr"));

    public static readonly ProtoMessage ExecAction = new(Core + "ExecAction", Strs(1, "command"));

    public static readonly ProtoMessage HTTPHeader = new(Core + "HTTPHeader", Str(1, "name", Zero.Keep), Str(2, "value", Zero.Keep));

    public static readonly ProtoMessage HTTPGetAction = new(Core + "HTTPGetAction",
        Str(1, "path"), Msg(2, "port", IntOrString), Str(3, "host"), Str(4, "scheme"), Msgs(5, "httpHeaders", HTTPHeader));

    public static readonly ProtoMessage TCPSocketAction = new(Core + "TCPSocketAction", Msg(1, "port", IntOrString), Str(2, "host"));

    public static readonly ProtoMessage GRPCAction = new(Core + "GRPCAction", Int32(1, "port", Zero.Keep), Str(2, "service", Zero.Keep));

    public static readonly ProtoMessage ProbeHandler = new(Core + "ProbeHandler",
        Msg(1, "exec", ExecAction), Msg(2, "httpGet", HTTPGetAction), Msg(3, "tcpSocket", TCPSocketAction), Msg(4, "grpc", GRPCAction));

    public static readonly ProtoMessage Probe = new(Core + "Probe",
        Inline(1, ProbeHandler), Int32(2, "initialDelaySeconds"), Int32(3, "timeoutSeconds"), Int32(4, "periodSeconds"),
        Int32(5, "successThreshold"), Int32(6, "failureThreshold"), Int64(7, "terminationGracePeriodSeconds", Zero.Keep));

    public static readonly ProtoMessage SleepAction = new(Core + "SleepAction", Int64(1, "seconds", Zero.Keep));

    public static readonly ProtoMessage LifecycleHandler = new(Core + "LifecycleHandler",
        Msg(1, "exec", ExecAction), Msg(2, "httpGet", HTTPGetAction), Msg(3, "tcpSocket", TCPSocketAction), Msg(4, "sleep", SleepAction));

    public static readonly ProtoMessage Lifecycle = new(Core + "Lifecycle",
        Msg(1, "postStart", LifecycleHandler), Msg(2, "preStop", LifecycleHandler), Str(3, "stopSignal", Zero.Keep));

    public static readonly ProtoMessage Capabilities = new(Core + "Capabilities", Strs(1, "add"), Strs(2, "drop"));

    public static readonly ProtoMessage SeccompProfile = new(Core + "SeccompProfile",
        Str(1, "type", Zero.Keep), Str(2, "localhostProfile", Zero.Keep));

    public static readonly ProtoMessage SecurityContext = new(Core + "SecurityContext",
        Msg(1, "capabilities", Capabilities), Bool(2, "privileged", Zero.Keep), Int64(4, "runAsUser", Zero.Keep),
        Int64(8, "runAsGroup", Zero.Keep), Bool(5, "runAsNonRoot", Zero.Keep), Bool(6, "readOnlyRootFilesystem", Zero.Keep),
        Bool(7, "allowPrivilegeEscalation", Zero.Keep), Str(9, "procMount", Zero.Keep), Msg(11, "seccompProfile", SeccompProfile));

    public static readonly ProtoMessage Container = new(Core + "Container",
        Str(1, "name", Zero.Keep), Str(2, "image"), Strs(3, "command"), Strs(4, "args"), Str(5, "workingDir"),
        Msgs(6, "ports", ContainerPort), Msgs(19, "envFrom", EnvFromSource), Msgs(7, "env", EnvVar),
        Msg(8, "resources", ResourceRequirements), Str(24, "restartPolicy", Zero.Keep), Msgs(9, "volumeMounts", VolumeMount),
        Msg(10, "livenessProbe", Probe), Msg(11, "readinessProbe", Probe), Msg(22, "startupProbe", Probe), Msg(12, "lifecycle", Lifecycle),
        Str(13, "terminationMessagePath"), Str(20, "terminationMessagePolicy"), Str(14, "imagePullPolicy"),
        Msg(15, "securityContext", SecurityContext), Bool(16, "stdin"), Bool(17, "stdinOnce"), Bool(18, "tty"));

    // Volumes.

    public static readonly ProtoMessage KeyToPath = new(Core + "KeyToPath",
        Str(1, "key", Zero.Keep), Str(2, "path", Zero.Keep), Int32(3, "mode", Zero.Keep));

    public static readonly ProtoMessage HostPathVolumeSource = new(Core + "HostPathVolumeSource",
        Str(1, "path", Zero.Keep), Str(2, "type", Zero.Keep));

    public static readonly ProtoMessage EmptyDirVolumeSource = new(Core + "EmptyDirVolumeSource",
        Str(1, "medium"), Msg(2, "sizeLimit", Quantity));

    public static readonly ProtoMessage SecretVolumeSource = new(Core + "SecretVolumeSource",
        Str(1, "secretName"), Msgs(2, "items", KeyToPath), Int32(3, "defaultMode", Zero.Keep), Bool(4, "optional", Zero.Keep));

    public static readonly ProtoMessage ConfigMapVolumeSource = new(Core + "ConfigMapVolumeSource",
        Inline(1, LocalObjectReference), Msgs(2, "items", KeyToPath), Int32(3, "defaultMode", Zero.Keep), Bool(4, "optional", Zero.Keep));

    public static readonly ProtoMessage PersistentVolumeClaimVolumeSource = new(Core + "PersistentVolumeClaimVolumeSource",
        Str(1, "claimName", Zero.Keep), Bool(2, "readOnly"));

    public static readonly ProtoMessage DownwardAPIVolumeFile = new(Core + "DownwardAPIVolumeFile",
        Str(1, "path", Zero.Keep), Msg(2, "fieldRef", ObjectFieldSelector), Msg(3, "resourceFieldRef", ResourceFieldSelector),
        Int32(4, "mode", Zero.Keep));

    public static readonly ProtoMessage DownwardAPIVolumeSource = new(Core + "DownwardAPIVolumeSource",
        Msgs(1, "items", DownwardAPIVolumeFile), Int32(2, "defaultMode", Zero.Keep));

    public static readonly ProtoMessage SecretProjection = new(Core + "SecretProjection",
        Inline(1, LocalObjectReference), Msgs(2, "items", KeyToPath), Bool(4, "optional", Zero.Keep));

    public static readonly ProtoMessage ConfigMapProjection = new(Core + "ConfigMapProjection",
        Inline(1, LocalObjectReference), Msgs(2, "items", KeyToPath), Bool(4, "optional", Zero.Keep));

    public static readonly ProtoMessage DownwardAPIProjection = new(Core + "DownwardAPIProjection", Msgs(1, "items", DownwardAPIVolumeFile));

    public static readonly ProtoMessage ServiceAccountTokenProjection = new(Core + "ServiceAccountTokenProjection",
        Str(1, "audience"), Int64(2, "expirationSeconds", Zero.Keep), Str(3, "path", Zero.Keep));

    public static readonly ProtoMessage VolumeProjection = new(Core + "VolumeProjection",
        Msg(1, "secret", SecretProjection), Msg(2, "downwardAPI", DownwardAPIProjection), Msg(3, "configMap", ConfigMapProjection),
        Msg(4, "serviceAccountToken", ServiceAccountTokenProjection));

    public static readonly ProtoMessage ProjectedVolumeSource = new(Core + "ProjectedVolumeSource",
        Msgs(1, "sources", VolumeProjection), Int32(2, "defaultMode", Zero.Keep));

    public static readonly ProtoMessage VolumeSource = new(Core + "VolumeSource",
        Msg(1, "hostPath", HostPathVolumeSource), Msg(2, "emptyDir", EmptyDirVolumeSource), Msg(6, "secret", SecretVolumeSource),
        Msg(10, "persistentVolumeClaim", PersistentVolumeClaimVolumeSource), Msg(16, "downwardAPI", DownwardAPIVolumeSource),
        Msg(19, "configMap", ConfigMapVolumeSource), Msg(26, "projected", ProjectedVolumeSource));

    public static readonly ProtoMessage Volume = new(Core + "Volume", Str(1, "name", Zero.Keep), Inline(2, VolumeSource));

    // Scheduling.

    public static readonly ProtoMessage Toleration = new(Core + "Toleration",
        Str(1, "key"), Str(2, "operator"), Str(3, "value"), Str(4, "effect"), Int64(5, "tolerationSeconds", Zero.Keep));

    public static readonly ProtoMessage NodeSelectorRequirement = new(Core + "NodeSelectorRequirement",
        Str(1, "key", Zero.Keep), Str(2, "operator", Zero.Keep), Strs(3, "values"));

    public static readonly ProtoMessage NodeSelectorTerm = new(Core + "NodeSelectorTerm",
        Msgs(1, "matchExpressions", NodeSelectorRequirement), Msgs(2, "matchFields", NodeSelectorRequirement));

    public static readonly ProtoMessage NodeSelector = new(Core + "NodeSelector", Msgs(1, "nodeSelectorTerms", NodeSelectorTerm));

    public static readonly ProtoMessage PreferredSchedulingTerm = new(Core + "PreferredSchedulingTerm",
        Int32(1, "weight", Zero.Keep), Msg(2, "preference", NodeSelectorTerm));

    public static readonly ProtoMessage NodeAffinity = new(Core + "NodeAffinity",
        Msg(1, "requiredDuringSchedulingIgnoredDuringExecution", NodeSelector),
        Msgs(2, "preferredDuringSchedulingIgnoredDuringExecution", PreferredSchedulingTerm));

    public static readonly ProtoMessage PodAffinityTerm = new(Core + "PodAffinityTerm",
        Msg(1, "labelSelector", LabelSelector), Strs(2, "namespaces"), Str(3, "topologyKey", Zero.Keep),
        Msg(4, "namespaceSelector", LabelSelector), Strs(5, "matchLabelKeys"), Strs(6, "mismatchLabelKeys"));

    public static readonly ProtoMessage WeightedPodAffinityTerm = new(Core + "WeightedPodAffinityTerm",
        Int32(1, "weight", Zero.Keep), Msg(2, "podAffinityTerm", PodAffinityTerm));

    public static readonly ProtoMessage PodAffinity = new(Core + "PodAffinity",
        Msgs(1, "requiredDuringSchedulingIgnoredDuringExecution", PodAffinityTerm),
        Msgs(2, "preferredDuringSchedulingIgnoredDuringExecution", WeightedPodAffinityTerm));

    public static readonly ProtoMessage PodAntiAffinity = new(Core + "PodAntiAffinity",
        Msgs(1, "requiredDuringSchedulingIgnoredDuringExecution", PodAffinityTerm),
        Msgs(2, "preferredDuringSchedulingIgnoredDuringExecution", WeightedPodAffinityTerm));

    public static readonly ProtoMessage Affinity = new(Core + "Affinity",
        Msg(1, "nodeAffinity", NodeAffinity), Msg(2, "podAffinity", PodAffinity), Msg(3, "podAntiAffinity", PodAntiAffinity));

    public static readonly ProtoMessage TopologySpreadConstraint = new(Core + "TopologySpreadConstraint",
        Int32(1, "maxSkew", Zero.Keep), Str(2, "topologyKey", Zero.Keep), Str(3, "whenUnsatisfiable", Zero.Keep),
        Msg(4, "labelSelector", LabelSelector), Int32(5, "minDomains", Zero.Keep), Str(6, "nodeAffinityPolicy", Zero.Keep),
        Str(7, "nodeTaintsPolicy", Zero.Keep), Strs(8, "matchLabelKeys"));

    // Pods.

    public static readonly ProtoMessage Sysctl = new(Core + "Sysctl", Str(1, "name", Zero.Keep), Str(2, "value", Zero.Keep));

    public static readonly ProtoMessage PodSecurityContext = new(Core + "PodSecurityContext",
        Int64(2, "runAsUser", Zero.Keep), Int64(6, "runAsGroup", Zero.Keep), Bool(3, "runAsNonRoot", Zero.Keep),
        Int64s(4, "supplementalGroups"), Int64(5, "fsGroup", Zero.Keep), Msgs(7, "sysctls", Sysctl),
        Str(9, "fsGroupChangePolicy", Zero.Keep), Msg(10, "seccompProfile", SeccompProfile));

    public static readonly ProtoMessage PodReadinessGate = new(Core + "PodReadinessGate", Str(1, "conditionType", Zero.Keep));

    public static readonly ProtoMessage PodOS = new(Core + "PodOS", Str(1, "name", Zero.Keep));

    public static readonly ProtoMessage PodSpec = new(Core + "PodSpec",
        Msgs(1, "volumes", Volume), Msgs(20, "initContainers", Container), Msgs(2, "containers", Container),
        Str(3, "restartPolicy"), Int64(4, "terminationGracePeriodSeconds", Zero.Keep), Int64(5, "activeDeadlineSeconds", Zero.Keep),
        Str(6, "dnsPolicy"), StrMap(7, "nodeSelector"), Str(8, "serviceAccountName"), Str(9, "serviceAccount"),
        Bool(21, "automountServiceAccountToken", Zero.Keep), Str(10, "nodeName"), Bool(11, "hostNetwork"), Bool(12, "hostPID"),
        Bool(13, "hostIPC"), Bool(27, "shareProcessNamespace", Zero.Keep), Msg(14, "securityContext", PodSecurityContext),
        Msgs(15, "imagePullSecrets", LocalObjectReference), Str(16, "hostname"), Str(17, "subdomain"), Msg(18, "affinity", Affinity),
        Str(19, "schedulerName"), Msgs(22, "tolerations", Toleration), Str(24, "priorityClassName"), Int32(25, "priority", Zero.Keep),
        Msgs(28, "readinessGates", PodReadinessGate), Str(29, "runtimeClassName", Zero.Keep), Bool(30, "enableServiceLinks", Zero.Keep),
        Str(31, "preemptionPolicy", Zero.Keep), MsgMap(32, "overhead", Quantity), Msgs(33, "topologySpreadConstraints", TopologySpreadConstraint),
        Bool(35, "setHostnameAsFQDN", Zero.Keep), Msg(36, "os", PodOS), Bool(37, "hostUsers", Zero.Keep));

    public static readonly ProtoMessage PodCondition = new(Core + "PodCondition",
        Str(1, "type", Zero.Keep), Int64(7, "observedGeneration"), Str(2, "status", Zero.Keep), Msg(3, "lastProbeTime", Time),
        Msg(4, "lastTransitionTime", Time), Str(5, "reason"), Str(6, "message"));

    public static readonly ProtoMessage HostIP = new(Core + "HostIP", Str(1, "ip", Zero.Keep));

    public static readonly ProtoMessage PodIP = new(Core + "PodIP", Str(1, "ip", Zero.Keep));

    /// <summary>What a client sends when it creates a pod: the scalars (always written), not the container statuses.</summary>
    public static readonly ProtoMessage PodStatus = new(Core + "PodStatus",
        Int64(17, "observedGeneration"), Str(1, "phase"), Msgs(2, "conditions", PodCondition), Str(3, "message"), Str(4, "reason"),
        Str(11, "nominatedNodeName"), Str(5, "hostIP"), Msgs(16, "hostIPs", HostIP), Str(6, "podIP"), Msgs(12, "podIPs", PodIP),
        Msg(7, "startTime", Time), Str(9, "qosClass"), Str(14, "resize"));

    public static readonly ProtoMessage Pod = new(Core + "Pod",
        Msg(1, "metadata", ObjectMeta), Msg(2, "spec", PodSpec), Msg(3, "status", PodStatus));

    public static readonly ProtoMessage PodTemplateSpec = new(Core + "PodTemplateSpec",
        Msg(1, "metadata", ObjectMeta), Msg(2, "spec", PodSpec));

    // Namespaces, configuration and identities.

    public static readonly ProtoMessage NamespaceCondition = new(Core + "NamespaceCondition",
        Str(1, "type", Zero.Keep), Str(2, "status", Zero.Keep), Msg(4, "lastTransitionTime", Time), Str(5, "reason"), Str(6, "message"));

    public static readonly ProtoMessage NamespaceSpec = new(Core + "NamespaceSpec", Strs(1, "finalizers"));

    public static readonly ProtoMessage NamespaceStatus = new(Core + "NamespaceStatus",
        Str(1, "phase"), Msgs(2, "conditions", NamespaceCondition));

    public static readonly ProtoMessage Namespace = new(Core + "Namespace",
        Msg(1, "metadata", ObjectMeta), Msg(2, "spec", NamespaceSpec), Msg(3, "status", NamespaceStatus));

    public static readonly ProtoMessage ConfigMap = new(Core + "ConfigMap",
        Msg(1, "metadata", ObjectMeta), Bool(4, "immutable", Zero.Keep), StrMap(2, "data"), BytesMap(3, "binaryData"));

    public static readonly ProtoMessage Secret = new(Core + "Secret",
        Msg(1, "metadata", ObjectMeta), Bool(5, "immutable", Zero.Keep), BytesMap(2, "data"), StrMap(4, "stringData"), Str(3, "type"));

    public static readonly ProtoMessage ServiceAccount = new(Core + "ServiceAccount",
        Msg(1, "metadata", ObjectMeta), Msgs(2, "secrets", ObjectReference), Msgs(3, "imagePullSecrets", LocalObjectReference),
        Bool(4, "automountServiceAccountToken", Zero.Keep));
}
