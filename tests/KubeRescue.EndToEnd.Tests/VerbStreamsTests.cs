using System.CommandLine;
using KubeRescue.Cli;
using KubeRescue.Cli.Commands.Status;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>The CLI's commands run in this process over streams a test makes, as the binary runs them over the console.</summary>
static class InProcess
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// <paramref name="args"/> run by the command tree on <paramref name="stdin"/>. A command that ran when it should
    /// have refused (and started a lab, say) is cut off after a minute rather than hang the test run.
    /// </summary>
    public static async Task<Run> RunAsync(TextReader stdin, bool terminal, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var streams = new Streams(stdin, output, error, InIsTerminal: terminal);
        var root = CommandTree.Create(streams);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        // No signal handling: this is the test host's process, not the command's.
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cts.Token);
        return new Run(code, output.ToString(), error.ToString());
    }
}

/// <summary>Every command checks what it was asked before it touches a cluster or starts a lab.</summary>
public class VerbValidationTests
{
    /// <summary>A kubeconfig that cannot be read: a command that went on to connect would say so instead.</summary>
    const string NoKubeconfig = "/nonexistent/kubeconfig";

    [Theory]
    [InlineData("recover etcd", "unknown component \"etcd\": choose scheduler, controller-manager or all")]
    [InlineData("recover all --source revision=abc", "\"revision=abc\" is not a rescue source; use one of: ")]
    [InlineData("recover all --timeout soon", "--timeout soon is not a positive duration such as 10m or 90s")]
    [InlineData("recover all --timeout 0s", "--timeout 0s is not a positive duration such as 10m or 90s")]
    [InlineData("recover all --min-ready 11m", "--min-ready 11m is not a duration between 0 and 10m")]
    [InlineData("recover all --dry-run --report r.html", "--report records a recovery as it runs, and --dry-run runs none: give one or the other")]
    [InlineData("render etcd", "unknown component \"etcd\": choose scheduler (kube-scheduler) or controller-manager (kube-controller-manager)")]
    [InlineData("render scheduler --source nowhere", "--source: \"nowhere\" is not a rescue source; use one of: ")]
    [InlineData("lab break scheduler --mode node-crash", "--mode node-crash needs --node NAME")]
    [InlineData("lab break scheduler --node master-1", "--node goes only with --mode node-crash")]
    [InlineData("lab break scheduler --settle 601", "--settle must be between 0 and 600 seconds")]
    [InlineData("lab break node master-1 --crash --restore", "--crash and --restore exclude each other")]
    [InlineData("lab break api error-rate", "\"error-rate\" is not key=value")]
    public async Task Bad_input_to_a_cluster_command_is_refused_before_it_reads_the_kubeconfig(string args, string error)
    {
        var run = await InProcess.RunAsync(TextReader.Null, terminal: true, [.. args.Split(' '), "--kubeconfig", NoKubeconfig]);
        Assert.True(run.ExitCode == 2, run.Stderr);
        Assert.StartsWith($"error: {error}", run.Stderr);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(run.Stdout);
        Assert.False(File.Exists("r.html"));
    }

    [Theory]
    [InlineData("drill --masters 0", "--masters 0: a lab has 1 to 100 masters")]
    [InlineData("drill --time-scale 1000", "--time-scale 1000: use 1 (real time) to 100")]
    [InlineData("drill --mode node-crash --masters 1", "--mode node-crash needs at least 2 masters: one to crash, one to run the rescue pod")]
    [InlineData("drill --api-faults error-rate=2", "--api-faults: error-rate must be a fraction from 0 to 1, not \"2\"")]
    [InlineData("lab up --port 70000", "--port 70000 is not a port number (0-65535)")]
    [InlineData("lab up --address localhost", "--address localhost is not an IP address")]
    [InlineData("lab up --api-only --masters 3 --manifests .", "--masters, --manifests make no sense with --api-only")]
    [InlineData("lab up --time-scale 0.5", "--time-scale 0.5: use 1 (real time) to 100")]
    public async Task Bad_input_to_a_lab_command_is_refused_before_a_lab_starts(string args, string error)
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kube-rescue-never-{Guid.NewGuid():N}.kubeconfig");
        var run = await InProcess.RunAsync(TextReader.Null, terminal: true, [.. args.Split(' '), "--kubeconfig", kubeconfig]);
        Assert.True(run.ExitCode == 2, run.Stderr);
        Assert.Equal($"error: {error}\n", run.Stderr);
        // A lab says that it starts (drill) or that it is ready (lab up), and writes its kubeconfig.
        Assert.Empty(run.Stdout);
        Assert.False(File.Exists(kubeconfig));
    }
}

/// <summary>recover's confirmation and status's API log, over streams the test gives them, against a running lab.</summary>
public class VerbStreamsTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Theory]
    [InlineData("n\nnext\n", "next\n")]
    [InlineData("\nnext\n", "next\n")]
    [InlineData("yes please\n", "")]
    [InlineData("", "")]
    public async Task Recover_asks_on_a_terminal_and_anything_but_yes_changes_nothing(string input, string unread)
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var before = await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name");
        var stdin = new StringReader(input);
        var run = await InProcess.RunAsync(stdin, terminal: true, "recover", "scheduler", "--force", "--kubeconfig", lab.Kubeconfig);
        Assert.True(run.ExitCode == 2, run.Stdout + run.Stderr);
        Assert.Contains("plan:\n  1. ensure-rescue-pod", run.Stdout);
        Assert.EndsWith("\nProceed? [y/N] nothing changed\n", run.Stdout);
        Assert.Empty(run.Stderr);
        // The answer is one line of the given stdin.
        Assert.Equal(unread, await stdin.ReadToEndAsync());
        Assert.Equal(before, await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name"));
    }

    [Fact]
    public async Task Recover_without_a_terminal_asks_nothing_and_reads_nothing()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var before = await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name");
        var stdin = new StringReader("y\n");
        var run = await InProcess.RunAsync(stdin, terminal: false, "recover", "scheduler", "--force", "--kubeconfig", lab.Kubeconfig);
        Assert.True(run.ExitCode == 2, run.Stdout + run.Stderr);
        Assert.Equal("error: recover changes the cluster: confirm with --yes (stdin is not a terminal to ask on)\n", run.Stderr);
        Assert.DoesNotContain("Proceed?", run.Stdout);
        // The "y" waiting on stdin was never taken as an answer.
        Assert.Equal("y\n", await stdin.ReadToEndAsync());
        Assert.Equal(before, await kubectl.OkAsync("get pods,deployments,leases -n kube-system -o name"));
    }

    [Fact]
    public async Task Status_writes_the_table_to_stdout_and_verbose_API_calls_to_stderr()
    {
        var run = await InProcess.RunAsync(TextReader.Null, terminal: false, "status", "--verbose", "--kubeconfig", lab.Kubeconfig);
        Assert.True(run.ExitCode is StatusCommand.ExitHealthy or StatusCommand.ExitDegraded or StatusCommand.ExitDown, run.Stderr);
        Assert.StartsWith("Control plane: ", run.Stdout);
        Assert.DoesNotContain('\u001b', run.Stdout);
        var calls = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(calls, c => c.StartsWith("api: GET https://", StringComparison.Ordinal) && c.Contains("/livez", StringComparison.Ordinal));
        Assert.All(calls, c => Assert.Matches(@"^(api|retry): ", c));
    }
}
