using k8s;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// One controller of the emulated kube-controller-manager (deployment, replicaset, daemonset, garbagecollector,
/// nodelifecycle, ...). It runs only while its process holds the kube-controller-manager lease; it reads through
/// the shared informers and writes through the process's own client, never through the store.
/// </summary>
public interface IController
{
    /// <summary>The name the real --controllers flag uses (e.g. "deployment", "replicaset").</summary>
    string Name { get; }

    /// <summary>Runs until <paramref name="stop"/>: subscribe to informers, wait for them to sync, reconcile.</summary>
    Task RunAsync(ControllerContext context, CancellationToken stop);
}

/// <param name="Client">the controller-manager's client</param>
/// <param name="Informers">informers shared by every controller of this process</param>
/// <param name="Timing">the lab's time scale: every period and delay goes through it</param>
/// <param name="Clock">the process's clock: what the controllers read the time from and wait on</param>
/// <param name="Identity">the leader-election identity, for event sources and logs</param>
/// <param name="Events">the process's event broadcaster; each controller records as itself (<c>deployment-controller</c>)</param>
public sealed record ControllerContext(IKubernetes Client, SharedInformers Informers, LabTiming Timing, TimeProvider Clock, string Identity, TextWriter Log, EventBroadcaster Events);
