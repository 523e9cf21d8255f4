namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// docs/rbac.yaml proven on a lab that enforces RBAC: an operator bound by exactly that file diagnoses, renders and
/// recovers, and with a rule taken away is told which rule is missing.
/// </summary>
public class RbacRoleTests
{
    const string OperatorToken = "operator-token-7c41e09d";

    sealed class RbacLab(string tokenFile) : LabFixture(new LabOptions { Masters = 3, Workers = 1, TimeScale = 5, Arguments = ["--token-auth-file", tokenFile] });

    static string RbacYaml => Path.GetFullPath(Path.Combine(Schemas.Directory, "..", "rbac.yaml"));

    [Fact]
    public async Task An_operator_bound_by_exactly_docs_rbac_yaml_recovers_and_a_missing_rule_is_named()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-e2e-").FullName;
        var tokens = Path.Combine(dir, "tokens.csv");
        await File.WriteAllTextAsync(tokens, $"{OperatorToken},olga,u-olga,\"kube-rescue-operators\"\n");
        var lab = new RbacLab(tokens);
        await lab.InitializeAsync();
        try
        {
            using var admin = new Kubectl(Kubectl.Default, lab.Kubeconfig);
            await admin.OkAsync(["apply", "-f", RbacYaml]);
            var olga = lab.KubeconfigWithToken(OperatorToken, "olga.kubeconfig");
            Task<ProcessResult> AsOlga(params string[] args) => Processes.RunAsync(Processes.Cli([.. args, "--kubeconfig", olga]), timeout: TimeSpan.FromMinutes(3));
            Task<ProcessResult> AsAdmin(params string[] args) => Processes.RunAsync(Processes.Cli([.. args, "--kubeconfig", lab.Kubeconfig]), timeout: TimeSpan.FromMinutes(3));

            var status = await AsOlga("status", "--verbose");
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.DoesNotContain(" 403 ", status.Stderr);
            var render = await AsOlga("render", "controller-manager", "--source", "last-good");
            Assert.True(render.ExitCode == 0, render.Output);

            Assert.Equal(0, (await AsAdmin("lab", "break", "both", "--settle", "1")).ExitCode);
            var recover = await AsOlga("recover", "all", "--yes", "--min-ready", "1s", "--verbose");
            Assert.True(recover.ExitCode == 0, recover.Output);
            Assert.DoesNotContain(" 403 ", recover.Stderr);

            // Without the rule that lets it delete the rescue pods, the recovery is refused before it changes anything, naming the rule.
            await admin.OkAsync(["patch", "clusterrole", "kube-rescue-kube-system", "--type=json", "-p", """[{"op":"test","path":"/rules/1/verbs","value":["delete"]},{"op":"remove","path":"/rules/1"}]"""]);
            Assert.Equal(0, (await AsAdmin("lab", "break", "scheduler", "--settle", "1")).ExitCode);
            var before = await admin.OkAsync("get pods -n kube-system -o name");
            var refused = await AsOlga("recover", "scheduler", "--yes", "--min-ready", "1s");
            Assert.True(refused.ExitCode == 2, refused.Output);
            Assert.Contains("""apiGroups: [""], resources: [pods], resourceNames: [kube-scheduler-rescue], verbs: [delete] in namespace kube-system (removing the rescue pod)""", refused.Stderr);
            Assert.Equal(before, await admin.OkAsync("get pods -n kube-system -o name"));

            // Given the rule back, the recovery completes and leaves nothing behind.
            await admin.OkAsync(["apply", "-f", RbacYaml]);
            var again = await AsOlga("recover", "scheduler", "--yes", "--min-ready", "1s");
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Equal("", (await admin.OkAsync("get pods -n kube-system -l kube-rescue.io/rescue -o name")).Trim());
        }
        finally
        {
            await lab.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }
}
