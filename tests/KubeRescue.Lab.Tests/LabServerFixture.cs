using k8s;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.ApiServer.Http;

namespace KubeRescue.Lab.Tests;

/// <summary>One lab API server shared by a test class, reached only through the official client over HTTPS.</summary>
public sealed class LabServerFixture : IAsyncLifetime
{
    // xunit builds class fixtures through their one public constructor; other options go through StartAsync.
    readonly LabApiServerOptions _options;

    public LabServerFixture() => _options = Options;

    LabServerFixture(LabApiServerOptions options) => _options = options;

    /// <summary>A fixture's server with other options, started; the caller disposes of it.</summary>
    public static async Task<LabServerFixture> StartAsync(LabApiServerOptions options)
    {
        var fixture = new LabServerFixture(options);
        await fixture.InitializeAsync();
        return fixture;
    }

    public LabApiServer Server { get; private set; } = null!;
    public k8s.Kubernetes Client { get; private set; } = null!;

    /// <summary>Short bookmark interval and a small history so bookmark and 410 tests run in seconds.</summary>
    public static LabApiServerOptions Options => new()
    {
        Watch = new WatchOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) },
        WatchHistory = 2_000,
    };

    public async Task InitializeAsync()
    {
        Server = await LabApiServer.StartAsync(_options);
        Client = NewClient();
    }

    public k8s.Kubernetes NewClient() => new(Server.ClientConfiguration());

    /// <summary>An HttpClient that trusts the lab's CA, for requests the typed client cannot make (bad input, raw discovery).</summary>
    public HttpClient Http(bool authenticated = true, Version? version = null)
    {
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Server.CaPem);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    return cert is not null && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(cert));
                },
            },
        };
        var http = new HttpClient(handler) { BaseAddress = Server.Url };
        if (version is not null)
        {
            http.DefaultRequestVersion = version;
            http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        if (authenticated) http.DefaultRequestHeaders.Authorization = new("Bearer", Server.Token);
        return http;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
