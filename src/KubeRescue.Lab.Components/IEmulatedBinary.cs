using k8s;

namespace KubeRescue.Lab.Components;

/// <summary>
/// A program a container's command can run in the lab, such as the emulated kube-scheduler. The emulated kubelet
/// asks each known binary whether it recognises a container's command; the first that does runs for as long as
/// the container does. Anything no binary recognises "just runs" (sleeps until stopped).
/// </summary>
public interface IEmulatedBinary
{
    /// <summary>The binary's own name (<c>kube-scheduler</c>), by which a node's crash fault names what it crashes.</summary>
    string Name { get; }

    /// <summary>
    /// True when <paramref name="command"/> (the container's command followed by its args) starts this binary:
    /// e.g. <c>./hyperkube scheduler --leader-elect=true</c>, <c>kube-scheduler ...</c>, <c>/usr/local/bin/kube-scheduler</c>.
    /// <paramref name="args"/> are the flags that follow the binary's name (and hyperkube's sub-command).
    /// </summary>
    bool Recognizes(IReadOnlyList<string> command, out IReadOnlyList<string> args);

    /// <summary>
    /// Runs until <paramref name="stop"/> (the container's SIGTERM) or until it fails. Returns the exit code:
    /// 0 after a clean stop, 1 for bad flags or a lost leader lease, as the real binaries exit.
    /// </summary>
    Task<int> RunAsync(BinaryContext context, CancellationToken stop);
}

/// <param name="Args">the flags after the binary's name</param>
/// <param name="Client">how this instance reaches the API server: its own client, its own connection</param>
/// <param name="NodeName">the node the container runs on (the hostname a real pod would see for hostNetwork)</param>
/// <param name="PodName">the pod's name, which is the container's hostname without hostNetwork</param>
/// <param name="Timing">the lab's time scale: every duration the binary uses goes through it</param>
/// <param name="Clock">
/// the lab's clock, which the binary reads the time from and waits on (the kubelet that started it hands over its own)
/// </param>
/// <param name="Log">the container's stdout/stderr</param>
public sealed record BinaryContext(
    IReadOnlyList<string> Args,
    KubernetesClientConfiguration Client,
    string NodeName,
    string PodNamespace,
    string PodName,
    bool HostNetwork,
    LabTiming Timing,
    TimeProvider Clock,
    TextWriter Log)
{
    /// <summary>The hostname the process sees: the node's with hostNetwork, else the pod's.</summary>
    public string Hostname => HostNetwork ? NodeName : PodName;
}
