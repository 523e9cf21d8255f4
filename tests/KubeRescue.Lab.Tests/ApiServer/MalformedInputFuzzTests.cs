using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>
/// Seeded random mutations of valid objects, patches, paths, headers and query strings (selectors among them):
/// whatever the input, the answer is a Status below 500 (or a success), the server keeps serving, and its memory
/// stays bounded. CI sends 1,500 requests; <c>KUBE_RESCUE_FUZZ_REQUESTS=100000</c> runs the long version
/// (docs/reliability.md).
/// </summary>
public class MalformedInputFuzzTests(LabServerFixture lab, ITestOutputHelper output) : IClassFixture<LabServerFixture>
{
    static readonly int Requests = int.TryParse(Environment.GetEnvironmentVariable("KUBE_RESCUE_FUZZ_REQUESTS"), out var n) && n > 0 ? n : 1_500;

    /// <summary>What the server may keep after the run beyond what it held before (the fuzzed objects are few and small; the watch history is bounded).</summary>
    const long MemoryGrowthBound = 64L << 20;

    static readonly (string Path, string Json)[] Seeds =
    [
        ("/api/v1/namespaces/fuzz/pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"env":[{"name":"E","value":"v"}],"resources":{"requests":{"cpu":"100m"}}}],"tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}]}}"""),
        ("/apis/apps/v1/namespaces/fuzz/deployments", """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"},"matchExpressions":[{"key":"x","operator":"In","values":["y"]}]},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},"template":{"metadata":{"labels":{"a":"b","x":"y"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""),
        ("/api/v1/namespaces/fuzz/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"n":"1"},"finalizers":["x/y"]},"data":{"k":"v"},"binaryData":{"b":"AAE="}}"""),
        ("/apis/coordination.k8s.io/v1/namespaces/fuzz/leases", """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},"spec":{"holderIdentity":"h","leaseDurationSeconds":15,"renewTime":"2026-01-01T00:00:00.000000Z","leaseTransitions":1}}"""),
        ("/api/v1/nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}],"unschedulable":true},"status":{"capacity":{"cpu":"2","pods":"110"},"conditions":[{"type":"Ready","status":"True"}]}}"""),
        ("/apis/policy/v1/namespaces/fuzz/poddisruptionbudgets", """{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"b"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"a":"b"}}}}"""),
        ("/api/v1/namespaces/fuzz/services", """{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":"http"}],"selector":{"a":"b"}}}"""),
        ("/api/v1/namespaces/fuzz/events", """{"apiVersion":"v1","kind":"Event","metadata":{"name":"e"},"involvedObject":{"kind":"Pod","name":"p","namespace":"fuzz"},"reason":"R","message":"m","count":1,"type":"Normal"}"""),
    ];

    static readonly string[] Accepts =
    [
        "application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/json;as=Table;v=v1;g=meta.k8s.io",
        "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", "application/json;as=Table;v=v9;g=nowhere", "*/*", "text/html", ";;;=", "",
    ];

    static readonly string[] ContentTypes =
        ["application/json", "application/yaml", "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "text/plain", ""];

    [Fact]
    public async Task Random_malformed_requests_never_get_a_5xx()
    {
        using var http = lab.Http();
        (await http.PostAsync("/api/v1/namespaces", new StringContent("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"fuzz"}}""", Encoding.UTF8, "application/json"))).Dispose();
        foreach (var (path, json) in Seeds)
            (await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"))).Dispose();

        var random = new Random(20261127);
        var failures = new List<string>();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Requests && failures.Count < 5; i++)
        {
            var (collection, seed) = Seeds[random.Next(Seeds.Length)];
            var name = (string)JsonNode.Parse(seed)!["metadata"]!["name"]!;
            var body = Mutate(JsonNode.Parse(seed)!, random, depth: 0)?.ToJsonString() ?? "null";
            if (random.Next(10) == 0) body = body[..random.Next(body.Length + 1)];
            var (method, path) = random.Next(6) switch
            {
                0 => (HttpMethod.Post, collection),
                1 => (HttpMethod.Put, $"{collection}/{name}"),
                2 => (HttpMethod.Patch, $"{collection}/{name}"),
                3 => (HttpMethod.Put, $"{collection}/{name}/status"),
                4 => (HttpMethod.Delete, $"{collection}/{name}"),
                _ => (HttpMethod.Get, MutatePath($"{collection}/{name}", random)),
            };
            if (random.Next(4) == 0) path += (path.Contains('?') ? "&" : "?") + RandomQuery(random);
            using var request = new HttpRequestMessage(method, path);
            if (random.Next(3) == 0) request.Headers.TryAddWithoutValidation("Accept", Accepts[random.Next(Accepts.Length)]);
            if (random.Next(10) == 0) request.Headers.TryAddWithoutValidation("User-Agent", new string((char)random.Next(32, 127), random.Next(0, 5000)));
            if (random.Next(20) == 0) request.Headers.TryAddWithoutValidation("Impersonate-User", "system:admin");
            if (method != HttpMethod.Get)
            {
                var type = ContentTypes[random.Next(ContentTypes.Length)];
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                if (type.Length > 0) request.Content.Headers.TryAddWithoutValidation("Content-Type", type + (random.Next(8) == 0 ? ";charset=ebcdic" : ""));
                if (random.Next(20) == 0) request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
            }
            // Headers are the verdict; a watch that was accepted would otherwise hold the loop for its timeout.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if ((int)response.StatusCode >= 500)
                failures.Add($"{method} {path} [{request.Content?.Headers.ContentType}] {body} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces/fuzz")).StatusCode);
        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        output.WriteLine($"{Requests} requests; managed memory {before >> 20} MiB before, {growth >> 20} MiB more after");
        Assert.True(growth < MemoryGrowthBound, $"the heap grew by {growth >> 20} MiB over {Requests} requests");
    }

    static JsonNode? Mutate(JsonNode? node, Random random, int depth)
    {
        if (random.Next(8) == 0) return RandomValue(random);
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (random.Next(12) == 0) obj.Remove(key);
                    else obj[key] = Mutate(obj[key]?.DeepClone(), random, depth + 1);
                }
                if (random.Next(10) == 0) obj["x" + random.Next(100)] = RandomValue(random);
                return obj;
            case JsonArray array:
                var items = array.Select(n => Mutate(n?.DeepClone(), random, depth + 1)).ToList();
                if (random.Next(6) == 0) items.Add(RandomValue(random));
                return new JsonArray(items.ToArray());
            default:
                return node;
        }
    }

    static JsonNode? RandomValue(Random random) => random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue)),
        3 => JsonValue.Create(random.NextDouble() * 1e20),
        4 => JsonValue.Create(new string((char)random.Next(32, 0x2FF), random.Next(0, 300))),
        5 => new JsonObject { ["$patch"] = random.Next(2) == 0 ? "delete" : "replace", ["name"] = "c" },
        6 => new JsonArray(JsonValue.Create(1), new JsonArray(), new JsonObject()),
        7 => JsonValue.Create("-1"),
        _ => new JsonObject { ["op"] = "move", ["from"] = "/spec", ["path"] = "/spec/x" },
    };

    static string MutatePath(string path, Random random) => random.Next(5) switch
    {
        0 => path + "/" + new string('a', random.Next(1, 300)),
        1 => path.Replace("/v1/", "/v9/"),
        2 => path + "/status/extra",
        3 => "/api/v1/watch" + path[(path.IndexOf("/v1/", StringComparison.Ordinal) + 3)..] + "?timeoutSeconds=1",
        _ => path + "%00%ff",
    };

    static string RandomQuery(Random random) => random.Next(8) switch
    {
        0 => "labelSelector=" + Uri.EscapeDataString(new[] { "a in (", "!!a", "a=b,=c", "a notin ()", "x>1" }[random.Next(5)]),
        1 => "fieldSelector=" + Uri.EscapeDataString(new[] { "metadata.name==", "spec.x=1", "a\\=b", ",,," }[random.Next(4)]),
        2 => "limit=" + random.Next(-5, 5),
        3 => "continue=" + Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"v\":\"meta.k8s.io/v1\",\"rv\":\"x\",\"start\":\"../\"}"))),
        4 => "watch=true&timeoutSeconds=1&resourceVersion=" + random.Next(-3, 3),
        5 => "dryRun=All&fieldValidation=Bogus",
        6 => "gracePeriodSeconds=abc&propagationPolicy=Sideways",
        _ => "includeObject=Everything",
    };
}
