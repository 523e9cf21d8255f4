using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>Help and shell completion from the real CLI, with no cluster: what a person meets before the first command.</summary>
public class CliExperienceTests
{
    /// <summary>Every command of the tree, found from the help pages themselves ("Commands:" sections).</summary>
    static async Task<List<string[]>> CommandsAsync()
    {
        var found = new List<string[]>();
        var queue = new Queue<string[]>([[]]);
        while (queue.TryDequeue(out var path))
        {
            var help = await Processes.RunAsync(Processes.Cli([.. path, "--help"]));
            Assert.True(help.ExitCode == 0, help.Output);
            var section = Regex.Match(help.Stdout, @"\nCommands:\n((?:  .*\n?)+)");
            foreach (Match m in Regex.Matches(section.Groups[1].Value, @"^  (\S+)", RegexOptions.Multiline))
            {
                string[] child = [.. path, m.Groups[1].Value];
                found.Add(child);
                queue.Enqueue(child);
            }
        }
        return found;
    }

    [Fact]
    public async Task Every_command_has_help_with_examples_and_lists_show_one_line_summaries()
    {
        var commands = await CommandsAsync();
        foreach (var expected in new[] { "drill", "status", "render", "recover", "lab", "lab up", "lab break", "lab break node", "completion" })
            Assert.Contains(expected, commands.Select(c => string.Join(' ', c)));
        foreach (var command in commands)
        {
            var help = await Processes.RunAsync(Processes.Cli([.. command, "--help"]));
            var name = string.Join(' ', command);
            Assert.Contains("Examples:", help.Stdout);
            // The examples run the command they document.
            Assert.Matches(new Regex($@"\n\s+(source <\()?kube-rescue {Regex.Escape(name)}\b"), help.Stdout);
        }
        var root = await Processes.RunAsync(Processes.Cli("--help"));
        Assert.Matches(@"\n  recover <all\|controller-manager\|scheduler> +Recover kube-scheduler and/or kube-controller-manager with a rescue pod\.", root.Stdout);
        // A list is a list: the subcommands' own examples and exit codes stay on their own pages.
        Assert.DoesNotContain("Exit codes", root.Stdout);
        Assert.Single(Regex.Matches(root.Stdout, "Examples:"));
    }

    /// <summary>A directory with <c>kube-rescue</c> and <c>kubectl-rescue</c> that run the CLI under test, for PATH.</summary>
    static string Shims()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-shims-").FullName;
        foreach (var name in new[] { "kube-rescue", "kubectl-rescue" })
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, $"#!/bin/sh\nexec dotnet '{KubeRescueCli.BesideThisProgram}' \"$@\"\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return dir;
    }

    [Theory]
    [InlineData("kube-rescue rec", "recover")]
    [InlineData("kube-rescue recover c", "controller-manager")]
    [InlineData("kube-rescue recover scheduler --so", "--source")]
    [InlineData("kube-rescue recover scheduler --source ", "daemonset deployment file= last-good mirror-pod revision=")]
    [InlineData("kube-rescue status -o ", "json table yaml")]
    [InlineData("kube-rescue drill both --mode n", "node-crash")]
    [InlineData("kube-rescue lab break node master-1 --re", "--restore")]
    public async Task Bash_completion_asks_the_binary(string line, string expected)
    {
        var shims = Shims();
        // What bash's completion machinery sets before it calls the function `complete -F` named.
        var words = line.Split(' ');
        var script = $"""
            source <(kube-rescue completion bash)
            COMP_LINE='{line}'; COMP_POINT=${"{"}#COMP_LINE{"}"}
            COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}
            _kube_rescue_complete
            printf '%s\n' "${"{"}COMPREPLY[@]{"}"}" | sort | paste -sd' '
            """;
        var psi = new ProcessStartInfo("bash", ["-c", script]);
        psi.Environment["PATH"] = shims + ":" + Environment.GetEnvironmentVariable("PATH");
        var result = await Processes.RunAsync(psi);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(expected, result.Stdout.Trim());
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Kubectl_completes_kubectl_rescue_through_the_plugin_completion_helper(string version)
    {
        var shims = Shims();
        var helper = Path.Combine(shims, "kubectl_complete-rescue");
        var generated = await Processes.RunAsync(Processes.Cli("completion", "kubectl-plugin"));
        Assert.True(generated.ExitCode == 0, generated.Output);
        await File.WriteAllTextAsync(helper, generated.Stdout);
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // kubectl's hidden __complete command is what its own shell completion calls.
        using var kubectl = new Kubectl(version, "/dev/null");
        var psi = new ProcessStartInfo(kubectl.Binary, ["__complete", "rescue", "recover", "sch"]);
        psi.Environment["PATH"] = shims + ":" + Environment.GetEnvironmentVariable("PATH");
        var result = await Processes.RunAsync(psi);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["scheduler", ":4"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Version_as_json_and_yaml_is_the_documented_document()
    {
        var json = await Processes.RunAsync(Processes.Cli("version", "-o", "json"));
        Assert.True(json.ExitCode == 0, json.Output);
        Schemas.AssertValid("version", json.Stdout);
        Assert.Equal("jit", (string?)System.Text.Json.Nodes.JsonNode.Parse(json.Stdout)!["build"]);
        var yaml = await Processes.RunAsync(Processes.Cli("version", "-o", "yaml"));
        Assert.Matches(@"(?m)^build: jit$", yaml.Stdout);
        Assert.DoesNotContain('\u001b', json.Output + yaml.Output);
    }

    [Fact]
    public async Task Every_shell_gets_a_script_naming_the_command_and_an_unknown_shell_is_refused()
    {
        foreach (var shell in new[] { "bash", "zsh", "fish", "powershell" })
        {
            var result = await Processes.RunAsync(Processes.Cli("completion", shell));
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains("kube-rescue", result.Stdout);
            Assert.Contains("[suggest:", result.Stdout);
        }
        var bash = await Processes.RunAsync(Processes.Cli("completion", "bash"));
        var syntax = await Processes.RunAsync(new ProcessStartInfo("bash", ["-n"]), stdin: bash.Stdout);
        Assert.True(syntax.ExitCode == 0, syntax.Output);

        var unknown = await Processes.RunAsync(Processes.Cli("completion", "tcsh"));
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("tcsh", unknown.Stderr);
    }
}

/// <summary>The check of docs/rbac.yaml itself: it must say no to what the file does not grant.</summary>
public class RbacCheckTests
{
    [Theory]
    [InlineData("GET https://h/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-scheduler")]
    [InlineData("GET https://h/api/v1/pods?fieldSelector=spec.nodeName%3Dmaster-1")]
    [InlineData("DELETE https://h/api/v1/namespaces/kube-system/pods/kube-scheduler-rescue")]
    [InlineData("PUT https://h/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler")]
    [InlineData("GET https://h/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?fieldSelector=metadata.name%3Dkube-scheduler&watch=true")]
    [InlineData("GET https://h/readyz?verbose")]
    public void What_the_tool_does_is_allowed(string call) => Assert.Equal(1, Rbac.AssertAllowed($"api: {call} 200 OK in 1 ms"));

    [Theory]
    [InlineData("DELETE https://h/api/v1/namespaces/kube-system/pods/kube-scheduler-8c87bc466-lb68c")]
    [InlineData("POST https://h/api/v1/namespaces/default/pods")]
    [InlineData("GET https://h/api/v1/namespaces/kube-system/secrets/token")]
    [InlineData("PATCH https://h/apis/apps/v1/namespaces/kube-system/deployments/kube-apiserver")]
    [InlineData("GET https://h/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?watch=true")]
    [InlineData("PUT https://h/apis/coordination.k8s.io/v1/namespaces/default/leases/kube-scheduler")]
    [InlineData("GET https://h/metrics")]
    public void What_the_file_does_not_grant_is_reported(string call) =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Rbac.AssertAllowed($"api: {call} 200 OK in 1 ms"));
}
