using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeRescue.Cli.Commands.Status;
using KubeRescue.Cli.Output;
using KubeRescue.Diagnosis;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// <c>kube-rescue status</c> from the real CLI against a lab process. One test breaks the scheduler, at its end;
/// the others hold whichever state they meet (they check the output's form and that the exit code is its verdict).
/// </summary>
public class StatusTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    static readonly Dictionary<string, int> ExitCodes = new() { ["healthy"] = 0, ["degraded"] = 1, ["down"] = 2 };

    Task<ProcessResult> StatusAsync(params string[] args) => Processes.RunAsync(Processes.Cli(["status", "--kubeconfig", lab.Kubeconfig, .. args]));

    [Fact]
    public async Task A_healthy_lab_exits_0_with_its_tables_and_after_lab_break_scheduler_exits_2_with_the_evidence()
    {
        ProcessResult healthy = null!;
        await Wait.UntilAsync(async () => (healthy = await StatusAsync()).ExitCode == 0, TimeSpan.FromSeconds(60), "status exit 0", Kubectl.PollInterval);
        Assert.StartsWith("Control plane: healthy (observed ", healthy.Stdout);
        Assert.Equal("", healthy.Stderr);
        foreach (var section in new[] { "API server", "Components", "kube-scheduler pods", "kube-controller-manager pods", "Masters", "Control-plane DaemonSets" })
            Assert.Contains(section, healthy.Stdout);
        Assert.Matches(@"\| kube-scheduler-[0-9a-z]+-[0-9a-z]{5} +\| master-\d +\| Running +\| +\| 0 +\| yes +\| yes +\| 1 +\|", healthy.Stdout);
        Assert.Matches(@"  Lease: held by kube-scheduler-[0-9a-z]+-[0-9a-z]{5}, renewed \d+s ago of 3s\n", healthy.Stdout);
        Assert.Contains("  Workload: Deployment kube-scheduler: 2 desired, 2 ready by its pods, 2 available by its own status, revision 1", healthy.Stdout);
        Assert.Contains("  Pending: no pod waits for a scheduler", healthy.Stdout);
        Assert.Matches(@"\| master-1 +\| yes +\| node-role.kubernetes.io/master:NoSchedule +\| no +\|", healthy.Stdout);
        Assert.Matches(@"\| kube-apiserver +\| 3 +\| 3 +\| 3 +\|", healthy.Stdout);
        Assert.EndsWith("Next step: none\n", healthy.Stdout);

        var broken = await Processes.RunAsync(Processes.Cli("lab", "break", "scheduler", "--kubeconfig", lab.Kubeconfig, "--settle", "2"), timeout: TimeSpan.FromMinutes(2));
        Assert.True(broken.ExitCode == 0, broken.Output);

        // The controller-manager recreates the deleted pods on its own time; then they wait for a scheduler.
        ProcessResult down = null!;
        // (On a loaded machine a renewal of the controller-manager's lease can come late: wait for it to be healthy too.)
        await Wait.UntilAsync(async () => (down = await StatusAsync()).Stdout.Contains("  Pending: 2 pods wait for a scheduler")
                                          && down.Stdout.Contains("kube-controller-manager: healthy\n"),
            TimeSpan.FromSeconds(60), "the scheduler's replacements waiting", Kubectl.PollInterval);
        Assert.Equal(2, down.ExitCode);
        Assert.StartsWith("Control plane: down (observed ", down.Stdout);
        Assert.Contains("kube-scheduler: down\n", down.Stdout);
        Assert.Contains("kube-controller-manager: healthy\n", down.Stdout);
        Assert.Equal(2, Regex.Matches(down.Stdout, @"\| kube-scheduler-[0-9a-z]+-[0-9a-z]{5} +\| <none> +\| Pending +\| +\| 0 +\| no +\| no +\|").Count);
        Assert.Contains("no live pod (0/2 pods ready); 2 pods Pending with no node: nothing schedules them, as only a running scheduler places its successors", down.Stdout);
        Assert.Matches(@"  Pending: 2 pods wait for a scheduler \(Pending with no node\), the oldest kube-system/kube-scheduler-\S+ for \d+s\n", down.Stdout);
        Assert.EndsWith("Next step for kube-scheduler: kube-rescue recover scheduler\n", down.Stdout);
    }

    [Fact]
    public async Task On_a_terminal_verdicts_are_coloured_unless_NO_COLOR_is_set_and_in_a_pipe_there_are_no_escape_codes()
    {
        // SGR colour parameters: 30-37, 38;..., 90-97 (Spectre writes e.g. ESC[38;5;2m or ESC[32m).
        var colour = new Regex(@"\u001b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m");
        var coloured = Processes.Cli("status", "--kubeconfig", lab.Kubeconfig);
        coloured.Environment.Remove("NO_COLOR");
        var onTerminal = await Processes.RunAsync(Processes.InTerminal(coloured));
        Assert.True(ExitCodes.ContainsValue(onTerminal.ExitCode), onTerminal.Output);
        Assert.Matches(colour, onTerminal.Stdout);
        Assert.Contains("╭", onTerminal.Stdout);

        var plain = Processes.Cli("status", "--kubeconfig", lab.Kubeconfig);
        plain.Environment["NO_COLOR"] = "1";
        var noColor = await Processes.RunAsync(Processes.InTerminal(plain));
        Assert.Contains("Control plane: ", noColor.Stdout);
        Assert.DoesNotMatch(colour, noColor.Stdout);

        var piped = await StatusAsync();
        Assert.DoesNotContain('\u001b', piped.Output);
        Assert.Contains("+-", piped.Stdout);
    }

    [Fact]
    public async Task Verbose_prints_each_API_call_to_stderr_and_never_the_token()
    {
        var result = await StatusAsync("--verbose", "-o", "json");
        Schemas.AssertValid("status", result.Stdout);
        var calls = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.Matches(@"^api: (GET|POST|PUT|PATCH|DELETE) https://127\.0\.0\.1:\d+/\S+ \d{3} .* in \d+ ms$", c));
        Assert.Contains(calls, c => c.Contains("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler 200", StringComparison.Ordinal));
        // Every pod list is targeted: it carries a selector.
        Assert.All(calls.Where(c => c.Contains("/pods?", StringComparison.Ordinal) || c.Contains("/pods ", StringComparison.Ordinal)),
            c => Assert.Matches("[?&](labelSelector|fieldSelector)=", c));
        var token = lab.Token;
        Assert.NotEqual("", token);
        Assert.DoesNotContain(token, result.Output);
        Assert.Equal(calls.Length, Rbac.AssertAllowed(result.Stderr));
    }

    [Fact]
    public async Task Json_has_the_documented_fields_and_the_exit_code_is_its_verdict()
    {
        var result = await StatusAsync("-o", "json");
        Schemas.AssertValid("status", result.Stdout);
        var doc = JsonNode.Parse(result.Stdout)!.AsObject();
        Assert.Equal(["observedAt", "overall", "apiServer", "components", "daemonSets", "masters"], doc.Select(p => p.Key));
        Assert.Equal(ExitCodes[(string)doc["overall"]!], result.ExitCode);
        Assert.True(DateTime.TryParse((string)doc["observedAt"]!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _));
        Assert.Equal(["live", "ready", "verdict"], doc["apiServer"]!.AsObject().Select(p => p.Key).Where(k => k != "detail"));

        var components = doc["components"]!.AsArray();
        Assert.Equal(["kube-scheduler", "kube-controller-manager"], components.Select(c => (string)c!["name"]!));
        foreach (var c in components)
        {
            Assert.Contains((string)c!["verdict"]!, ExitCodes.Keys);
            foreach (var field in new[] { "summary", "workload", "pods", "lease", "shortReplicaSets", "nextStep" }) Assert.NotNull(c[field]);
            Assert.Equal(["kind", "name", "desired", "readyPods", "reportedAvailable", "revision"], c["workload"]!.AsObject().Select(p => p.Key));
            // Absent values are left out: a released lease has no holder, a holder that is no pod has no holderPod.
            foreach (var field in new[] { "renewTime", "durationSeconds", "secondsSinceRenewal", "expired", "holderIsLivePod", "holderIsRescue", "source", "held" })
                Assert.True(c["lease"]!.AsObject().ContainsKey(field), field);
            foreach (var pod in c["pods"]!.AsArray())
                foreach (var field in new[] { "name", "phase", "restarts", "ready", "terminating", "isRescue", "created", "crashLooping", "live" })
                    Assert.True(pod!.AsObject().ContainsKey(field), field);
        }
        Assert.Equal(["count", "more", "oldestAgeSeconds"], components[0]!["pending"]!.AsObject().Select(p => p.Key).Where(k => k != "oldestPod"));
        Assert.False(components[1]!.AsObject().ContainsKey("pending"));
        Assert.Equal(["master-1", "master-2", "master-3"], doc["masters"]!.AsArray().Select(m => (string)m!["name"]!));
        Assert.Equal(["name", "ready", "taints", "unschedulable"], doc["masters"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(["kube-apiserver", "pod-checkpointer"], doc["daemonSets"]!.AsArray().Select(d => (string)d!["name"]!));
        Assert.Equal(["name", "desired", "ready", "available"], doc["daemonSets"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Yaml_is_the_same_document_as_json()
    {
        // Two runs are two looks at a live cluster: compare them without what time alone changes, and retry while
        // the lab was caught changing between them.
        (JsonNode Json, JsonNode Yaml)? last = null;
        await Wait.UntilAsync(async () =>
        {
            var json = await StatusAsync("-o", "json");
            var yaml = await StatusAsync("-o", "yaml");
            Assert.DoesNotContain("{", yaml.Stdout.Split('\n')[0]);
            if (json.ExitCode != yaml.ExitCode) return false;
            last = (WithoutTime(JsonNode.Parse(json.Stdout)), WithoutTime(FromYaml(yaml.Stdout)));
            return JsonNode.DeepEquals(last.Value.Json, last.Value.Yaml);
        }, TimeSpan.FromSeconds(60), "the same document twice", Kubectl.PollInterval);
        Assert.Contains("kube-scheduler", last!.Value.Yaml.ToJsonString());
    }

    [Fact]
    public async Task The_table_in_a_pipe_has_no_escape_codes_even_where_the_terminal_claims_colours()
    {
        var psi = Processes.Cli("status", "--kubeconfig", lab.Kubeconfig);
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment["COLORTERM"] = "truecolor";
        var result = await Processes.RunAsync(psi);
        Assert.Contains("Control plane: ", result.Stdout);
        Assert.DoesNotContain('\u001b', result.Stdout);
        Assert.DoesNotContain('─', result.Stdout);
    }

    [Fact]
    public async Task On_a_terminal_verdicts_are_coloured_unless_NO_COLOR_is_set()
    {
        async Task<string> OnTerminal(bool noColor)
        {
            // script(1) gives the CLI a pseudo-terminal for its standard output.
            var psi = new ProcessStartInfo("script") { ArgumentList = { "-qec", $"dotnet {KubeRescueCli.BesideThisProgram} status --kubeconfig {lab.Kubeconfig}", "/dev/null" } };
            psi.Environment["TERM"] = "xterm-256color";
            psi.Environment.Remove("NO_COLOR");
            if (noColor) psi.Environment["NO_COLOR"] = "1";
            return (await Processes.RunAsync(psi)).Stdout;
        }
        var colour = new Regex(@"\u001b\[[0-9;]*(3[0-7]|38;[25];[0-9;]+)m");
        var coloured = await OnTerminal(noColor: false);
        Assert.Contains("Control plane: ", coloured);
        Assert.Matches(colour, coloured);
        var plain = await OnTerminal(noColor: true);
        Assert.Contains("Control plane: ", plain);
        Assert.DoesNotMatch(colour, plain);
    }

    [Fact]
    public async Task A_kubeconfig_that_cannot_be_used_or_a_server_that_cannot_be_reached_exits_3_with_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-status-").FullName;
        try
        {
            var garbage = Path.Combine(dir, "garbage");
            await File.WriteAllTextAsync(garbage, "clusters: [unclosed\n");
            var empty = Path.Combine(dir, "empty");
            await File.WriteAllTextAsync(empty, "");
            var unreachable = Path.Combine(dir, "unreachable");
            await File.WriteAllTextAsync(unreachable, Regex.Replace(await File.ReadAllTextAsync(lab.Kubeconfig), @"server: https://127\.0\.0\.1:\d+", "server: https://127.0.0.1:1"));

            // Another lab's CA (a fresh one from the same generator) does not vouch for this server.
            var wrongCa = Path.Combine(dir, "wrong-ca");
            using (var other = KubeRescue.Lab.ApiServer.Hosting.LabCertificates.Create())
                await File.WriteAllTextAsync(wrongCa, Regex.Replace(await File.ReadAllTextAsync(lab.Kubeconfig), @"certificate-authority-data: \S+",
                    $"certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(other.CaPem()))}"));

            var cases = new (string[] Args, string Error)[]
            {
                (["--kubeconfig", Path.Combine(dir, "missing")], $"error: cannot use the kubeconfig: kubeconfig file not found at {Path.Combine(dir, "missing")}"),
                (["--kubeconfig", garbage], "error: cannot use the kubeconfig: it is not valid YAML: "),
                (["--kubeconfig", empty], "error: cannot use the kubeconfig: it is empty or incomplete"),
                (["--kubeconfig", lab.Kubeconfig, "--context", "nope"], "error: cannot use the kubeconfig: CurrentContext: nope not found"),
                (["--kubeconfig", unreachable], "error: cannot reach the API server at https://127.0.0.1:1: Connection refused"),
                (["--kubeconfig", wrongCa], "error: TLS failed talking to the API server: "),
            };
            foreach (var (args, error) in cases)
            {
                var result = await Processes.RunAsync(Processes.Cli(["status", .. args]));
                Assert.True(result.ExitCode == 3, $"{string.Join(' ', args)}: {result.ExitCode} {result.Output}");
                Assert.StartsWith(error, result.Stderr);
                Assert.Equal("", result.Stdout);
            }

            var badFormat = await StatusAsync("-o", "xml");
            Assert.NotEqual(0, badFormat.ExitCode);
            Assert.Contains("'xml'", badFormat.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_table_renders_states_a_healthy_lab_does_not_show()
    {
        // Rendered in-process from a constructed status: an API server that is not ready, a rescue in progress, an
        // expired lease read from an old Endpoints lock.
        var now = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        var rescue = new PodEvidence("kube-scheduler-rescue", "master-2", "Running", null, 0, true, false, true, "1", now.AddSeconds(-30)) { Live = true };
        var scheduler = new ComponentStatus("kube-scheduler", Verdict.Degraded, "the rescue pod kube-scheduler-rescue leads", new WorkloadEvidence("Deployment", "kube-scheduler", 2, 0, 2, "1"),
            [rescue], new LeaseEvidence("kube-scheduler-rescue_1", now.AddSeconds(-2), 15, 2, false, "kube-scheduler-rescue", true, true), new PendingEvidence(2, true, 75, "kube-system/kube-scheduler-x"),
            [], "let the running recovery finish, or resume it: kube-rescue recover scheduler");
        var controllerManager = new ComponentStatus("kube-controller-manager", Verdict.Down, "no live pod", null, [],
            new LeaseEvidence("master-1", now.AddSeconds(-100), 15, 100, true, null, false, false) { Source = "Endpoints" }, null,
            [new ReplicaSetEvidence("kube-controller-manager-aaa", 2, 0, "1") { ReportedReplicas = 2 }], "kube-rescue recover controller-manager");
        var status = new ControlPlaneStatus(now, Verdict.Down, new ApiServerHealth(true, false, "/readyz: HTTP 500: [-]etcd failed: reason withheld"),
            [scheduler, controllerManager], [], []);

        var output = new StringWriter();
        StatusView.Write(Terminal.CreateConsole(output, terminal: false), status);
        var text = output.ToString();

        Assert.StartsWith("Control plane: down (observed 2025-03-04T05:06:07Z)\n", text);
        Assert.Matches(@"\| degraded +\| ok +\| failed +\| /readyz: HTTP 500: \[-\]etcd failed: reason withheld +\|", text);
        Assert.Matches(@"\| kube-scheduler-rescue \(rescue\) +\| master-2 +\| Running +\| +\| 0 +\| yes +\| yes +\| 1 +\| 30s +\|", text);
        Assert.Contains("  Workload: Deployment kube-scheduler: 2 desired, 0 ready by its pods, 2 available by its own status, revision 1\n", text);
        Assert.Contains("  Lease: held by kube-scheduler-rescue (the rescue pod), renewed 2s ago of 15s\n", text);
        Assert.Contains("  Pending: 2+ pods wait for a scheduler (Pending with no node), the oldest kube-system/kube-scheduler-x for 75s\n", text);
        Assert.Contains("  Workload: none found (no Deployment, DaemonSet or static pod)\n  Pods: none\n", text);
        Assert.Contains("  Lease: expired: last held by master-1 (not a live pod), renewed 100s ago of 15s (Endpoints annotation)\n", text);
        Assert.Matches(@"\| kube-controller-manager-aaa +\| 2 +\| 0 +\| 2 +\| 1 +\|", text);
        Assert.Contains("| <none found> |", text);
        Assert.EndsWith("Next step for the API server: read its failed checks: kubectl get --raw '/readyz?verbose'\n"
            + "Next step for kube-scheduler: let the running recovery finish, or resume it: kube-rescue recover scheduler\n"
            + "Next step for kube-controller-manager: kube-rescue recover controller-manager\n", text);
        Assert.DoesNotContain('\u001b', text);
    }

    /// <summary>The document without the values that change by time alone (instants, ages, and the summaries that mention them).</summary>
    static JsonNode WithoutTime(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in new[] { "observedAt", "renewTime", "secondsSinceRenewal", "oldestAgeSeconds", "summary" }) o.Remove(key);
                foreach (var (_, value) in o) WithoutTime(value);
                break;
            case JsonArray a:
                foreach (var item in a) WithoutTime(item);
                break;
        }
        return node!;
    }

    /// <summary>YAML to JSON by the YAML reading: plain scalars as null, booleans or numbers when they read as such, quoted ones as strings.</summary>
    static JsonNode FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return Convert(stream.Documents.Single().RootNode)!;

        static JsonNode? Convert(YamlNode node) => node switch
        {
            YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
            YamlSequenceNode s => new JsonArray([.. s.Children.Select(Convert)]),
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "null" or "~" } => null,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
            YamlScalarNode { Style: ScalarStyle.Plain } n when double.TryParse(n.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                => JsonNode.Parse(n.Value!),
            YamlScalarNode scalar => JsonValue.Create(scalar.Value),
            _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
        };
    }
}
