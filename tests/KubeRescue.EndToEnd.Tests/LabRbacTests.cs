namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>lab up --token-auth-file</c>: users the lab authenticates from a static token file and authorizes with RBAC.</summary>
sealed class TokenUsersLab(string tokenFile) : LabFixture(new LabOptions { ApiOnly = true, Arguments = ["--token-auth-file", tokenFile] });

/// <summary>The lab's RBAC through the real kubectl: docs/rbac.yaml applied by the admin, then what a bound and an unbound user may do.</summary>
public class LabRbacTests
{
    const string OncallToken = "oncall-token-5f1d2c";
    const string OperatorToken = "operator-token-9ab3e7";

    static string RbacYaml => Path.GetFullPath(Path.Combine(Schemas.Directory, "..", "rbac.yaml"));

    [Fact]
    public async Task A_token_user_is_refused_in_upstream_words_until_a_binding_names_it_and_docs_rbac_yaml_grants_what_it_says()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-e2e-").FullName;
        var tokens = Path.Combine(dir, "tokens.csv");
        await File.WriteAllTextAsync(tokens, $"{OncallToken},oncall,u-1\n{OperatorToken},olga,u-2,\"kube-rescue-operators,ops\"\n");
        var lab = new TokenUsersLab(tokens);
        await lab.InitializeAsync();
        try
        {
            using var admin = new Kubectl(Kubectl.Default, lab.Kubeconfig);
            using var oncall = new Kubectl(Kubectl.Default, lab.KubeconfigWithToken(OncallToken, "oncall"));
            using var olga = new Kubectl(Kubectl.Default, lab.KubeconfigWithToken(OperatorToken, "olga"));

            var refused = await oncall.RunAsync("delete pod kube-scheduler-rescue -n kube-system");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("Error from server (Forbidden): pods \"kube-scheduler-rescue\" is forbidden: User \"oncall\" cannot delete resource \"pods\" in API group \"\" in the namespace \"kube-system\"",
                refused.Stderr);

            var applied = await admin.OkAsync(["apply", "-f", RbacYaml]);
            foreach (var line in new[] { "clusterrole.rbac.authorization.k8s.io/kube-rescue created", "clusterrole.rbac.authorization.k8s.io/kube-rescue-kube-system created",
                         "clusterrolebinding.rbac.authorization.k8s.io/kube-rescue created", "rolebinding.rbac.authorization.k8s.io/kube-rescue created" })
                Assert.Contains(line, applied);
            Assert.Contains("ClusterRole/kube-rescue-kube-system", await admin.OkAsync("get rolebindings -n kube-system"));
            Assert.Matches(@"(?m)^kube-rescue-kube-system\s+\d{4}-\d\d-\d\dT", await admin.OkAsync("get clusterroles"));

            // olga is in kube-rescue-operators, which the file binds; she may delete the rescue pods and no other.
            Assert.Equal("yes", (await olga.RunAsync("auth can-i delete pods/kube-scheduler-rescue -n kube-system")).Stdout.Trim());
            Assert.Equal("no", (await olga.RunAsync("auth can-i delete pods/kube-scheduler-abcde -n kube-system")).Stdout.Trim());
            Assert.Equal("no", (await olga.RunAsync("auth can-i get pods/web -n default")).Stdout.Trim());
            await olga.OkAsync("get nodes");
            Assert.Matches(@"Groups\s+\[kube-rescue-operators ops system:authenticated\]", await olga.OkAsync("auth whoami"));

            Assert.Equal("no", (await oncall.RunAsync("auth can-i list pods -n kube-system")).Stdout.Trim());
            await admin.OkAsync("create rolebinding oncall-rescue --clusterrole=kube-rescue-kube-system --user=oncall -n kube-system");
            await Wait.UntilAsync(async () => (await oncall.RunAsync("get pods -n kube-system")).ExitCode == 0, what: "oncall allowed once bound",
                interval: Kubectl.PollInterval);
            Assert.NotEqual(0, (await oncall.RunAsync("get pods -n default")).ExitCode);
        }
        finally
        {
            await lab.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("t1,alice\n", "line 1 must have at least 3 columns (token, user name, user uid), found 2")]
    [InlineData("t1,alice,u1\nt2,b\"ob,u2\n", "parse error on line 2, column 5: bare \" in non-quoted-field")]
    public async Task A_bad_token_file_is_refused_before_anything_starts(string? content, string message)
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-e2e-").FullName;
        try
        {
            var tokens = Path.Combine(dir, "tokens.csv");
            if (content is not null) await File.WriteAllTextAsync(tokens, content);
            var kubeconfig = Path.Combine(dir, "kubeconfig");
            var result = await Processes.RunAsync(Processes.Cli("lab", "up", "--api-only", "--token-auth-file", tokens, "--kubeconfig", kubeconfig), timeout: TimeSpan.FromMinutes(1));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--token-auth-file", result.Stderr);
            Assert.Contains(message, result.Stderr);
            Assert.False(File.Exists(kubeconfig));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
