using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace KubeRescue.Bench.Scale;

/// <summary>Latencies of one kind of call, in milliseconds, measured at the client from request to last byte.</summary>
sealed class Samples
{
    readonly List<double> _ms = [];

    public long Bytes { get; private set; }
    public int Errors { get; private set; }
    public int Count { get { lock (_ms) return _ms.Count; } }

    public void Add(double ms, long bytes = 0)
    {
        lock (_ms)
        {
            _ms.Add(ms);
            Bytes = Math.Max(Bytes, bytes);
        }
    }

    public void Fail() { lock (_ms) Errors++; }

    public double Percentile(int p)
    {
        lock (_ms)
        {
            if (_ms.Count == 0) return double.NaN;
            var sorted = _ms.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
        }
    }

    public double Max { get { lock (_ms) return _ms.Count == 0 ? double.NaN : _ms.Max(); } }

    public string Summary() => Errors > 0
        ? $"{Errors} of {Count + Errors} calls failed"
        : $"p50 {Format(Percentile(50))}, p99 {Format(Percentile(99))}, max {Format(Max)} ({Count:N0} calls)";

    public static string Format(double ms) => ms >= 1000 ? $"{ms / 1000:F2} s" : $"{ms:F1} ms";
}

/// <summary>
/// Counts the events of a watch: the heartbeat write rate as any client sees it, without asking the lab for
/// counters it may not keep right.
/// </summary>
sealed class EventCounter : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _reading;
    long _count;

    EventCounter(HttpResponseMessage response) => _reading = ReadAsync(response);

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Watches <paramref name="path"/> (a collection) from now on.</summary>
    public static async Task<EventCounter> StartAsync(HttpClient http, string path)
    {
        using var list = await Api.GetJsonAsync(http, $"{path}?limit=1");
        var rv = list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        var response = await http.GetAsync($"{path}?watch=true&allowWatchBookmarks=true&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventCounter(response);
    }

    async Task ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    if (line.StartsWith("{\"type\":\"MODIFIED\"", StringComparison.Ordinal) || line.StartsWith("{\"type\":\"ADDED\"", StringComparison.Ordinal))
                        Interlocked.Increment(ref _count);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }
}

/// <summary>What the API calls of the load act on: pods and nodes that exist, and a namespace to write into.</summary>
sealed record Targets(IReadOnlyList<(string Namespace, string Name)> Pods, IReadOnlyList<string> Nodes, string WriteNamespace);

static class Load
{
    public const string GetPod = "GET pod";
    public const string GetNode = "GET node";
    public const string PatchPod = "PATCH pod (merge patch of an annotation)";
    public const string CreateConfigMap = "POST configmap";

    /// <summary>
    /// <paramref name="workers"/> concurrent clients on one HTTP/2 connection, each calling in turn GET pod, GET node,
    /// PATCH pod and POST configmap on random targets until <paramref name="until"/> is cancelled. ConfigMap names
    /// start with <paramref name="run"/>, so that runs do not collide.
    /// </summary>
    public static async Task<Dictionary<string, Samples>> SingleObjectAsync(HttpClient http, Targets targets, string run, int workers, CancellationToken until)
    {
        var samples = new[] { GetPod, GetNode, PatchPod, CreateConfigMap }.ToDictionary(k => k, _ => new Samples());
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; !until.IsCancellationRequested; i++)
            {
                var (what, request) = (i % 4) switch
                {
                    0 => (GetPod, Get(targets.Pods[random.Next(targets.Pods.Count)])),
                    1 => (GetNode, new HttpRequestMessage(HttpMethod.Get, $"/api/v1/nodes/{targets.Nodes[random.Next(targets.Nodes.Count)]}")),
                    2 => (PatchPod, Patch(targets.Pods[random.Next(targets.Pods.Count)], i)),
                    _ => (CreateConfigMap, Create(targets.WriteNamespace, $"{run}-{worker}-{i}")),
                };
                await TimeAsync(http, request, samples[what]);
            }
        })));
        return samples;
    }

    static HttpRequestMessage Get((string Namespace, string Name) pod) => new(HttpMethod.Get, $"/api/v1/namespaces/{pod.Namespace}/pods/{pod.Name}");

    static HttpRequestMessage Patch((string Namespace, string Name) pod, int i) => new(HttpMethod.Patch, $"/api/v1/namespaces/{pod.Namespace}/pods/{pod.Name}")
    {
        Content = new StringContent($$$$"""{"metadata":{"annotations":{"bench.kube-rescue.io/touched":"{{{{i}}}}"}}}""", Encoding.UTF8, "application/merge-patch+json"),
    };

    static HttpRequestMessage Create(string ns, string name) => new(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps")
    {
        Content = new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"key":"{{{new string('v', 128)}}}"}}""",
            Encoding.UTF8, "application/json"),
    };

    /// <summary>One call, timed from sending to the last byte of the response.</summary>
    public static async Task TimeAsync(HttpClient http, HttpRequestMessage request, Samples samples)
    {
        using (request)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var bytes = await Api.DrainAsync(response);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created) samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds, bytes);
                else samples.Fail();
            }
            catch (HttpRequestException)
            {
                samples.Fail();
            }
        }
    }

    /// <summary>A list read page by page as kubectl and client-go's reflector read it; each page is one call.</summary>
    public static async Task<long> PagedListAsync(HttpClient http, string path, int limit, Samples samples, int maxPages = int.MaxValue)
    {
        string? token = null;
        long bytes = 0;
        for (var page = 0; page < maxPages; page++)
        {
            var url = $"{path}?limit={limit}" + (token is null ? "" : $"&continue={Uri.EscapeDataString(token)}");
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds, body.Length);
            bytes += body.Length;
            using var doc = JsonDocument.Parse(body);
            token = doc.RootElement.GetProperty("metadata").TryGetProperty("continue", out var c) ? c.GetString() : null;
            if (string.IsNullOrEmpty(token)) break;
        }
        return bytes;
    }
}

/// <summary>Heartbeat health read from the API: how stale the freshest evidence of each node is.</summary>
static class Heartbeats
{
    /// <summary>The longest time since a node Lease was renewed, and how many nodes are not Ready.</summary>
    public static async Task<(TimeSpan OldestRenewal, int NotReady, int Nodes)> ReadAsync(HttpClient http)
    {
        var now = DateTime.UtcNow;
        using var leases = await Api.GetJsonAsync(http, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
        var oldest = leases.RootElement.GetProperty("items").EnumerateArray()
            .Select(l => now - DateTime.Parse(l.GetProperty("spec").GetProperty("renewTime").GetString()!, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))
            .DefaultIfEmpty(TimeSpan.Zero).Max();
        using var nodes = await Api.GetJsonAsync(http, "/api/v1/nodes");
        var items = nodes.RootElement.GetProperty("items").EnumerateArray().ToList();
        var notReady = items.Count(n => !n.GetProperty("status").GetProperty("conditions").EnumerateArray()
            .Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"));
        return (oldest, notReady, items.Count);
    }
}
