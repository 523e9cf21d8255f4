// The lab at the upstream scalability target: 5,000 nodes and 150,000 pods with heartbeats running. In one run:
// `kube-rescue status` against `kubectl get pods --all-namespaces` (time, API calls, bytes on the wire), the lab's
// API latencies by SLO category under a modest concurrent load, the heartbeat write rate it sustains, and its RSS.
//
//   dotnet run -c Release --project bench/Scale             # full: 5,000 workers, 150,000 pods (over an hour)
//   dotnet run -c Release --project bench/Scale -- --quick  # small version (CI): 50 workers, 1,500 pods, 5x time
//   dotnet run -c Release --project bench/Scale -- --workers 500 --pods 15000   # any size
//   ... -- --quick --cli path/to/kube-rescue.dll   # a CLI already built (the end-to-end test's), not ./kube-rescue's
using System.Diagnostics;
using System.Globalization;
using System.Net;
using KubeRescue.Bench;
using KubeRescue.Bench.Scale;

var quick = args.Contains("--quick");
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var settings = new Settings(
    Workers: Int("--workers", quick ? 50 : 5_000),
    Pods: Int("--pods", quick ? 1_500 : 150_000),
    TimeScale: Arg("--time-scale") is { } ts ? double.Parse(ts, CultureInfo.InvariantCulture) : quick ? 5 : 1,
    Window: TimeSpan.FromSeconds(quick ? 6 : 30),
    LoadDuration: TimeSpan.FromSeconds(quick ? 3 : 30),
    Runs: quick ? 2 : 5);

var results = new Report();
Console.WriteLine($"# lab at scale: {settings.Workers:N0} workers + 3 masters, {settings.Pods:N0} pods{(quick ? " (quick)" : "")}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; " +
    $"date {DateTime.UtcNow:yyyy-MM-dd}; load average at start {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine();

// The CLI the script builds (untimed, before the lab starts) unless one is given.
var cli = Arg("--cli") is { } given ? Path.GetFullPath(given) : await KubeRescueCli.BuildWithScriptAsync();
await using var lab = await LabProcess.StartAsync(new LabOptions
    { Cli = cli, Masters = 3, Workers = settings.Workers, TimeScale = settings.TimeScale, ReadyTimeout = TimeSpan.FromMinutes(quick ? 3 : 20) });
var nodes = settings.Workers + 3;
results.Add("lab boot to ready", $"{lab.BootTime.TotalSeconds:F1} s, RSS {lab.Memory().Rss:F0} MiB");
Console.Error.WriteLine($"lab ready in {lab.BootTime.TotalSeconds:F1} s");
// An HTTP/2 client with the lab's bearer token, trusting the lab's CA: how client-go reaches an API server.
using var http = LabHttp.Client(lab.Url, lab.Token, lab.CertificateAuthority, HttpVersion.Version20, 1, multipleHttp2: false, TimeSpan.FromMinutes(30));
await using var proxy = new CountingProxy(lab.Url);
var proxied = proxy.KubeconfigFor(lab);
async Task<CommandRun> StatusAsync(int runs)
{
    var all = new List<CommandRun>();
    for (var i = 0; i < runs; i++)
        all.Add(await Commands.RunAsync(proxy, "dotnet", [cli, "status", "--kubeconfig", proxied, "--verbose"], Commands.KubeRescueCall, TimeSpan.FromMinutes(2)));
    foreach (var run in all.Where(r => r.ExitCode != 0)) Console.Error.WriteLine($"exit {run.ExitCode}: {run.Errors}");
    return Median(all) with { ExitCode = all.Max(r => r.ExitCode) };
}
string StatusResult(CommandRun run) =>
    $"{run.Time.TotalSeconds:F2} s, {run.Requests} API calls (slowest {run.SlowestCallMs:F0} ms), {Mib(run.Received)} received, exit {run.ExitCode}";

// status before there are any pods: what the same command costs on this machine when the cluster's size is not
// in it (the process's start, its TLS connections, its JIT), to set the figure at scale against.
var baseline = await StatusAsync(settings.Runs);
results.Add("`kube-rescue status` before the pods (nodes only)", StatusResult(baseline));

// The pods, made by the lab's own controllers, scheduler and kubelets.
var workload = new Workload(settings.Pods, replicas: Math.Min(300, settings.Pods));
var clock = Stopwatch.StartNew();
await workload.CreateAsync(http, lab, TimeSpan.FromSeconds(quick ? 60 : 300), Console.Error);
results.Add($"{settings.Pods:N0} pods in {workload.Deployments:N0} Deployments ({workload.Namespaces} namespaces) created until all available",
    $"{clock.Elapsed.TotalSeconds:F0} s ({settings.Pods / clock.Elapsed.TotalSeconds:F0} pods/s)");
await Api.PostAsync(http, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"scale-writes"}}""");
var targets = await TargetsAsync(http, workload);

// Heartbeats alone: once the lab has worked off what the pods set going (status, events), a window with nothing
// but the kubelets writing.
var renewalsPerSecond = nodes / Scaled(TimeSpan.FromSeconds(10)).TotalSeconds;
clock.Restart();
var settled = await Workload.WaitQuietAsync(http, renewalsPerSecond, TimeSpan.FromMinutes(quick ? 1 : 15));
results.Add("then until the lab's writes fall to the heartbeats' rate", settled ? $"{clock.Elapsed.TotalSeconds:F0} s" : $"not within {clock.Elapsed.TotalSeconds:F0} s");
await using var leases = await EventCounter.StartAsync(http, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
await using var nodeWrites = await EventCounter.StartAsync(http, "/api/v1/nodes");
var (cpu0, leases0, nodes0) = (lab.CpuTime(), leases.Count, nodeWrites.Count);
clock.Restart();
await Task.Delay(settings.Window);
var window = clock.Elapsed.TotalSeconds;
var idleLeaseRate = (leases.Count - leases0) / window;
results.Add("heartbeat writes with no other load: node Lease renewals", $"{idleLeaseRate:F0}/s", $"{renewalsPerSecond:F0}/s ({nodes:N0} nodes, every {Scaled(TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s)", idleLeaseRate >= 0.95 * renewalsPerSecond);
results.Add("heartbeat writes with no other load: node status updates", $"{(nodeWrites.Count - nodes0) / window:F1}/s");
results.Add("lab CPU with heartbeats only", $"{(lab.CpuTime() - cpu0).TotalSeconds / window * 100:F0}% of one core");
var steady = lab.Memory();
results.Add("lab RSS with heartbeats running", $"{steady.Rss:F0} MiB", "< 4 GiB", steady.Rss < 4096);

// kube-rescue status against kubectl get pods -A, through the counting proxy.
var status = await StatusAsync(settings.Runs);
var kubectlCache = Directory.CreateTempSubdirectory("kubectl-cache-").FullName;
var kubectlRuns = new List<CommandRun>();
for (var i = 0; i < 1 + settings.Runs; i++)
    kubectlRuns.Add(await Commands.RunAsync(proxy, "kubectl", ["--kubeconfig", proxied, "--cache-dir", kubectlCache, "get", "pods", "--all-namespaces", "-v=6"],
        Commands.KubectlCall, TimeSpan.FromMinutes(10)));
Directory.Delete(kubectlCache, recursive: true);
foreach (var run in kubectlRuns.Where(r => r.ExitCode != 0))
    Console.Error.WriteLine($"exit {run.ExitCode}: {run.Errors}");
var kubectl = Median(kubectlRuns.Skip(1).ToList());
var cold = kubectlRuns[0];
results.Add("`kube-rescue status` (a process: start, reads, verdict)", StatusResult(status), "< 2 s", status.Time < TimeSpan.FromSeconds(2) && status.ExitCode == 0);
results.Add("`kubectl get pods --all-namespaces`, discovery cached", $"{kubectl.Time.TotalSeconds:F2} s, {kubectl.Requests} API calls (slowest {kubectl.SlowestCallMs:F0} ms), {Mib(kubectl.Received)} received, {kubectl.OutputLines - 1:N0} rows");
results.Add("`kubectl get pods --all-namespaces`, first run (discovery)", $"{cold.Time.TotalSeconds:F2} s, {cold.Requests} API calls, {Mib(cold.Received)} received");
var ratio = (double)status.Received / kubectl.Received;
results.Add("status bytes / kubectl bytes", $"{ratio * 100:F2}%", "< 1%", ratio < 0.01);

// Single-object calls under a modest concurrent load, then LISTs with a lighter single-object load beside them.
var (leases1, nodes1) = (leases.Count, nodeWrites.Count);
clock.Restart();
using (var stop = new CancellationTokenSource(settings.LoadDuration))
{
    var single = await Load.SingleObjectAsync(http, targets, "load", 8, stop.Token);
    foreach (var (what, samples) in single) results.Add($"{what}, 8 concurrent clients", samples.Summary(), "p99 ≤ 1 s", samples.Errors == 0 && samples.Percentile(99) <= 1000);
}
var loadedLeaseRate = (leases.Count - leases1) / clock.Elapsed.TotalSeconds;
results.Add("node Lease renewals during that load", $"{loadedLeaseRate:F0}/s", $"{renewalsPerSecond:F0}/s", loadedLeaseRate >= 0.95 * renewalsPerSecond);

using (var background = new CancellationTokenSource())
{
    var beside = Load.SingleObjectAsync(http, targets, "beside", 2, background.Token);
    var lists = new List<(string What, Samples Samples, string Goal, double LimitMs)>();
    async Task Time(string what, string goal, double limitMs, int runs, string path)
    {
        var samples = new Samples();
        for (var i = 0; i < runs; i++) await Load.TimeAsync(http, new HttpRequestMessage(HttpMethod.Get, path), samples);
        lists.Add(($"{what} ({Mib(samples.Bytes)})", samples, goal, limitMs));
    }
    await Time($"LIST pods in a namespace ({workload.Items().Where(d => d.Namespace == Workload.Namespace(0)).Sum(d => d.Replicas):N0} pods), whole", "p99 ≤ 5 s", 5000, settings.Runs * 2, $"/api/v1/namespaces/{Workload.Namespace(0)}/pods");
    await Time($"LIST nodes, cluster ({nodes:N0})", "p99 ≤ 30 s", 30_000, settings.Runs, "/api/v1/nodes");
    await Time("LIST unscheduled pods, cluster (status's query)", "p99 ≤ 30 s", 30_000, settings.Runs * 2, "/api/v1/pods?fieldSelector=spec.nodeName%3D%2Cstatus.phase%3DPending&limit=500");
    var paged = new Samples();
    await Load.PagedListAsync(http, "/api/v1/pods", 500, paged);
    lists.Add(($"LIST pods, cluster, in pages of 500 (each page one call)", paged, "p99 ≤ 30 s", 30_000));
    await Time("LIST all pods, cluster, whole", "p99 ≤ 30 s", 30_000, settings.Runs, "/api/v1/pods");
    await background.CancelAsync();
    foreach (var (what, samples, goal, limit) in lists) results.Add(what, samples.Summary(), goal, samples.Errors == 0 && samples.Percentile(99) <= limit);
    foreach (var (what, samples) in await beside) results.Add($"{what} beside the LISTs, 2 clients", samples.Summary(), "p99 ≤ 1 s", samples.Errors == 0 && samples.Percentile(99) <= 1000);
}

var (oldest, notReady, nodeCount) = await Heartbeats.ReadAsync(http);
results.Add("after the load: oldest node Lease renewal, nodes not Ready", $"{oldest.TotalSeconds:F1} s, {notReady} of {nodeCount:N0}",
    $"< {Scaled(TimeSpan.FromSeconds(40)).TotalSeconds:0.#} s (lease duration), 0", oldest < Scaled(TimeSpan.FromSeconds(40)) && notReady == 0);
var end = lab.Memory();
results.Add("lab peak RSS over the run", $"{end.Peak:F0} MiB", "< 4 GiB", end.Peak < 4096);

results.Print(Console.Out);
var failures = kubectlRuns.Count(r => r.ExitCode != 0) + (status.ExitCode != 0 ? 1 : 0) + (baseline.ExitCode != 0 ? 1 : 0);
return failures == 0 && status.Requests > 0 && kubectl.Received > 0 ? 0 : 1;

TimeSpan Scaled(TimeSpan real) => real / settings.TimeScale;

static string Mib(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1024.0 / 1024.0:F1} MiB" : $"{bytes / 1024.0:F0} KiB";

static CommandRun Median(List<CommandRun> runs) => runs.OrderBy(r => r.Time).ElementAt(runs.Count / 2);

static async Task<Targets> TargetsAsync(HttpClient http, Workload workload)
{
    var pods = new List<(string, string)>();
    for (var i = 0; i < Math.Min(3, workload.Namespaces); i++)
    {
        using var doc = await Api.GetJsonAsync(http, $"/api/v1/namespaces/{Workload.Namespace(i)}/pods");
        pods.AddRange(doc.RootElement.GetProperty("items").EnumerateArray()
            .Select(p => (Workload.Namespace(i), p.GetProperty("metadata").GetProperty("name").GetString()!)));
    }
    using var nodes = await Api.GetJsonAsync(http, "/api/v1/nodes");
    var names = nodes.RootElement.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("metadata").GetProperty("name").GetString()!).ToList();
    return new Targets(pods, names, "scale-writes");
}

namespace KubeRescue.Bench.Scale
{
    record Settings(int Workers, int Pods, double TimeScale, TimeSpan Window, TimeSpan LoadDuration, int Runs);

    /// <summary>The results as a Markdown table: measure, result, goal, and whether the goal was met.</summary>
    sealed class Report
    {
        readonly List<(string What, string Result, string Goal, bool? Met)> _rows = [];

        public void Add(string what, string result, string goal = "", bool? met = null) => _rows.Add((what, result, goal, met));

        public void Print(TextWriter output)
        {
            output.WriteLine("| measure | result | goal | met |");
            output.WriteLine("|---|---|---|---|");
            foreach (var (what, result, goal, met) in _rows)
                output.WriteLine($"| {what} | {result} | {goal} | {(met is null ? "" : met.Value ? "yes" : "**no**")} |");
        }
    }
}
