using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>A scheduler that crashes on one master, then every scheduler pod lost: the rescue pod lands on another master.</summary>
public class RecoverNodeCrashTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Fact]
    public async Task The_rescue_pod_leaves_the_master_that_crashes_it_for_the_next()
    {
        Task<ProcessResult> Cli(params string[] args) =>
            Processes.RunAsync(Processes.Cli([.. args, "--kubeconfig", lab.Kubeconfig]), timeout: TimeSpan.FromMinutes(4));
        Assert.Equal(0, (await Cli("lab", "break", "scheduler", "--mode", "node-crash", "--node", "master-1")).ExitCode);
        Assert.Equal(0, (await Cli("lab", "break", "scheduler", "--settle", "2")).ExitCode);

        // With no scheduler left anywhere master-1 ranks first; the pod crashes there and the next master runs it.
        var recovered = await Cli("recover", "scheduler", "--yes", "--min-ready", "1s");
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Assert.Matches(@"ensure-rescue-pod kube-scheduler: warning: kube-scheduler-rescue on master-1: container kube-scheduler (crashes|exited with code 1).*; removing it and trying the next master", recovered.Stdout);
        Assert.Matches(@"ensure-rescue-pod kube-scheduler: done in \S+: kube-scheduler-rescue runs on master-[23]", recovered.Stdout);
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        Assert.Empty((await kubectl.OkAsync("get pods -n kube-system -l kube-rescue.io/rescue -o name")).Trim());
        // A permanent scheduler runs and leads on a healthy master; one placed on master-1 would crash there, as status says.
        var pods = (await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-scheduler -o wide --no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(pods, r => Regex.IsMatch(r, @"\s1/1\s+Running\s.*\smaster-[23]\s"));
    }
}
