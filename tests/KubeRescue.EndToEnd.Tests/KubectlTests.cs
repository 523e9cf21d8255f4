using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// Real kubectl (the default dispatcher, 1.27 and 1.33) against <c>kube-rescue lab up --api-only</c>: what an
/// operator types during a recovery must work and print what a real cluster prints.
/// </summary>
public class KubectlTests(ApiLabProcess lab) : IClassFixture<ApiLabProcess>
{
    static string Manifest(string ns, string image, string envValue) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{ns}}
          labels: {app: web}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: {{image}}
                env:
                - {name: MODE, value: "{{envValue}}"}
        """;

    static string[] Header(string output) => Regex.Split(output.Split('\n')[0].Trim(), @"\s{2,}");

    async Task<(Kubectl Kubectl, string Namespace)> Setup(string version)
    {
        var kubectl = new Kubectl(version, lab.Kubeconfig);
        var ns = $"e2e-{version.Replace(".", "")}-{Guid.NewGuid().ToString("N")[..6]}";
        Assert.Equal($"namespace/{ns} created", (await kubectl.OkAsync($"create namespace {ns}")).Trim());
        return (kubectl, ns);
    }

    static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Typed_create_commands_work_whether_kubectl_sends_JSON_or_protobuf(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        var deployment = await kubectl.RunAsync($"create deployment web -n {ns} --image=nginx:1 --replicas=2 --port=80 -v=8");
        Assert.True(deployment.ExitCode == 0, deployment.Output);
        Assert.Equal("deployment.apps/web created", deployment.Stdout.Trim());
        // 1.27 sends JSON; 1.31+ protobuf, which is what this test is for.
        if (version == "1.33") Assert.Contains("Content-Type: application/vnd.kubernetes.protobuf", deployment.Stderr);
        Assert.Equal("configmap/settings created", (await kubectl.OkAsync($"create configmap settings -n {ns} --from-literal=mode=fast --from-literal=level=3")).Trim());
        Assert.Equal("secret/db created", (await kubectl.OkAsync($"create secret generic db -n {ns} --from-literal=password=s3cret")).Trim());
        Assert.Equal("serviceaccount/robot created", (await kubectl.OkAsync($"create serviceaccount robot -n {ns}")).Trim());

        var namespaceJson = Json(await kubectl.OkAsync($"get namespace {ns} -o json"));
        Assert.Equal("Active", namespaceJson.GetProperty("status").GetProperty("phase").GetString());
        var spec = Json(await kubectl.OkAsync($"get deployment web -n {ns} -o json")).GetProperty("spec");
        Assert.Equal(2, spec.GetProperty("replicas").GetInt32());
        Assert.Equal("web", spec.GetProperty("selector").GetProperty("matchLabels").GetProperty("app").GetString());
        Assert.Equal("web", spec.GetProperty("template").GetProperty("metadata").GetProperty("labels").GetProperty("app").GetString());
        var container = Assert.Single(spec.GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray());
        Assert.Equal("nginx", container.GetProperty("name").GetString());
        Assert.Equal("nginx:1", container.GetProperty("image").GetString());
        Assert.Equal(80, Assert.Single(container.GetProperty("ports").EnumerateArray()).GetProperty("containerPort").GetInt32());
        var data = Json(await kubectl.OkAsync($"get configmap settings -n {ns} -o json")).GetProperty("data");
        Assert.Equal("fast", data.GetProperty("mode").GetString());
        Assert.Equal("3", data.GetProperty("level").GetString());
        var secret = Json(await kubectl.OkAsync($"get secret db -n {ns} -o json"));
        Assert.Equal(Convert.ToBase64String("s3cret"u8), secret.GetProperty("data").GetProperty("password").GetString());
        Assert.Equal("robot", Json(await kubectl.OkAsync($"get serviceaccount robot -n {ns} -o json")).GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Drain_without_evictions_and_debug_node_send_protobuf_that_the_lab_decodes()
    {
        var (kubectl, ns) = await Setup("1.33");
        using var _ = kubectl;
        var node = $"node-{ns}";
        await kubectl.OkAsync("create -f -", $"apiVersion: v1\nkind: Node\nmetadata:\n  name: {node}\n");
        await kubectl.OkAsync("create -f -", $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: {ns}\nspec:\n  nodeName: {node}\n  containers:\n  - {{name: app, image: nginx}}\n");

        // kubectl debug creates its pod (hostPID, a hostPath volume, a toleration of everything) as protobuf.
        var debug = await kubectl.OkAsync($"debug node/{node} -n {ns} --image=busybox");
        var debugger = Regex.Match(debug, @"Creating debugging pod (\S+) ").Groups[1].Value;
        var podSpec = Json(await kubectl.OkAsync($"get pod {debugger} -n {ns} -o json")).GetProperty("spec");
        Assert.True(podSpec.GetProperty("hostPID").GetBoolean());
        Assert.Equal("/", Assert.Single(podSpec.GetProperty("volumes").EnumerateArray()).GetProperty("hostPath").GetProperty("path").GetString());
        Assert.Equal("Exists", Assert.Single(podSpec.GetProperty("tolerations").EnumerateArray()).GetProperty("operator").GetString());

        // Without evictions, drain deletes each pod with a protobuf DeleteOptions; a grace period of 0 deletes at once.
        var drain = await kubectl.RunAsync($"drain {node} --disable-eviction --force --grace-period=0 --timeout=30s -v=8");
        Assert.True(drain.ExitCode == 0, drain.Output);
        Assert.Contains($"node/{node} drained", drain.Stdout);
        Assert.Contains("Content-Type: application/vnd.kubernetes.protobuf", drain.Stderr);
        Assert.Equal("", (await kubectl.OkAsync($"get pods -n {ns} -o name")).Trim());
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Api_resources_and_api_versions(string version)
    {
        using var kubectl = new Kubectl(version, lab.Kubeconfig);
        var resources = (await kubectl.OkAsync("api-resources")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Regex.Split(l.Trim(), @"\s+")).ToList();
        Assert.Equal(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], resources[0]);
        Assert.Contains(["pods", "po", "v1", "true", "Pod"], resources);
        Assert.Contains(["deployments", "deploy", "apps/v1", "true", "Deployment"], resources);
        Assert.Contains(["leases", "coordination.k8s.io/v1", "true", "Lease"], resources);
        Assert.Contains(["nodes", "no", "v1", "false", "Node"], resources);
        var versions = (await kubectl.OkAsync("api-versions")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "coordination.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "v1"], versions);
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Create_apply_twice_with_a_change_and_delete(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        Assert.Equal("deployment.apps/web created", (await kubectl.OkAsync("create -f -", Manifest(ns, "nginx:1.25", "a"))).Trim());
        var created = await kubectl.RunAsync("create -f -", Manifest(ns, "nginx:1.25", "a"));
        Assert.NotEqual(0, created.ExitCode);
        Assert.Contains("Error from server (AlreadyExists): error when creating \"STDIN\": deployments.apps \"web\" already exists", created.Stderr);

        Assert.Equal("deployment.apps/web configured", (await kubectl.OkAsync("apply -f -", Manifest(ns, "nginx:1.26", "b"))).Trim());
        Assert.Equal("deployment.apps/web unchanged", (await kubectl.OkAsync("apply -f -", Manifest(ns, "nginx:1.26", "b"))).Trim());
        Assert.Equal("deployment.apps/web configured", (await kubectl.OkAsync("apply -f -", Manifest(ns, "nginx:1.27", "b"))).Trim());
        var json = JsonDocument.Parse(await kubectl.OkAsync($"get deploy web -n {ns} -o json")).RootElement;
        var container = json.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0];
        Assert.Equal("nginx:1.27", container.GetProperty("image").GetString());
        Assert.Equal("b", container.GetProperty("env")[0].GetProperty("value").GetString());
        Assert.Equal(3, json.GetProperty("metadata").GetProperty("generation").GetInt32());

        Assert.Equal("deployment.apps \"web\" deleted", (await kubectl.OkAsync("delete -f -", Manifest(ns, "nginx:1.27", "b"))).Trim());
        var gone = await kubectl.RunAsync($"get deploy web -n {ns}");
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("Error from server (NotFound): deployments.apps \"web\" not found", gone.Stderr.Trim());
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Unknown_fields_are_rejected_by_server_side_validation(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        var r = await kubectl.RunAsync("create -f -", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  namespace: {ns}\nspec:\n  x: 1\n");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec\"", r.Stderr);
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Get_prints_the_real_columns_and_formats(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        await kubectl.OkAsync("create -f -", Manifest(ns, "nginx:1.25", "a"));
        await kubectl.OkAsync($"run pod-a -n {ns} --image=nginx --labels=app=a,tier=x");
        await kubectl.OkAsync($"run pod-b -n {ns} --image=nginx --labels=app=b");

        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], Header(await kubectl.OkAsync($"get deploy -n {ns}")));
        Assert.Equal(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"], Header(await kubectl.OkAsync($"get deploy -n {ns} -o wide")));
        var pods = await kubectl.OkAsync($"get pods -n {ns}");
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], Header(pods));
        Assert.Matches(@"pod-a\s+0/1\s+Pending\s+0\s+\d+s", pods);
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"], Header(await kubectl.OkAsync($"get pods -n {ns} -o wide")));
        var all = await kubectl.OkAsync("get pods -A");
        Assert.Equal(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], Header(all));
        Assert.Matches($@"{ns}\s+pod-b\s+0/1\s+Pending", all);
        Assert.Equal(["NAME", "STATUS", "AGE"], Header(await kubectl.OkAsync("get ns")));
        await kubectl.OkAsync("create -f -", $"apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: l\n  namespace: {ns}\nspec:\n  holderIdentity: me\n");
        var leases = await kubectl.OkAsync($"get leases -n {ns}");
        Assert.Equal(["NAME", "HOLDER", "AGE"], Header(leases));
        Assert.Matches(@"l\s+me\s+\d+s", leases);

        var labelled = await kubectl.OkAsync($"get pods -n {ns} -l app=a --show-labels");
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "LABELS"], Header(labelled));
        Assert.Contains("app=a,tier=x", labelled);
        Assert.DoesNotContain("pod-b", labelled);
        Assert.Equal("pod-b", (await kubectl.OkAsync($"get pods -n {ns} -l 'app in (b,c)' -o name")).Trim().Replace("pod/", ""));
        Assert.Equal("pod/pod-a", (await kubectl.OkAsync($"get pods -n {ns} --field-selector metadata.name=pod-a -o name")).Trim());
        Assert.Equal("pod-a pod-b", (await kubectl.OkAsync($"get pods -n {ns} --field-selector status.phase=Pending -o jsonpath={{.items[*].metadata.name}}")).Trim());
        var badField = await kubectl.RunAsync($"get pods -n {ns} --field-selector spec.bogus=1");
        Assert.Equal(1, badField.ExitCode);
        Assert.Contains("field label not supported: spec.bogus", badField.Stderr);

        var yaml = await kubectl.OkAsync($"get pod pod-a -n {ns} -o yaml");
        Assert.Contains("kind: Pod", yaml);
        Assert.Contains("phase: Pending", yaml);
        var podJson = JsonDocument.Parse(await kubectl.OkAsync($"get pod pod-a -n {ns} -o json")).RootElement;
        Assert.Equal("default-scheduler", podJson.GetProperty("spec").GetProperty("schedulerName").GetString());
        var list = JsonDocument.Parse(await kubectl.OkAsync($"get pods -n {ns} -o json")).RootElement;
        Assert.Equal("List", list.GetProperty("kind").GetString());
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());

        var unknown = await kubectl.RunAsync("get widgets");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("the server doesn't have a resource type \"widgets\"", unknown.Stderr);
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Scale_label_annotate_and_the_three_patch_types(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        await kubectl.OkAsync("create -f -", Manifest(ns, "nginx:1.25", "a"));
        Task<string> Get(string jsonpath) => kubectl.OkAsync(["get", "deploy", "web", "-n", ns, "-o", $"jsonpath={jsonpath}"]);
        Assert.Equal("deployment.apps/web scaled", (await kubectl.OkAsync($"scale deploy web -n {ns} --replicas=3")).Trim());
        Assert.Equal("3", await Get("{.spec.replicas}"));
        Assert.Equal("deployment.apps/web labeled", (await kubectl.OkAsync($"label deploy web -n {ns} tier=front")).Trim());
        // kubectl 1.27 prints "annotate" here; later versions "annotated".
        Assert.Matches("^deployment.apps/web annotated?$", (await kubectl.OkAsync($"annotate deploy web -n {ns} note=hello")).Trim());
        Assert.Equal("front hello", (await Get("{.metadata.labels.tier} {.metadata.annotations.note}")).Trim());

        Assert.Equal("deployment.apps/web patched", (await kubectl.OkAsync($"patch deploy web -n {ns} --type merge -p '{{\"spec\":{{\"replicas\":4}}}}'")).Trim());
        Assert.Equal("4", await Get("{.spec.replicas}"));
        await kubectl.OkAsync($"patch deploy web -n {ns} --type json -p '[{{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}}]'");
        Assert.Equal("5", await Get("{.spec.replicas}"));
        await kubectl.OkAsync($"patch deploy web -n {ns} -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"web\",\"image\":\"nginx:1.27\"}}]}}}}}}}}'");
        Assert.Equal("nginx:1.27 MODE", (await Get("{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}")).Trim());
        var noop = await kubectl.OkAsync($"patch deploy web -n {ns} --type merge -p '{{\"spec\":{{\"replicas\":5}}}}'");
        Assert.Equal("deployment.apps/web patched (no change)", noop.Trim());
        var failed = await kubectl.RunAsync($"patch deploy web -n {ns} --type json -p '[{{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":9}}]'");
        Assert.Equal(1, failed.ExitCode);
        // A failed test op is a 422 with no causes; kubectl prints what it prints against a real server.
        Assert.Equal("The request is invalid: the server rejected our request due to an error in our request", failed.Stderr.Trim());
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Wait_and_rollout_status_follow_a_status_the_test_writes(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        await kubectl.OkAsync("create -f -", Manifest(ns, "nginx:1.25", "a"));
        var rollout = kubectl.RunAsync($"rollout status deploy/web -n {ns} --timeout=30s");
        var wait = kubectl.RunAsync($"wait --for=condition=Available deploy/web -n {ns} --timeout=30s");
        // Give both a moment to be waiting rather than finding the status already there; either way they must succeed.
        await Task.Delay(500);
        Assert.False(rollout.IsCompleted);
        var status = """{"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2,"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."}]}}""";
        using var writer = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        await writer.OkAsync(["patch", "deploy", "web", "-n", ns, "--subresource=status", "--type", "merge", "-p", status]);
        var r = await rollout;
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("deployment \"web\" successfully rolled out", r.Stdout);
        var w = await wait;
        Assert.True(w.ExitCode == 0, w.Output);
        Assert.Equal("deployment.apps/web condition met", w.Stdout.Trim());
    }

    [Theory]
    [MemberData(nameof(Kubectl.Versions), MemberType = typeof(Kubectl))]
    public async Task Get_watch_prints_changes_as_they_happen(string version)
    {
        var (kubectl, ns) = await Setup(version);
        using var _ = kubectl;
        var psi = new ProcessStartInfo(kubectl.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "get", "pods", "-n", ns, "-w", "--kubeconfig", lab.Kubeconfig, "--request-timeout=0" }) psi.ArgumentList.Add(a);
        using var watch = Process.Start(psi)!;
        var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        watch.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        watch.BeginOutputReadLine();
        try
        {
            await kubectl.OkAsync($"run watched -n {ns} --image=nginx");
            await kubectl.OkAsync($"label pod watched -n {ns} seen=yes");
            var seen = new List<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (seen.Count(l => l.StartsWith("watched", StringComparison.Ordinal)) < 2)
                seen.Add(lines.Take(cts.Token));
            Assert.Contains(seen, l => Regex.IsMatch(l, @"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$"));
            Assert.All(seen.Where(l => l.StartsWith("watched", StringComparison.Ordinal)), l => Assert.Matches(@"^watched\s+0/1\s+Pending\s+0\s+\d+s$", l));
        }
        finally
        {
            watch.Kill();
        }
    }
}

/// <summary>The lab process's own contract: a ready line, a usable kubeconfig, exit 0 on SIGTERM and SIGINT.</summary>
public class LabUpTests
{
    [Theory]
    [InlineData(Posix.SIGTERM)]
    [InlineData(Posix.SIGINT)]
    public async Task Lab_up_serves_until_signalled_then_exits_0(int signal)
    {
        var lab = new ApiLabProcess();
        await lab.InitializeAsync();
        try
        {
            using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
            var namespaces = await kubectl.OkAsync("get ns -o name");
            Assert.Equal(["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"],
                namespaces.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var config = await File.ReadAllTextAsync(lab.Kubeconfig);
            Assert.Contains("current-context: kube-rescue-lab", config);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(lab.Kubeconfig));
            Posix.Kill(lab.ProcessId, signal);
            Assert.Equal(0, await lab.StopAsync());
        }
        finally
        {
            await lab.DisposeAsync();
        }
    }

    [Fact]
    public async Task Lab_up_without_a_kubeconfig_or_with_a_bad_port_fails_clearly()
    {
        var missing = await Processes.RunAsync(Processes.Cli("lab", "up", "--api-only"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("--kubeconfig", missing.Stderr);
        var badPort = await Processes.RunAsync(Processes.Cli("lab", "up", "--api-only", "--kubeconfig", "/tmp/x", "--port", "70000"));
        Assert.NotEqual(0, badPort.ExitCode);
        Assert.Contains("is not a port number", badPort.Stderr);
    }
}
