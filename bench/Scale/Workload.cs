using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace KubeRescue.Bench.Scale;

/// <summary>
/// The pods, as a cluster gets them: Deployments of <see cref="Replicas"/> pods, ten to a namespace, so that the
/// lab's controller-manager creates the ReplicaSets and pods, its scheduler places every pod and its kubelets run
/// them and report their status.
/// </summary>
sealed class Workload(int pods, int replicas)
{
    public int Pods { get; } = pods;
    public int Replicas { get; } = replicas;

    public const int DeploymentsPerNamespace = 10;
    public const string Label = "bench=scale";

    public int Deployments => (Pods + Replicas - 1) / Replicas;
    public int Namespaces => (Deployments + DeploymentsPerNamespace - 1) / DeploymentsPerNamespace;

    public static string Namespace(int i) => $"scale-{i + 1:D2}";

    /// <summary>Deployment i's namespace, name and replicas (the last takes what is left).</summary>
    public IEnumerable<(string Namespace, string Name, int Replicas)> Items() =>
        Enumerable.Range(0, Deployments).Select(i =>
            (Namespace(i / DeploymentsPerNamespace), $"app-{i % DeploymentsPerNamespace + 1:D2}", Math.Min(Replicas, Pods - i * Replicas)));

    /// <summary>Pods created but not yet available, at most, before the next namespace's Deployments are made.</summary>
    public int InFlight => 2 * DeploymentsPerNamespace * Replicas;

    /// <summary>
    /// Makes the Deployments a namespace (3,000 pods) at a time, as ClusterLoader2's density test paces its pods: the
    /// next namespace once no more than <see cref="InFlight"/> pods wait to become available, so the lab's
    /// controllers, scheduler and kubelets work on a bounded queue instead of 150,000 pods at once. Then waits until
    /// every pod is available.
    /// </summary>
    public async Task CreateAsync(HttpClient http, LabProcess lab, TimeSpan stall, TextWriter progress)
    {
        var clock = Stopwatch.StartNew();
        var created = 0;
        foreach (var wave in Items().GroupBy(d => d.Namespace))
        {
            await Api.PostAsync(http, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{wave.Key}}}"}}""");
            foreach (var (ns, name, replicas) in wave)
            {
                await Api.PostAsync(http, $"/apis/apps/v1/namespaces/{ns}/deployments", Deployment(ns, name, replicas));
                created += replicas;
            }
            await WaitAvailableAsync(http, lab, created - InFlight, clock, stall, progress);
        }
        await WaitAvailableAsync(http, lab, Pods, clock, stall, progress);
    }

    /// <summary>
    /// A Deployment whose pods are the size of a real service's (env, ports, probe, resources, a volume): about
    /// 2.8 KiB each once the server has defaulted them and the kubelet has written their status.
    /// </summary>
    static string Deployment(string ns, string name, int replicas) => $$$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{{name}}}}","namespace":"{{{{ns}}}}","labels":{"bench":"scale"}},
         "spec":{"replicas":{{{{replicas}}}},"selector":{"matchLabels":{"app":"{{{{name}}}}"}},
          "template":{"metadata":{"labels":{"app":"{{{{name}}}}","tier":"backend"},"annotations":{"prometheus.io/scrape":"true"}},
           "spec":{"containers":[{"name":"app","image":"registry.example.com/{{{{ns}}}}/{{{{name}}}}:1.2.3",
             "args":["--port=8080","--log-level=info"],"ports":[{"containerPort":8080,"name":"http"}],
             "env":[{"name":"MODE","value":"production"},{"name":"REGION","value":"eu-west-1"}],
             "resources":{"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"cpu":"500m","memory":"256Mi"}},
             "readinessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":10},
             "volumeMounts":[{"name":"config","mountPath":"/etc/app"}]}],
            "volumes":[{"name":"config","configMap":{"name":"app-config"}}]}}} }
        """;

    /// <summary>
    /// Waits until at least <paramref name="target"/> pods are available (running and ready), printing progress; gives
    /// up when nothing moved for <paramref name="stall"/>.
    /// </summary>
    async Task WaitAvailableAsync(HttpClient http, LabProcess lab, int target, Stopwatch clock, TimeSpan stall, TextWriter progress)
    {
        var (last, lastChange) = (-1L, clock.Elapsed);
        while (true)
        {
            using var doc = await Api.GetJsonAsync(http, $"/apis/apps/v1/deployments?labelSelector={Label}");
            var available = doc.RootElement.GetProperty("items").EnumerateArray()
                .Sum(d => d.GetProperty("status").TryGetProperty("availableReplicas", out var a) ? a.GetInt64() : 0);
            if (available != last) (last, lastChange) = (available, clock.Elapsed);
            if (clock.Elapsed - _lastReport >= TimeSpan.FromSeconds(15))
            {
                _lastReport = clock.Elapsed;
                progress.WriteLine($"  {clock.Elapsed.TotalSeconds,6:F0} s: {available:N0}/{Pods:N0} pods available, lab RSS {lab.Memory().Rss:F0} MiB");
            }
            if (available >= target) return;
            if (clock.Elapsed - lastChange > stall)
                throw new TimeoutException($"{available:N0} of {Pods:N0} pods available, and no progress for {stall.TotalSeconds:F0} s");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    // When progress was last printed, across the waits of one run.
    TimeSpan _lastReport;

    /// <summary>
    /// Waits until the store's write rate (every write takes the next revision, which any list reports), averaged over
    /// 15 s, is within a quarter of <paramref name="heartbeatsPerSecond"/>: heartbeats come in bursts, so a shorter
    /// window would see the heartbeats alone as busy. False if not by the timeout.
    /// </summary>
    public static async Task<bool> WaitQuietAsync(HttpClient http, double heartbeatsPerSecond, TimeSpan timeout)
    {
        async Task<long> RevisionAsync()
        {
            using var doc = await Api.GetJsonAsync(http, "/api/v1/namespaces/default/configmaps?limit=1");
            return long.Parse(doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        }
        var window = TimeSpan.FromSeconds(15);
        var clock = Stopwatch.StartNew();
        var samples = new Queue<(long Revision, TimeSpan At)>();
        while (clock.Elapsed < timeout)
        {
            samples.Enqueue((await RevisionAsync(), clock.Elapsed));
            var (first, last) = (samples.Peek(), samples.Last());
            if (last.At - first.At >= window)
            {
                if ((last.Revision - first.Revision) / (last.At - first.At).TotalSeconds <= heartbeatsPerSecond * 1.25 + 5) return true;
                samples.Dequeue();
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        return false;
    }
}

/// <summary>Small helpers over raw HTTP: the bench measures the server, so it reads bytes, not models.</summary>
static class Api
{
    public static async Task PostAsync(HttpClient http, string path, string json)
    {
        using var r = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        if (r.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path)
    {
        using var r = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await JsonDocument.ParseAsync(await r.Content.ReadAsStreamAsync());
    }

    /// <summary>The body read to its last byte and dropped; its length.</summary>
    public static async Task<long> DrainAsync(HttpResponseMessage r)
    {
        await using var body = await r.Content.ReadAsStreamAsync();
        var buffer = new byte[128 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0) total += n;
        return total;
    }
}
