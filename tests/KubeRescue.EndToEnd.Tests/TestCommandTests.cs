using System.Diagnostics;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>README's test command, <c>./test</c>, on a machine that lacks what the tests need.</summary>
public class TestCommandTests
{
    [Fact]
    public async Task With_requirements_missing_it_names_them_in_one_line_and_runs_nothing()
    {
        var bin = Directory.CreateTempSubdirectory("kube-rescue-path-").FullName;
        try
        {
            // A PATH with only what the script itself uses to look: no dotnet, kubectl, jq, compiler or script, and no
            // apt-get to install any of them with.
            foreach (var tool in new[] { "bash", "dirname", "readlink", "grep", "id" })
                File.CreateSymbolicLink(Path.Combine(bin, tool), Environment.GetEnvironmentVariable("PATH")!.Split(':')
                    .Select(d => Path.Combine(d, tool)).First(File.Exists));
            var psi = new ProcessStartInfo(Path.Combine(Repository.Root, "test"), ["--filter", "StatusTests"]);
            psi.Environment["PATH"] = bin;

            var result = await Processes.RunAsync(psi);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal("", result.Stdout);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("test: missing the .NET 10 SDK (https://dotnet.microsoft.com/download/dotnet/10.0); kubectl (https://kubernetes.io/", line);
            Assert.Contains("; jq (apt-get install jq, as root); a C compiler (clang or gcc) (apt-get install clang, as root);", line);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }
}
