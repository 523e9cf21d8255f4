// The lab API server's throughput and latency, measured from outside: it starts `kube-rescue lab up --api-only`
// as its own process and drives it over HTTPS with bearer-token auth, as kubectl and client-go do.
//
//   dotnet run -c Release --project bench/ApiBench            # full run, a few minutes
//   dotnet run -c Release --project bench/ApiBench -- --quick  # small version
//   ... -- --quick --cli path/to/kube-rescue.dll                 # a CLI already built (the end-to-end test's), not ./kube-rescue's
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using KubeRescue.Bench;
using KubeRescue.Bench.Api;

var quick = args.Contains("--quick");
var cli = args.SkipWhile(a => a != "--cli").Skip(1).FirstOrDefault() is { } given ? Path.GetFullPath(given) : null;
var scale = new Scale(
    Seconds: quick ? 1 : 10,
    Concurrency: 32,
    ListPods: quick ? 500 : 10_000,
    ListRuns: quick ? 3 : 20,
    Watchers: quick ? 10 : 100,
    WatchEvents: quick ? 20 : 200);

await using var lab = await LabProcess.StartAsync(new LabOptions { Cli = cli ?? await KubeRescueCli.BuildWithScriptAsync(), ApiOnly = true });
HttpClient Http(Version version, int connections) =>
    LabHttp.Client(lab.Url, lab.Token, lab.CertificateAuthority, version, connections, multipleHttp2: false, TimeSpan.FromMinutes(5));
Console.WriteLine($"# lab API server benchmark ({(quick ? "quick" : "full")})");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd}");
Console.WriteLine();

var results = new List<(string What, string Figure, string Goal)>();

// Warm up (JIT tiering, TLS sessions) on both protocols so that neither measured phase pays for it.
foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
{
    using var http = Http(version, scale.Concurrency);
    var ns = await Load.NamespaceAsync(http, $"warmup-{version.Major}");
    await Load.RunAsync(scale with { Seconds = Math.Max(1, scale.Seconds / 3) }, async (worker, i) =>
    {
        using var r = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps",
            new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w-{{{worker}}}-{{{i}}}"}}""", Encoding.UTF8, "application/json"));
        using var g = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/w-{worker}-{i}");
    });
}
foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
{
    using var http = Http(version, scale.Concurrency);
    var label = version == HttpVersion.Version11 ? $"HTTP/1.1, {scale.Concurrency} keep-alive connections" : "HTTP/2, one connection";
    var ns = await Load.NamespaceAsync(http, $"bench-{(version == HttpVersion.Version11 ? "h1" : "h2")}");
    var writes = await Load.RunAsync(scale, async (worker, i) =>
    {
        var body = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-{{{worker}}}-{{{i}}}","labels":{"bench":"writes"}},"data":{"key":"{{{new string('v', 128)}}}"}}""";
        using var r = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
        if (r.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"create: {(int)r.StatusCode}");
    });
    results.Add(($"single-object writes (POST configmap), {label}", $"{writes.PerSecond:N0}/s, p50 {writes.P50:F1} ms, p99 {writes.P99:F1} ms", "≥ 3,000/s"));
    var gets = await Load.RunAsync(scale, async (worker, i) =>
    {
        using var r = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/cm-{worker}-0");
        if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"get: {(int)r.StatusCode}");
        await r.Content.CopyToAsync(Stream.Null);
    });
    results.Add(($"single-object GETs, {label}", $"{gets.PerSecond:N0}/s, p50 {gets.P50:F1} ms, p99 {gets.P99:F1} ms", "≥ 10,000/s"));
}

using (var http = Http(HttpVersion.Version20, 8))
{
    var ns = await Load.NamespaceAsync(http, "bench-list");
    await Load.CreatePodsAsync(http, ns, scale.ListPods);
    foreach (var (what, path, accept) in new[]
    {
        ("LIST", $"/api/v1/namespaces/{ns}/pods", "application/json"),
        ("LIST as kubectl get pods (Table)", $"/api/v1/namespaces/{ns}/pods?limit=500", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"),
        ("LIST in pages of 500, all pages", $"/api/v1/namespaces/{ns}/pods?limit=500", "application/json"),
    })
    {
        var samples = new List<double>();
        long bytes = 0;
        for (var run = 0; run < scale.ListRuns; run++)
        {
            var sw = Stopwatch.StartNew();
            bytes = await Load.ListAllAsync(http, path, accept, followContinue: what.StartsWith("LIST in pages") || what.Contains("Table"));
            samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        samples.Sort();
        results.Add(($"{what} of {scale.ListPods:N0} pods ({bytes / 1024.0 / 1024.0:F1} MiB)", $"p50 {Load.Percentile(samples, 50):F0} ms, max {samples[^1]:F0} ms", what == "LIST" ? "p50 < 300 ms" : ""));
    }
}

using (var http = Http(HttpVersion.Version20, 1))
{
    var ns = await Load.NamespaceAsync(http, "bench-watch");
    var latencies = await Load.WatchDeliveryAsync(http, ns, scale.Watchers, scale.WatchEvents);
    results.Add(($"watch event delivery to {scale.Watchers} concurrent watchers ({latencies.Count:N0} deliveries)",
        $"p50 {Load.Percentile(latencies, 50):F1} ms, p99 {Load.Percentile(latencies, 99):F1} ms", "p99 < 50 ms"));
}

Console.WriteLine("| measure | result | goal |");
Console.WriteLine("|---|---|---|");
foreach (var (what, figure, goal) in results) Console.WriteLine($"| {what} | {figure} | {goal} |");
Console.WriteLine();
Console.WriteLine($"lab process peak RSS: {lab.Memory().Peak:F0} MiB");

namespace KubeRescue.Bench.Api
{
    record Scale(int Seconds, int Concurrency, int ListPods, int ListRuns, int Watchers, int WatchEvents);

    record LoadResult(double PerSecond, double P50, double P99);

    static class Load
    {
        public static async Task<string> NamespaceAsync(HttpClient http, string name)
        {
            using var r = await http.PostAsync("/api/v1/namespaces", new StringContent($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""", Encoding.UTF8, "application/json"));
            r.EnsureSuccessStatusCode();
            return name;
        }

        /// <summary>Runs <paramref name="op"/> from concurrent workers for the scale's duration; throughput and latency percentiles.</summary>
        public static async Task<LoadResult> RunAsync(Scale scale, Func<int, int, Task> op)
        {
            var latencies = new List<double>[scale.Concurrency];
            var deadline = Stopwatch.StartNew();
            var duration = TimeSpan.FromSeconds(scale.Seconds);
            await Task.WhenAll(Enumerable.Range(0, scale.Concurrency).Select(async worker =>
            {
                var mine = latencies[worker] = [];
                for (var i = 0; deadline.Elapsed < duration; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await op(worker, i);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }));
            var all = latencies.SelectMany(l => l).Order().ToList();
            return new LoadResult(all.Count / deadline.Elapsed.TotalSeconds, Percentile(all, 50), Percentile(all, 99));
        }

        public static double Percentile(List<double> sorted, int p)
        {
            if (sorted.Count == 0) return double.NaN;
            var ordered = sorted.Order().ToList();
            return ordered[Math.Min(ordered.Count - 1, (int)Math.Ceiling(p / 100.0 * ordered.Count) - 1)];
        }

        /// <summary>Pods the size of a scheduled, running pod with its defaults and status (about 2 KiB each).</summary>
        public static async Task CreatePodsAsync(HttpClient http, string ns, int count)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var body = $$$"""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-{{{i:D5}}}","labels":{"app":"bench","pod-template-hash":"5d8f7c9b4f","tier":"backend"},
                     "annotations":{"kubernetes.io/psp":"restricted","prometheus.io/scrape":"true"}},
                     "spec":{"nodeName":"node-{{{i % 100}}}","containers":[{"name":"app","image":"registry.example.com/team/app:1.2.3",
                       "args":["--port=8080","--log-level=info"],"ports":[{"containerPort":8080,"name":"http"}],
                       "env":[{"name":"MODE","value":"production"},{"name":"REGION","value":"eu-west-1"}],
                       "resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}},
                       "readinessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":10},
                       "volumeMounts":[{"name":"config","mountPath":"/etc/app"}]}],
                       "volumes":[{"name":"config","configMap":{"name":"app-config"}}]}}
                    """;
                using var r = await http.PostAsync($"/api/v1/namespaces/{ns}/pods", new StringContent(body, Encoding.UTF8, "application/json"), ct);
                if (r.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"create pod: {(int)r.StatusCode}");
            });
        }

        /// <summary>Reads a list (following continue tokens when asked); returns the bytes received.</summary>
        public static async Task<long> ListAllAsync(HttpClient http, string path, string accept, bool followContinue)
        {
            long bytes = 0;
            string? token = null;
            do
            {
                var url = token is null ? path : $"{path}&continue={Uri.EscapeDataString(token)}";
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Accept", accept);
                using var r = await http.SendAsync(request);
                var body = await r.Content.ReadAsByteArrayAsync();
                bytes += body.Length;
                using var doc = JsonDocument.Parse(body);
                token = followContinue && doc.RootElement.GetProperty("metadata").TryGetProperty("continue", out var c) ? c.GetString() : null;
            } while (!string.IsNullOrEmpty(token));
            return bytes;
        }

        /// <summary>
        /// Watchers on one namespace; a writer creates objects stamped with the send time, paced so that the
        /// measure is delivery latency, not a queue. Returns one latency per (watcher, event).
        /// </summary>
        public static async Task<List<double>> WatchDeliveryAsync(HttpClient http, string ns, int watchers, int events)
        {
            var list = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps")).RootElement;
            var rv = list.GetProperty("metadata").GetProperty("resourceVersion").GetString();
            var latencies = new List<double>();
            var ready = new CountdownEvent(watchers);
            var streams = Enumerable.Range(0, watchers).Select(_ => Task.Run(async () =>
            {
                using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                ready.Signal();
                var mine = new List<double>();
                while (mine.Count < events && await reader.ReadLineAsync() is { } line)
                {
                    var received = Stopwatch.GetTimestamp();
                    using var e = JsonDocument.Parse(line);
                    var sent = long.Parse(e.RootElement.GetProperty("object").GetProperty("metadata").GetProperty("annotations").GetProperty("sent").GetString()!, CultureInfo.InvariantCulture);
                    mine.Add(Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds);
                }
                lock (latencies) latencies.AddRange(mine);
            })).ToList();
            ready.Wait(TimeSpan.FromSeconds(30));
            for (var i = 0; i < events; i++)
            {
                var body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w-" + i + "\",\"annotations\":{\"sent\":\"" + Stopwatch.GetTimestamp() + "\"}}}";
                using var r = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
                r.EnsureSuccessStatusCode();
                await Task.Delay(20);
            }
            await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(60));
            latencies.Sort();
            return latencies;
        }
    }
}
