using k8s;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Bootstrap;

/// <summary>
/// bootkube's temporary control plane: a scheduler and a controller-manager that run outside any pod (bootkube
/// runs them as static pods on the bootstrap master) just long enough for the self-hosted Deployments' pods to be
/// created, scheduled and running. They are the same emulated binaries the self-hosted pods run, with their own
/// clients and leader election, so the hand-over of the leases is the real one.
/// </summary>
public sealed class TemporaryControlPlane : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly List<Task<int>> _running = [];

    public static TemporaryControlPlane Start(KubernetesClientConfiguration client, string masterName, LabTiming timing, TimeProvider clock, TextWriter log,
        params (IEmulatedBinary Binary, string Name, string[] Args)[] components)
    {
        var plane = new TemporaryControlPlane();
        foreach (var (binary, name, args) in components)
        {
            var context = new BinaryContext(args, client, masterName, "kube-system", $"bootstrap-{name}", HostNetwork: true, timing, clock, log);
            plane._running.Add(Task.Run(() => binary.RunAsync(context, plane._stop.Token)));
        }
        return plane;
    }

    /// <summary>Stops the temporary components, as bootkube does once the self-hosted ones run; their exit codes.</summary>
    public async Task<int[]> StopAsync()
    {
        await _stop.CancelAsync();
        return await Task.WhenAll(_running);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
