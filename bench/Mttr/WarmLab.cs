using System.Diagnostics;
using k8s;

namespace KubeRescue.Bench.Mttr;

/// <summary>
/// The benchmark's lab (<c>lab up</c>, 3 masters and 2 workers, the CLI beside the benchmark) as the operator finds it:
/// looked at before with both tools, with a kubectl discovery cache of its own in the lab's directory.
/// </summary>
static class WarmLab
{
    public static async Task<LabProcess> StartAsync(double timeScale, CancellationToken ct)
    {
        var lab = await LabProcess.StartAsync(new LabOptions { Masters = 3, Workers = 2, TimeScale = timeScale }, ct);
        try
        {
            await WarmUpAsync(lab, ct);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    public static string KubectlCache(this LabProcess lab) => Path.Combine(lab.Directory, "kubectl-cache");

    public static k8s.Kubernetes Client(this LabProcess lab) => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(lab.Kubeconfig));

    /// <summary>
    /// The operator has looked at the healthy cluster with both tools before: kubectl's discovery cache and the page
    /// cache holding kube-rescue's assemblies (and the native binary, if built) are warm, as they are for every later
    /// run. Status must say healthy (exit 0).
    /// </summary>
    static async Task WarmUpAsync(LabProcess lab, CancellationToken ct)
    {
        await ProcessRunner.RunAsync(new ProcessStartInfo(Tools.Kubectl, ["--kubeconfig", lab.Kubeconfig, "--cache-dir", lab.KubectlCache(), "get", "pods", "-A"]),
            TimeSpan.FromMinutes(3), ct);
        var statuses = new List<ProcessStartInfo> { Tools.Cli("status", "--kubeconfig", lab.Kubeconfig) };
        if (Tools.Native is not null) statuses.Add(Tools.NativeCli("status", "--kubeconfig", lab.Kubeconfig));
        foreach (var psi in statuses)
        {
            var status = await ProcessRunner.RunAsync(psi, TimeSpan.FromMinutes(3), ct);
            if (status.ExitCode != 0) throw new InvalidOperationException($"{psi.FileName} status on the fresh lab exited {status.ExitCode}: {status.Output}");
        }
    }
}
