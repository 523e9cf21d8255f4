using System.Net;
using System.Text;
using System.Text.Json;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>Bad input gets the right 4xx Status, never a 500, and the server keeps serving.</summary>
public class BadInputTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    static StringContent Json(string body, string type = "application/json") => new(body, Encoding.UTF8, type);

    async Task<(HttpStatusCode Code, JsonElement Status)> Send(HttpMethod method, string path, HttpContent? content = null, bool authenticated = true)
    {
        using var http = lab.Http(authenticated);
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        var status = doc.RootElement.Clone();
        Assert.Equal("Status", status.GetProperty("kind").GetString());
        Assert.Equal((int)response.StatusCode, status.GetProperty("code").GetInt32());
        return (response.StatusCode, status);
    }

    public static TheoryData<string, string, string, string, int, string> Cases => new()
    {
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"kind\":\"ConfigMap\",", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/yaml", "kind: [unclosed", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "[1,2]", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"apps/v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"namespace\":\"kube-system\"}}", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Not_Valid\"}}", 422, "Invalid" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}", 422, "Invalid" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":\"oops\"}", 400, "BadRequest" },
        { "POST", "/api/v1/namespaces/default/configmaps", "application/json", "", 400, "BadRequest" },
        { "GET", "/api/v1/namespaces/default/widgets", "", "", 404, "NotFound" },
        { "GET", "/apis/nope.example.com/v1/things", "", "", 404, "NotFound" },
        { "PUT", "/api/v1/namespaces/default/configmaps", "application/json", "{}", 405, "MethodNotAllowed" },
        { "POST", "/api/v1/namespaces/default/configmaps/x", "application/json", "{}", 405, "MethodNotAllowed" },
        { "GET", "/api/v1/namespaces/default/pods?labelSelector=a%20in%20(", "", "", 400, "BadRequest" },
        { "GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3Dx", "", "", 400, "BadRequest" },
        { "GET", "/api/v1/namespaces/default/pods?limit=abc", "", "", 400, "BadRequest" },
        { "GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=abc", "", "", 400, "BadRequest" },
        { "PATCH", "/api/v1/namespaces/default/configmaps/missing", "application/merge-patch+json", "{}", 404, "NotFound" },
        { "PATCH", "/api/v1/namespaces/kube-system/configmaps/bad-patch", "application/json-patch+json", "{\"not\":\"an array\"}", 400, "BadRequest" },
        { "PATCH", "/api/v1/namespaces/kube-system/configmaps/bad-patch", "text/plain", "{}", 415, "UnsupportedMediaType" },
        { "POST", "/api/v1/namespaces/default/configmaps?dryRun=Some", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"d\"}}", 400, "BadRequest" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_requests_get_the_right_status(string method, string path, string contentType, string body, int code, string reason)
    {
        if (path.Contains("bad-patch"))
        {
            using var http = lab.Http();
            await http.PostAsync("/api/v1/namespaces/kube-system/configmaps", Json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bad-patch\"}}"));
        }
        var content = contentType.Length == 0 ? null : Json(body, contentType);
        var (status, doc) = await Send(new HttpMethod(method), path, content);
        Assert.Equal(code, (int)status);
        Assert.Equal(reason, doc.GetProperty("reason").GetString());
        Assert.Equal("Failure", doc.GetProperty("status").GetString());
        await ServerStillServes();
    }

    [Fact]
    public async Task A_body_over_3_MiB_is_413()
    {
        var big = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":{\"x\":\"" + new string('a', 3 * 1024 * 1024) + "\"}}";
        var (status, doc) = await Send(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", Json(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("RequestEntityTooLarge", doc.GetProperty("reason").GetString());
        await ServerStillServes();
    }

    [Fact]
    public async Task Without_a_token_every_API_path_is_401()
    {
        var (status, doc) = await Send(HttpMethod.Get, "/api/v1/namespaces", authenticated: false);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized", doc.GetProperty("reason").GetString());
        using var http = lab.Http(authenticated: false);
        http.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api")).StatusCode);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Serves_HTTP_1_1_and_HTTP_2(string version)
    {
        using var http = lab.Http(version: Version.Parse(version));
        using var response = await http.GetAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(version), response.Version);
    }

    async Task ServerStillServes()
    {
        using var http = lab.Http();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces/default")).StatusCode);
    }
}
