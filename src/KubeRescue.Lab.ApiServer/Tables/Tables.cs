namespace KubeRescue.Lab.ApiServer.Tables;

/// <summary>
/// The server-side printers of kube-apiserver (pkg/printers/internalversion) for the resources
/// the lab serves, plus the generic apiserver's default convertor for everything else.
/// Rows always carry every column: the server prints wide and kubectl drops priority 1 columns.
/// </summary>
public static class Tables
{
    private const string PodTemplateContainers = "Names of each container in the template.";
    private const string PodTemplateImages = "Images referenced by each container in the template.";

    private static TableColumn Col(string name, string type, string description, int priority = 0) =>
        new(name, type, "", description, priority);

    private static TableColumn NameColumn() => new("Name", "string", "name", Docs.Name, 0);

    private static TableColumn AgeColumn() => Col("Age", "string", Docs.CreationTimestamp);

    public static TableDefinition Pods { get; } = new(
        [
            NameColumn(),
            Col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
            Col("Status", "string", "The aggregate status of the containers in this pod."),
            Col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            AgeColumn(),
            Col("IP", "string", Docs.PodIP, 1),
            Col("Node", "string", Docs.PodNodeName, 1),
            Col("Nominated Node", "string", Docs.PodNominatedNodeName, 1),
            Col("Readiness Gates", "string", Docs.PodReadinessGates, 1),
        ],
        Printers.Pod,
        Printers.PodConditions);

    public static TableDefinition Nodes { get; } = new(
        [
            NameColumn(),
            Col("Status", "string", "The status of the node"),
            Col("Roles", "string", "The roles of the node"),
            AgeColumn(),
            Col("Version", "string", Docs.NodeKubeletVersion),
            Col("Internal-IP", "string", Docs.NodeAddresses, 1),
            Col("External-IP", "string", Docs.NodeAddresses, 1),
            Col("OS-Image", "string", Docs.NodeOSImage, 1),
            Col("Kernel-Version", "string", Docs.NodeKernelVersion, 1),
            Col("Container-Runtime", "string", Docs.NodeContainerRuntimeVersion, 1),
        ],
        Printers.Node);

    public static TableDefinition Namespaces { get; } = new(
        [NameColumn(), Col("Status", "string", "The status of the namespace"), AgeColumn()],
        Printers.Namespace);

    public static TableDefinition Deployments { get; } = new(
        [
            NameColumn(),
            Col("Ready", "string", "Number of the pod with ready state"),
            Col("Up-to-date", "string", Docs.DeploymentUpdatedReplicas),
            Col("Available", "string", Docs.DeploymentAvailableReplicas),
            AgeColumn(),
            Col("Containers", "string", PodTemplateContainers, 1),
            Col("Images", "string", PodTemplateImages, 1),
            Col("Selector", "string", Docs.DeploymentSpecSelector, 1),
        ],
        Printers.Deployment);

    public static TableDefinition ReplicaSets { get; } = new(
        [
            NameColumn(),
            Col("Desired", "integer", Docs.ReplicaSetSpecReplicas),
            Col("Current", "integer", Docs.ReplicaSetStatusReplicas),
            Col("Ready", "integer", Docs.ReplicaSetStatusReadyReplicas),
            AgeColumn(),
            Col("Containers", "string", PodTemplateContainers, 1),
            Col("Images", "string", PodTemplateImages, 1),
            Col("Selector", "string", Docs.ReplicaSetSpecSelector, 1),
        ],
        Printers.ReplicaSet);

    public static TableDefinition DaemonSets { get; } = new(
        [
            NameColumn(),
            Col("Desired", "integer", Docs.DaemonSetDesiredNumberScheduled),
            Col("Current", "integer", Docs.DaemonSetCurrentNumberScheduled),
            Col("Ready", "integer", Docs.DaemonSetNumberReady),
            Col("Up-to-date", "integer", Docs.DaemonSetUpdatedNumberScheduled),
            Col("Available", "integer", Docs.DaemonSetNumberAvailable),
            Col("Node Selector", "string", Docs.PodNodeSelector),
            AgeColumn(),
            Col("Containers", "string", PodTemplateContainers, 1),
            Col("Images", "string", PodTemplateImages, 1),
            Col("Selector", "string", Docs.DaemonSetSpecSelector, 1),
        ],
        Printers.DaemonSet);

    public static TableDefinition Leases { get; } = new(
        [NameColumn(), Col("Holder", "string", Docs.LeaseHolderIdentity), AgeColumn()],
        Printers.Lease);

    /// <summary>core/v1 Events. Name is a wide column here, not the first one.</summary>
    public static TableDefinition Events { get; } = new(
        [
            Col("Last Seen", "string", Docs.EventLastTimestamp),
            Col("Type", "string", Docs.EventType),
            Col("Reason", "string", Docs.EventReason),
            Col("Object", "string", Docs.EventInvolvedObject),
            Col("Subobject", "string", Docs.ObjectReferenceFieldPath, 1),
            Col("Source", "string", Docs.EventSource, 1),
            Col("Message", "string", Docs.EventMessage),
            Col("First Seen", "string", Docs.EventFirstTimestamp, 1),
            Col("Count", "string", Docs.EventCount, 1),
            new("Name", "string", "name", Docs.Name, 1),
        ],
        Printers.Event);

    public static TableDefinition ConfigMaps { get; } = new(
        [NameColumn(), Col("Data", "string", Docs.ConfigMapData), AgeColumn()],
        Printers.ConfigMap);

    public static TableDefinition Secrets { get; } = new(
        [NameColumn(), Col("Type", "string", Docs.SecretType), Col("Data", "string", Docs.SecretData), AgeColumn()],
        Printers.Secret);

    public static TableDefinition ServiceAccounts { get; } = new(
        [NameColumn(), Col("Secrets", "string", Docs.ServiceAccountSecrets), AgeColumn()],
        Printers.ServiceAccount);

    public static TableDefinition Services { get; } = new(
        [
            NameColumn(),
            Col("Type", "string", Docs.ServiceType),
            Col("Cluster-IP", "string", Docs.ServiceClusterIP),
            Col("External-IP", "string", Docs.ServiceExternalIPs),
            Col("Port(s)", "string", Docs.ServicePorts),
            AgeColumn(),
            Col("Selector", "string", Docs.ServiceSelector, 1),
        ],
        Printers.Service);

    public static TableDefinition Endpoints { get; } = new(
        [NameColumn(), Col("Endpoints", "string", Docs.EndpointsSubsets), AgeColumn()],
        Printers.Endpoints);

    public static TableDefinition PodDisruptionBudgets { get; } = new(
        [
            NameColumn(),
            Col("Min Available", "string", "The minimum number of pods that must be available."),
            Col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
            Col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
            AgeColumn(),
        ],
        Printers.PodDisruptionBudget);

    public static TableDefinition RoleBindings { get; } = new(
        [
            NameColumn(),
            Col("Role", "string", Docs.RoleBindingRoleRef),
            AgeColumn(),
            Col("Users", "string", "Users in the roleBinding", 1),
            Col("Groups", "string", "Groups in the roleBinding", 1),
            Col("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1),
        ],
        Printers.Binding);

    public static TableDefinition ClusterRoleBindings { get; } = new(
        [
            NameColumn(),
            Col("Role", "string", Docs.ClusterRoleBindingRoleRef),
            AgeColumn(),
            Col("Users", "string", "Users in the clusterRoleBinding", 1),
            Col("Groups", "string", "Groups in the clusterRoleBinding", 1),
            Col("ServiceAccounts", "string", "ServiceAccounts in the clusterRoleBinding", 1),
        ],
        Printers.Binding);

    /// <summary>The generic apiserver's default convertor, used by resources without a printer (e.g. roles).</summary>
    public static TableDefinition Default { get; } = new(
        [NameColumn(), Col("Created At", "date", Docs.CreationTimestamp)],
        Printers.Default)
    {
        NullRowsWhenEmpty = true,
    };

    /// <summary>The definition kube-apiserver uses for a resource (by API group and plural name), or <see cref="Default"/>.</summary>
    public static TableDefinition ForResource(string group, string resource) => (group, resource) switch
    {
        ("", "pods") => Pods,
        ("", "nodes") => Nodes,
        ("", "namespaces") => Namespaces,
        ("", "events") => Events,
        ("", "configmaps") => ConfigMaps,
        ("", "secrets") => Secrets,
        ("", "serviceaccounts") => ServiceAccounts,
        ("", "services") => Services,
        ("", "endpoints") => Endpoints,
        ("apps", "deployments") => Deployments,
        ("apps", "replicasets") => ReplicaSets,
        ("apps", "daemonsets") => DaemonSets,
        ("coordination.k8s.io", "leases") => Leases,
        ("policy", "poddisruptionbudgets") => PodDisruptionBudgets,
        ("rbac.authorization.k8s.io", "rolebindings") => RoleBindings,
        ("rbac.authorization.k8s.io", "clusterrolebindings") => ClusterRoleBindings,
        _ => Default,
    };
}
