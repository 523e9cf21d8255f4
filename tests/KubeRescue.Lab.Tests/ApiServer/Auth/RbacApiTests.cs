using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.Tests.ApiServer.Auth;

/// <summary>A lab API server with users from a static token file: alice (group devs) and bob.</summary>
public sealed class TokenFileLab : IAsyncLifetime
{
    public const string AliceToken = "alice-token-0123456789";
    public const string BobToken = "bob-token-0123456789";

    readonly string _tokenFile = Path.GetTempFileName();

    public LabServerFixture Lab { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_tokenFile, $"{AliceToken},alice,u-alice,\"devs,oncall\"\n{BobToken},bob,u-bob\n");
        Lab = await LabServerFixture.StartAsync(LabServerFixture.Options with { TokenAuthFile = _tokenFile });
    }

    /// <summary>HTTP as the holder of this token (null: no Authorization header at all).</summary>
    public HttpClient As(string? token)
    {
        var http = Lab.Http(authenticated: false);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>HTTP as the kubeconfig's user, the admin.</summary>
    public HttpClient Admin() => As(Lab.Server.Token);

    /// <summary>The official client as the holder of this token.</summary>
    public Kubernetes ClientAs(string token)
    {
        var config = Lab.Server.ClientConfiguration();
        config.AccessToken = token;
        return new Kubernetes(config);
    }

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        File.Delete(_tokenFile);
    }
}

/// <summary>Authentication over HTTP, as clients meet it: token-file users, the health endpoints open to all, unknown tokens refused.</summary>
public class RbacApiTests(TokenFileLab lab) : IClassFixture<TokenFileLab>
{
    static async Task<(HttpStatusCode Code, JsonObject Body)> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : new JsonObject { ["text"] = text });
    }

    [Fact]
    public async Task API_faults_hit_token_file_users_and_never_the_components()
    {
        var tokens = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokens, $"{TokenFileLab.AliceToken},alice,u-alice\n");
        var flaky = await LabServerFixture.StartAsync(LabServerFixture.Options with { TokenAuthFile = tokens, ApiFaults = Faults.ApiFaults.Parse("error-rate=1") });
        try
        {
            using var alice = flaky.Http(authenticated: false);
            alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFileLab.AliceToken);
            using var response = await alice.GetAsync("/api/v1/namespaces");
            Assert.True(response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable,
                response.StatusCode.ToString());
            Assert.NotEmpty((await flaky.Client.CoreV1.ListNamespaceAsync()).Items);
        }
        finally
        {
            await flaky.DisposeAsync();
            File.Delete(tokens);
        }
    }

    [Fact]
    public async Task Health_needs_no_token_anything_else_without_one_and_any_unknown_token_is_401()
    {
        using var anonymous = lab.As(null);
        foreach (var path in new[] { "/livez", "/readyz", "/healthz" })
        {
            var (code, body) = await Get(anonymous, path);
            Assert.Equal((path, HttpStatusCode.OK, "ok"), (path, code, (string?)body["text"]));
        }
        foreach (var path in new[] { "/livez/ping", "/version", "/api", "/api/v1/namespaces" })
            Assert.Equal((path, HttpStatusCode.Unauthorized), (path, (await Get(anonymous, path)).Code));

        using var stranger = lab.As("not-a-token");
        var (unknown, status) = await Get(stranger, "/livez");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);
        Assert.Equal("Unauthorized", (string?)status["reason"]);
    }

    [Fact]
    public async Task A_token_file_user_is_known_by_its_token()
    {
        using var alice = lab.As(TokenFileLab.AliceToken);

        Assert.Equal(HttpStatusCode.OK, (await Get(alice, "/api/v1/namespaces")).Code);
    }
}
