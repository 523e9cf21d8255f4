namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>lab up --token-auth-file</c>: users the lab authenticates from a static token file.</summary>
public class LabRbacTests
{
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
