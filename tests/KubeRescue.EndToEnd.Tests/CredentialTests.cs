namespace KubeRescue.EndToEnd.Tests;

/// <summary>A lab of its own: these tests run a forced recovery in it.</summary>
public sealed class CredentialLabProcess() : LabFixture(new LabOptions { Masters = 3, Workers = 1, TimeScale = 5 });

/// <summary>No credential is ever printed, logged or put in a report, whatever the command, format or failure.</summary>
public class CredentialTests(CredentialLabProcess lab) : IClassFixture<CredentialLabProcess>
{
    [Fact]
    public async Task Every_command_s_output_logs_and_report_leave_the_token_out()
    {
        var token = lab.Token;
        Assert.Equal(64, token.Length);
        var report = Path.Combine(lab.Directory, "recover.html");
        string[][] commands =
        [
            ["status", "--verbose", "-o", "json"],
            ["status", "--verbose", "-o", "yaml"],
            ["render", "scheduler", "--verbose"],
            ["recover", "scheduler", "--dry-run", "--force", "--verbose", "-o", "json"],
            ["recover", "scheduler", "--force", "--yes", "--min-ready", "1s", "--verbose", "--report", report, "-o", "json"],
        ];
        foreach (var command in commands)
        {
            var result = await Processes.RunAsync(Processes.Cli([.. command, "--kubeconfig", lab.Kubeconfig]), timeout: TimeSpan.FromMinutes(3));
            // status exits with its verdict (a busy machine may catch a lease hand-over: degraded); the others succeed.
            Assert.True(result.ExitCode == 0 || (command[0] == "status" && result.ExitCode is 1 or 2), $"{string.Join(' ', command)}: {result.Output}");
            Assert.Contains("api: GET https://127.0.0.1:", result.Stderr);
            Assert.DoesNotContain(token, result.Output);
        }
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("kube-scheduler-rescue", html);
        Assert.DoesNotContain(token, html);
    }

    [Fact]
    public async Task A_refused_credential_is_named_as_the_problem_but_not_repeated()
    {
        const string bad = "0123456789abcdef0123456789abcdef-not-the-lab-s-token";
        var wrong = lab.KubeconfigWithToken(bad, "wrong-token.kubeconfig");

        foreach (var command in new[] { new[] { "status", "--verbose" }, ["recover", "scheduler", "--yes", "--verbose"] })
        {
            var result = await Processes.RunAsync(Processes.Cli([.. command, "--kubeconfig", wrong]), timeout: TimeSpan.FromMinutes(2));
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("401", result.Output);
            Assert.Contains("kubeconfig", result.Stderr);
            Assert.DoesNotContain(bad, result.Output);
        }
    }
}
