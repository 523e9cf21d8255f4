using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>kube-rescue recover</c> refuses what it should, before anything changes, on a healthy lab.</summary>
public class RecoverRefusalTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Theory]
    [InlineData("etcd", "unknown component \"etcd\"")]
    [InlineData("all --timeout soon", "--timeout soon is not a positive duration")]
    [InlineData("all --source revision=abc", "revision")]
    [InlineData("all --node no-such-node --yes", "node no-such-node does not exist")]
    [InlineData("all --yes", "nothing to recover")]
    [InlineData("scheduler --dry-run", "nothing to recover")]
    [InlineData("scheduler --yes --report /nonexistent/r.html", "the directory /nonexistent does not exist")]
    [InlineData("scheduler --dry-run --report r.html", "--report records a recovery as it runs, and --dry-run runs none")]
    public async Task Bad_input_and_a_healthy_control_plane_are_refused_and_change_nothing(string args, string error)
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var before = await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name");
        var result = await Processes.RunAsync(Processes.Cli(["recover", .. args.Split(' '), "--kubeconfig", lab.Kubeconfig]));
        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Contains(error, result.Stderr);
        Assert.Equal(before, await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name"));
        Assert.False(File.Exists("r.html"));
    }

    [Fact]
    public async Task A_forced_dry_run_prints_the_documented_plan_as_json_and_yaml_and_changes_nothing()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var before = await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name");
        var json = await Processes.RunAsync(Processes.Cli("recover", "all", "--dry-run", "--force", "-o", "json", "--kubeconfig", lab.Kubeconfig));
        Assert.True(json.ExitCode == 0, json.Output);
        Schemas.AssertValid("recover-plan", json.Stdout);
        var plan = JsonNode.Parse(json.Stdout)!;
        Assert.Equal(["kube-scheduler", "kube-controller-manager"], plan["components"]!.AsArray().Select(c => (string)c!["component"]!));
        Assert.All(plan["components"]!.AsArray(), c => Assert.Equal((string)c!["nodes"]![0]!, (string)c["rescuePod"]!["spec"]!["nodeName"]!));

        var yaml = await Processes.RunAsync(Processes.Cli("recover", "all", "--dry-run", "--force", "-o", "yaml", "--kubeconfig", lab.Kubeconfig));
        Assert.True(yaml.ExitCode == 0, yaml.Output);
        var fromYaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml.Stdout);
        var asJson = new YamlDotNet.Serialization.SerializerBuilder().JsonCompatible().Build().Serialize(fromYaml);
        Assert.Equal(plan["steps"]!.ToJsonString(), JsonNode.Parse(asJson)!["steps"]!.ToJsonString());
        Assert.DoesNotContain('\u001b', json.Output + yaml.Output);
        Assert.Equal(before, await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name"));
    }

    [Fact]
    public async Task KUBECONFIG_lists_are_merged_and_contexts_chosen_as_kubectl_does()
    {
        var psi = Processes.Cli("recover", "all", "--yes");
        psi.Environment["KUBECONFIG"] = $"/nonexistent/config{Path.PathSeparator}{lab.Kubeconfig}";
        var merged = await Processes.RunAsync(psi);
        Assert.True(merged.ExitCode == 2 && merged.Stderr.Contains("nothing to recover"), merged.Output);

        var named = await Processes.RunAsync(Processes.Cli("recover", "all", "--yes", "--kubeconfig", lab.Kubeconfig, "--context", "kube-rescue-lab"));
        Assert.True(named.ExitCode == 2 && named.Stderr.Contains("nothing to recover"), named.Output);
        var missing = await Processes.RunAsync(Processes.Cli("recover", "all", "--yes", "--kubeconfig", lab.Kubeconfig, "--context", "no-such-context"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("no-such-context", missing.Stderr);
    }

    [Fact]
    public async Task Wrong_credentials_and_a_wrong_CA_are_exit_code_3_with_what_to_check()
    {
        var dir = Directory.CreateTempSubdirectory("kubeconfigs-").FullName;
        try
        {
            var original = await File.ReadAllTextAsync(lab.Kubeconfig);
            var badToken = Path.Combine(dir, "token");
            await File.WriteAllTextAsync(badToken, Regex.Replace(original, @"token: \S+", "token: not-the-token"));
            var result = await Processes.RunAsync(Processes.Cli("recover", "all", "--yes", "--kubeconfig", badToken));
            Assert.True(result.ExitCode == 3, result.Output);
            Assert.Contains("refused the credentials (401 Unauthorized)", result.Stderr);

            // Another lab's CA (a fresh one from the same generator) does not vouch for this server.
            var badCa = Path.Combine(dir, "ca");
            using var other = KubeRescue.Lab.ApiServer.Hosting.LabCertificates.Create();
            var otherCa = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(other.CaPem()));
            await File.WriteAllTextAsync(badCa, Regex.Replace(original, @"certificate-authority-data: \S+", $"certificate-authority-data: {otherCa}"));
            result = await Processes.RunAsync(Processes.Cli("recover", "all", "--yes", "--kubeconfig", badCa));
            Assert.True(result.ExitCode == 3, result.Output);
            Assert.Contains("TLS failed talking to the API server", result.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_unusable_kubeconfig_is_exit_code_3()
    {
        var result = await Processes.RunAsync(Processes.Cli("recover", "--kubeconfig", "/nonexistent/kubeconfig"));
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot use the kubeconfig", result.Stderr);
    }
}

/// <summary>The whole recovery from the real CLI, checked with the real kubectl.</summary>
public class RecoverTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Fact]
    public async Task A_broken_scheduler_then_controller_manager_are_recovered_from_the_command_line()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var broken = await Processes.RunAsync(Processes.Cli("lab", "break", "scheduler", "--kubeconfig", lab.Kubeconfig, "--settle", "2"), timeout: TimeSpan.FromMinutes(2));
        Assert.True(broken.ExitCode == 0, broken.Output);

        // --dry-run prints the plan and a pod kubectl accepts, and creates nothing.
        var dry = await Processes.RunAsync(Processes.Cli("recover", "scheduler", "--dry-run", "--kubeconfig", lab.Kubeconfig));
        Assert.True(dry.ExitCode == 0, dry.Output);
        Assert.Contains("1. ensure-rescue-pod", dry.Stdout);
        var yaml = dry.Stdout[(dry.Stdout.IndexOf("---\n", StringComparison.Ordinal) + 4)..];
        Assert.Matches(@"(?m)^kind: Pod$", yaml);
        Assert.Matches(@"(?m)^  nodeName: master-\d$", yaml);
        Assert.Contains("pod/kube-scheduler-rescue created (dry run)", await kubectl.OkAsync("create --dry-run=client -f -", yaml));
        Assert.Empty((await kubectl.OkAsync("get pods -n kube-system -l kube-rescue.io/rescue -o name")).Trim());

        // Not a terminal and no --yes: nothing happens.
        var unconfirmed = await Processes.RunAsync(Processes.Cli("recover", "scheduler", "--kubeconfig", lab.Kubeconfig), stdin: "");
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("confirm with --yes", unconfirmed.Stderr);

        var recovered = await Processes.RunAsync(Processes.Cli("recover", "scheduler", "--yes", "--min-ready", "1s", "--verbose", "--kubeconfig", lab.Kubeconfig),
            timeout: TimeSpan.FromMinutes(4));
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Assert.Matches(@"\[\s*\d+\.\ds\] ensure-rescue-pod kube-scheduler: created kube-scheduler-rescue on master-\d", recovered.Stdout);
        Assert.Matches(@"recovered kube-scheduler in \d", recovered.Stdout);
        // Every call the recovery made (its --verbose log) is one docs/rbac.yaml allows.
        Assert.True(Rbac.AssertAllowed(recovered.Stderr) > 10, recovered.Stderr);
        var pods = (await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-scheduler -o wide --no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, pods.Count(r => Regex.IsMatch(r, @"\s1/1\s+Running\s.*\smaster-\d")));
        Assert.Empty((await kubectl.OkAsync("get pods -n kube-system -l kube-rescue.io/rescue -o name")).Trim());
        var events = await kubectl.OkAsync("get events -n kube-system --field-selector involvedObject.name=kube-scheduler,source=kube-rescue -o custom-columns=REASON:.reason --no-headers");
        Assert.Equal(["RescueCompleted", "RescueStarted"], events.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());

        // -o json: the result document on stdout, the story on stderr.
        broken = await Processes.RunAsync(Processes.Cli("lab", "break", "controller-manager", "--kubeconfig", lab.Kubeconfig, "--settle", "2"), timeout: TimeSpan.FromMinutes(2));
        Assert.True(broken.ExitCode == 0, broken.Output);
        recovered = await Processes.RunAsync(Processes.Cli("recover", "controller-manager", "--yes", "--min-ready", "1s", "-o", "json", "--verbose", "--kubeconfig", lab.Kubeconfig),
            timeout: TimeSpan.FromMinutes(4));
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Schemas.AssertValid("recover", recovered.Stdout);
        var doc = JsonNode.Parse(recovered.Stdout)!;
        Assert.True((bool)doc["succeeded"]!);
        Assert.DoesNotContain('\u001b', recovered.Output);
        Assert.Equal("verify", (string?)doc["steps"]!.AsArray()[^1]!["step"]);
        Assert.Contains("ensure-rescue-pod kube-controller-manager", recovered.Stderr);
        Rbac.AssertAllowed(recovered.Stderr);
    }
}
