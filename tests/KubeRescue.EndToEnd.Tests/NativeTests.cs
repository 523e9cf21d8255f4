using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The NativeAOT build, published once per test run into <c>artifacts/native</c> (docs/install.md's command): a failed
/// publish fails every test that needs it. The first run on a machine restores the ILCompiler package and compiles
/// for minutes; a run with nothing changed takes seconds.
/// </summary>
public static class NativeBuild
{
    public static string OutputDirectory => Path.Combine(Repository.Root, "artifacts", "native");

    static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The directory holding <c>kube-rescue</c> and <c>kubectl-rescue</c>, the same binary under both names.</summary>
    public static Task<string> PublishedAsync() => Published.Value;

    static async Task<string> PublishAsync()
    {
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { "publish", Path.Combine(Repository.Root, "src", "KubeRescue.Cli", "KubeRescue.Cli.csproj"), "-c", "Release", "-r", "linux-x64",
                     "-p:PublishAot=true", "-o", OutputDirectory, "-nologo" })
            psi.ArgumentList.Add(a);
        var result = await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(25));
        if (result.ExitCode != 0) throw new InvalidOperationException($"the native publish failed ({result.ExitCode}): {result.Output}");
        foreach (var name in new[] { "kube-rescue", "kubectl-rescue" })
            if (!File.Exists(Path.Combine(OutputDirectory, name))) throw new InvalidOperationException($"the native publish left no {name} in {OutputDirectory}: {result.Output}");
        return OutputDirectory;
    }
}

/// <summary>
/// The native build's tests run alone, after the others: its publish keeps both cores busy for minutes, which would
/// starve the labs of the tests beside it (their leases last 3 s at 5× speed).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeCollection
{
    public const string Name = "native build";
}

/// <summary>
/// The native binary on its own and as a kubectl plugin, against a lab of its own (this class's fixture): version,
/// <c>kubectl rescue status</c> and <c>render</c> through the real kubectl, and a recovery whose watches must work
/// without reflection.
/// </summary>
[Collection(NativeCollection.Name)]
public sealed class NativeTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>, IDisposable
{
    readonly string _kubectlCache = Directory.CreateTempSubdirectory("kubectl-cache-native-").FullName;

    public void Dispose() => Directory.Delete(_kubectlCache, recursive: true);

    static async Task<ProcessResult> NativeAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(await NativeBuild.PublishedAsync(), "kubectl-rescue"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// The real kubectl with the plugin's directory first on the PATH, as a user who installed it has it; no
    /// <c>--cache-dir</c>, which kubectl would hand on to the plugin with the other arguments.
    /// </summary>
    async Task<ProcessResult> KubectlAsync(params string[] args)
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var psi = new ProcessStartInfo(kubectl.Binary);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = $"{await NativeBuild.PublishedAsync()}{Path.PathSeparator}{Path.GetDirectoryName(kubectl.Binary)}";
        psi.Environment["KUBECACHEDIR"] = _kubectlCache;
        return await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Version_says_native_without_a_cluster_and_the_lab_commands_are_not_there()
    {
        var env = new ProcessStartInfo(Path.Combine(await NativeBuild.PublishedAsync(), "kube-rescue"), "version -o json");
        env.Environment["KUBECONFIG"] = "/nonexistent/kubeconfig";
        var json = await Processes.RunAsync(env);
        Assert.True(json.ExitCode == 0, json.Output);
        var native = JsonNode.Parse(json.Stdout)!.AsObject();
        var jit = JsonNode.Parse((await Processes.RunAsync(Processes.Cli("version", "-o", "json"))).Stdout)!.AsObject();
        Assert.Equal(("native", "jit"), (native["build"]!.GetValue<string>(), jit["build"]!.GetValue<string>()));
        Assert.Equal(jit["version"]!.GetValue<string>(), native["version"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+$", native["version"]!.GetValue<string>());
        Assert.StartsWith(".NET 10.", native["runtime"]!.GetValue<string>());

        var table = await NativeAsync("version");
        Assert.True(table.ExitCode == 0, table.Output);
        Assert.Contains("Build: native\n", table.Stdout);

        var drill = await NativeAsync("drill");
        Assert.NotEqual(0, drill.ExitCode);
        Assert.Contains("Unrecognized command or argument 'drill'", drill.Stderr);
        var help = await NativeAsync("--help");
        Assert.Contains("This build has no lab: `drill` and `lab` are in the JIT build", help.Stdout);
        Assert.DoesNotMatch(@"\n  (drill|lab) ", help.Stdout);
    }

    [Fact]
    public async Task A_kubeconfig_user_with_an_exec_credential_plugin_is_a_clear_error_in_the_native_build()
    {
        // The client runs exec plugins through reflection-based JSON, which the native build does not have.
        var kubeconfig = Path.Combine(_kubectlCache, "exec.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token]}}}]
            """);
        var result = await NativeAsync("status", "--kubeconfig", kubeconfig);
        Assert.True(result.ExitCode == 3, result.Output);
        Assert.StartsWith("error: cannot use the kubeconfig: its user runs the credential plugin aws, which this native build cannot", result.Stderr);
    }

    [Fact]
    public async Task A_CA_that_does_not_vouch_for_the_server_is_a_clear_TLS_error_in_the_native_build()
    {
        // The native build checks the server against the kubeconfig's CA alone (src/KubeRescue/Kube/ClientTls.cs).
        var kubeconfig = Path.Combine(_kubectlCache, "wrong-ca.kubeconfig");
        using (var other = KubeRescue.Lab.ApiServer.Hosting.LabCertificates.Create())
            await File.WriteAllTextAsync(kubeconfig, Regex.Replace(await File.ReadAllTextAsync(lab.Kubeconfig), @"certificate-authority-data: \S+",
                $"certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(other.CaPem()))}"));
        var result = await NativeAsync("status", "--kubeconfig", kubeconfig);
        Assert.True(result.ExitCode == 3, result.Output);
        Assert.StartsWith("error: TLS failed talking to the API server: ", result.Stderr);
    }

    [Fact]
    public async Task Kubectl_lists_the_plugin_and_kubectl_rescue_status_runs_it_with_the_arguments()
    {
        var list = await KubectlAsync("plugin", "list");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains(Path.Combine(await NativeBuild.PublishedAsync(), "kubectl-rescue") + "\n", list.Stdout);

        var help = await KubectlAsync("rescue", "status", "--help");
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("Usage:\n  kubectl rescue status [options]", help.Stdout);
        Assert.Contains("    kubectl rescue status --kubeconfig /tmp/lab.kubeconfig\n", help.Stdout);

        ProcessResult status = null!;
        await Wait.UntilAsync(async () => (status = await KubectlAsync("rescue", "status", "--kubeconfig", lab.Kubeconfig)).ExitCode == 0,
            TimeSpan.FromSeconds(90), "kubectl rescue status exit 0", Kubectl.PollInterval);
        Assert.StartsWith("Control plane: healthy (observed ", status.Stdout);
        Assert.Matches(@"  Lease: held by kube-scheduler-[0-9a-z]+-[0-9a-z]{5}, renewed \d+s ago of 3s\n", status.Stdout);

        // The native document has the JIT build's shape, key for key (the source-generated contract against the reflection one).
        var native = JsonNode.Parse((await KubectlAsync("rescue", "status", "--kubeconfig", lab.Kubeconfig, "-o", "json")).Stdout)!;
        var jit = JsonNode.Parse((await Processes.RunAsync(Processes.Cli("status", "--kubeconfig", lab.Kubeconfig, "-o", "json"))).Stdout)!;
        Assert.Equal(Shape(jit), Shape(native));
        Assert.Equal("healthy", native["overall"]!.GetValue<string>());
    }

    /// <summary>Every key path in a document (array items merged), without the values.</summary>
    static SortedSet<string> Shape(JsonNode? node, string path = "", SortedSet<string>? into = null)
    {
        into ??= new SortedSet<string>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    into.Add($"{path}.{key}");
                    Shape(value, $"{path}.{key}", into);
                }
                break;
            case JsonArray a:
                foreach (var item in a) Shape(item, path + "[]", into);
                break;
        }
        return into;
    }

    [Fact]
    public async Task Kubectl_rescue_render_is_a_pod_kubectl_create_accepts()
    {
        var render = await KubectlAsync("rescue", "render", "scheduler", "--kubeconfig", lab.Kubeconfig);
        Assert.True(render.ExitCode == 0, render.Output);
        Assert.Contains("kind: Pod\n", render.Stdout);
        Assert.Matches(@"\n  nodeName: master-\d\n", render.Stdout);

        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        Assert.Equal("pod/kube-scheduler-rescue", (await kubectl.OkAsync("create --dry-run=client -o name -f -", render.Stdout)).Trim());
    }

    [Fact]
    public async Task The_start_up_benchmark_runs_quick_against_this_lab()
    {
        var psi = new ProcessStartInfo(Path.Combine(Repository.Root, "bench", "startup", "run.sh"));
        foreach (var a in new[] { "--quick", "--kubeconfig", lab.Kubeconfig, "--native", await NativeBuild.PublishedAsync(), "--jit", KubeRescueCli.BesideThisProgram }) psi.ArgumentList.Add(a);
        var bench = await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(5));
        Assert.True(bench.ExitCode == 0, bench.Output);
        foreach (var row in new[] { "kube-rescue version (native)", "kube-rescue version (JIT)", "kubectl version --client", "kube-rescue status (native)", "kubectl get deploy -n kube-system" })
            Assert.Matches($@"\| `{Regex.Escape(row)}` \| \d+\.\d \| \d+\.\d \| \d+\.\d \|\n", bench.Stdout);
        Assert.Contains("Ratios of medians: native version / kubectl version --client = ", bench.Stdout);
    }

    [Fact]
    public async Task A_native_recovery_of_a_broken_scheduler_follows_the_cluster_through_its_watches()
    {
        var broken = await Processes.RunAsync(Processes.Cli("lab", "break", "scheduler", "--kubeconfig", lab.Kubeconfig, "--settle", "2"), timeout: TimeSpan.FromMinutes(2));
        Assert.True(broken.ExitCode == 0, broken.Output);

        // Called by its plugin name, the binary suggests the command as the user types it.
        var before = await NativeAsync("status", "--kubeconfig", lab.Kubeconfig);
        Assert.True(before.ExitCode != 0, before.Output);
        Assert.Contains("Next step for kube-scheduler: kubectl rescue recover scheduler", before.Stdout);

        var recover = await NativeAsync("recover", "scheduler", "--yes", "--timeout", "4m", "--kubeconfig", lab.Kubeconfig);
        Assert.True(recover.ExitCode == 0, recover.Output);
        Assert.Matches(@"ensure-rescue-pod kube-scheduler: done in \S+: kube-scheduler-rescue runs on master-\d", recover.Stdout);
        Assert.Contains("recovered kube-scheduler in ", recover.Stdout);
        Assert.DoesNotContain("warning:", recover.Output);

        var status = await NativeAsync("status", "--kubeconfig", lab.Kubeconfig);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.DoesNotContain("kube-scheduler-rescue", status.Stdout);
    }
}
