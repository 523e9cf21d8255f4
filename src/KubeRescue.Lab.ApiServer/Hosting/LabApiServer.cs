using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Auth;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using k8s;

namespace KubeRescue.Lab.ApiServer.Hosting;

public sealed record LabApiServerOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;
    /// <summary>Where to write the kubeconfig, if anywhere.</summary>
    public string? KubeconfigPath { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    public WatchOptions Watch { get; init; } = new();
    /// <summary>Events kept for watches to resume from; older resourceVersions get 410 Expired.</summary>
    public int WatchHistory { get; init; } = 100_000;
    /// <summary>How long an event is kept after its last write, as kube-apiserver's --event-ttl (default 1 h).</summary>
    public TimeSpan EventTtl { get; init; } = TimeSpan.FromHours(1);
    public IStore? Store { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
    /// <summary>The API faults to start with (kept in the cluster; see <see cref="FaultInjector"/>).</summary>
    public ApiFaults ApiFaults { get; init; } = ApiFaults.None;
    /// <summary>A static token file of more users, as kube-apiserver's --token-auth-file (see <see cref="TokenFile"/>).</summary>
    public string? TokenAuthFile { get; init; }
}

/// <summary>
/// The lab's Kubernetes API server on Kestrel: HTTPS with a CA of its own, HTTP/1.1 and HTTP/2, bearer-token
/// authentication and RBAC, the built-in resources, and the system namespaces and default roles present from the start.
/// </summary>
public sealed class LabApiServer : IAsyncDisposable
{
    static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    readonly WebApplication _app;
    readonly LabCertificates _certificates;

    readonly string _componentKubeconfig;
    readonly Task _followingFaults;
    readonly IStore _store;

    LabApiServer(WebApplication app, LabCertificates certificates, IStore store, ResourceStorage storage, Uri url, string token, string componentToken, Task followingFaults)
    {
        _app = app;
        _certificates = certificates;
        _store = store;
        Storage = storage;
        Url = url;
        Token = token;
        KubeconfigYaml = Kubeconfig.Render(url, certificates.CaPem(), token);
        _componentKubeconfig = Kubeconfig.Render(url, certificates.CaPem(), componentToken);
        _followingFaults = followingFaults;
    }

    public Uri Url { get; }
    public string Token { get; }
    /// <summary>The server's objects, for the lab's host (its Lease ledger): the only way to the store.</summary>
    public ResourceStorage Storage { get; }
    public string KubeconfigYaml { get; }
    public string CaPem => _certificates.CaPem();

    /// <summary>The addresses clients may use besides loopback: the bound one, or every one of the machine's when bound to all.</summary>
    static IEnumerable<IPAddress> ReachableAt(IPAddress bound) =>
        bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any)
            ? System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
                .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal)
            : bound.Equals(IPAddress.Loopback) || bound.Equals(IPAddress.IPv6Loopback) ? [] : [bound];

    /// <exception cref="IOException">The token file cannot be read.</exception>
    /// <exception cref="FormatException">The token file is malformed.</exception>
    public static async Task<LabApiServer> StartAsync(LabApiServerOptions options, CancellationToken ct = default)
    {
        // Read a token file before anything starts: a bad one must fail fast and leave nothing running.
        var tokenFile = options.TokenAuthFile is null ? null : TokenFile.Read(options.TokenAuthFile);
        var certificates = LabCertificates.Create(addresses: ReachableAt(options.BindAddress));
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var componentToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var store = options.Store ?? new InMemoryStore(options.WatchHistory, clock: options.Clock);
        var registry = new ResourceRegistry(BuiltInResources.All);
        var storage = new ResourceStorage(store, registry, options.Clock, new Dictionary<GroupResource, TimeSpan> { [new("", "events")] = options.EventTtl });
        await CreateSystemNamespacesAsync(storage, ct);
        await BootstrapPolicy.CreateAsync(storage, ct);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // On stderr, as kube-apiserver logs: a command that hosts the lab (drill -o json) owns stdout.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(options.LogLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Our handler enforces the API server's 3 MiB limit with its own Status.
            k.Limits.MaxRequestBodySize = null;
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificates.Server);
            });
        });
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KubeRescue.Lab.ApiServer");
        foreach (var warning in tokenFile?.Warnings ?? []) logger.LogWarning("{Warning}", warning);
        var faults = new FaultInjector(logger);
        if (options.ApiFaults.Any) await CreateFaultsConfigMapAsync(storage, options.ApiFaults, ct);
        var followingFaults = Task.Run(() => faults.FollowAsync(storage, app.Lifetime.ApplicationStopping), CancellationToken.None);
        var authenticator = new Authenticator(token, componentToken, tokenFile?.Entries ?? []);
        var handler = new ApiServerApp(storage, options.Watch, authenticator, faults, logger, app.Lifetime.ApplicationStopping);
        app.Run(handler.HandleAsync);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        var bound = options.BindAddress;
        var host = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any) || bound.Equals(IPAddress.Loopback) ? "127.0.0.1"
            : bound.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bound}]" : bound.ToString();
        var url = new Uri($"https://{host}:{port}");
        handler.ServerAddress = $"{host}:{port}";

        await CreateKubernetesServiceAsync(storage, host, port, ct);
        var server = new LabApiServer(app, certificates, store, storage, url, token, componentToken, followingFaults);
        if (options.KubeconfigPath is not null) Kubeconfig.Write(options.KubeconfigPath, server.KubeconfigYaml);
        return server;
    }

    static async Task CreateSystemNamespacesAsync(ResourceStorage storage, CancellationToken ct)
    {
        var rt = storage.Registry.Get("", "v1", "namespaces");
        foreach (var name in SystemNamespaces)
        {
            if (await storage.TryGetAsync(rt, null, name, ct) is not null) continue;
            var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
            rt.Strategy.PrepareForCreate(ns);
            await storage.CreateAsync(rt, ns, dryRun: false, ct: ct);
        }
    }

    static async Task CreateFaultsConfigMapAsync(ResourceStorage storage, ApiFaults faults, CancellationToken ct)
    {
        var rt = storage.Registry.Get("", "v1", "configmaps");
        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = FaultInjector.ConfigMapName, ["namespace"] = FaultInjector.Namespace },
            ["data"] = new JsonObject { [FaultInjector.DataKey] = faults.ToString() },
        };
        rt.Strategy.PrepareForCreate(configMap);
        await storage.CreateAsync(rt, configMap, dryRun: false, ct: ct);
    }

    /// <summary>The default/kubernetes Service and its Endpoints, which the real API server maintains for itself.</summary>
    static async Task CreateKubernetesServiceAsync(ResourceStorage storage, string host, int port, CancellationToken ct)
    {
        var labels = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" };
        var service = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["namespace"] = "default", ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP", ["clusterIP"] = "10.3.0.1", ["clusterIPs"] = new JsonArray("10.3.0.1"), ["sessionAffinity"] = "None",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = port }),
            },
            ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
        };
        var endpoints = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Endpoints",
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["namespace"] = "default", ["labels"] = labels.DeepClone() },
            ["subsets"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["ip"] = host }),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
            }),
        };
        foreach (var (plural, obj) in new[] { ("services", service), ("endpoints", endpoints) })
        {
            var rt = storage.Registry.Get("", "v1", plural);
            if (await storage.TryGetAsync(rt, "default", "kubernetes", ct) is null) await storage.CreateAsync(rt, obj, dryRun: false, ct: ct);
        }
    }

    /// <summary>
    /// A client configuration for the official C# client, trusting this lab's CA, as the lab's own components
    /// connect: API faults never apply to it. Clients the faults are for use <see cref="UserConfiguration"/>.
    /// </summary>
    public KubernetesClientConfiguration ClientConfiguration()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(_componentKubeconfig));
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
    }

    /// <summary>The kubeconfig's user, as kube-rescue and kubectl connect: API faults apply to it.</summary>
    public KubernetesClientConfiguration UserConfiguration()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(KubeconfigYaml));
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
    }

    public async Task StopAsync()
    {
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _followingFaults;
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        _certificates.Dispose();
    }
}
