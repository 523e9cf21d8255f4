namespace KubeRescue;

/// <summary>
/// A control-plane component kube-rescue can diagnose and rescue: how it is named on the command line, the name its
/// workload, pods (label <c>k8s-app</c>, or <c>component</c> on kubeadm's static pods) and Lease carry, and its namespace.
/// </summary>
public sealed record ControlPlaneComponent(string Key, string Name, string Namespace = "kube-system")
{
    public static readonly ControlPlaneComponent Scheduler = new("scheduler", "kube-scheduler");
    public static readonly ControlPlaneComponent ControllerManager = new("controller-manager", "kube-controller-manager");

    /// <summary>In the order a recovery of both hands them over (field guide §2): the scheduler's rescue pod goes first.</summary>
    public static readonly IReadOnlyList<ControlPlaneComponent> All = [Scheduler, ControllerManager];

    /// <summary>The leader-election Lease, named after the component in its namespace.</summary>
    public string LeaseName => Name;

    /// <summary>The rescue pod's name, as the Tectonic procedure names it.</summary>
    public string RescuePodName => $"{Name}-rescue";

    /// <summary>"scheduler", "kube-scheduler", "controller-manager" or "kube-controller-manager"; null for anything else.</summary>
    public static ControlPlaneComponent? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(name, c.Key, StringComparison.OrdinalIgnoreCase) || string.Equals(name, c.Name, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Name;
}
