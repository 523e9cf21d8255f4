
namespace KubeRescue.EndToEnd.Tests;

/// <summary>An API-only lab whose every client request fails, from <c>lab up --api-faults</c>.</summary>
public sealed class FailingApiLabProcess() : LabFixture(new LabOptions { ApiOnly = true, ApiFaults = "error-rate=1" });

/// <summary><c>lab up --api-faults</c> and <c>lab break api</c> from the real CLI, seen through the real kubectl.</summary>
public class LabApiFaultTests(FailingApiLabProcess lab) : IClassFixture<FailingApiLabProcess>
{
    const string Injected = "(Too many requests|Internal error occurred: injected|the server is currently unable to handle the request)";

    [Fact]
    public async Task Faults_given_at_start_fail_client_requests_and_break_api_changes_them_while_the_lab_runs()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        // The faults' own ConfigMap is never faulted: it shows what is in force and is how to mend the server.
        Assert.Equal("error-rate=1", await kubectl.OkAsync(["get", "configmap", "kube-rescue-lab-api-faults", "-n", "kube-system", "-o", "jsonpath={.data.faults}"]));
        var failed = await kubectl.RunAsync("get namespaces");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Matches(Injected, failed.Stderr);

        var mend = await Processes.RunAsync(Processes.Cli("lab", "break", "api", "none", "--kubeconfig", lab.Kubeconfig));
        Assert.True(mend.ExitCode == 0, mend.Output);
        Assert.Equal("API faults: none", mend.Stdout.Trim());
        // The server follows the ConfigMap through a watch, so the change lands a moment after the write.
        await Wait.UntilAsync(async () => (await kubectl.RunAsync("get namespace kube-system -o name")).ExitCode == 0, what: "requests served again");

        var bad = await Processes.RunAsync(Processes.Cli("lab", "break", "api", "error-rate=2", "--kubeconfig", lab.Kubeconfig));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("error-rate", bad.Stderr);
        Assert.Equal(0, (await kubectl.RunAsync("get namespace kube-system -o name")).ExitCode);
        Assert.Contains("NotFound", (await kubectl.RunAsync("get configmap kube-rescue-lab-api-faults -n kube-system")).Stderr);

        var again = await Processes.RunAsync(Processes.Cli("lab", "break", "api", "error-rate=1", "--kubeconfig", lab.Kubeconfig));
        Assert.True(again.ExitCode == 0, again.Output);
        await Wait.UntilAsync(async () => (await kubectl.RunAsync("get namespace kube-system -o name")).ExitCode != 0, what: "requests failing again");
    }

    [Theory]
    [InlineData("error-rate=lots", "error-rate")]
    [InlineData("latency=5", "latency")]
    [InlineData("chaos=1", "chaos")]
    public async Task A_bad_fault_spec_is_refused_before_anything_starts(string spec, string named)
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-e2e-").FullName;
        try
        {
            var kubeconfig = Path.Combine(dir, "kubeconfig");
            var result = await Processes.RunAsync(Processes.Cli("lab", "up", "--api-only", "--api-faults", spec, "--kubeconfig", kubeconfig), timeout: TimeSpan.FromMinutes(1));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--api-faults", result.Stderr);
            Assert.Contains(named, result.Stderr);
            Assert.False(File.Exists(kubeconfig));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
