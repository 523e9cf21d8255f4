using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using KubeRescue.Lab.Tests.Objects;
using static KubeRescue.Lab.Tests.ApiServer.ApiTestObjects;
using static KubeRescue.Lab.Tests.Objects.Pb;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>Request bodies in Kubernetes protobuf, as kubectl 1.31+ sends its typed-client calls, over HTTPS.</summary>
public class ProtobufBodyTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    async Task<(HttpStatusCode Code, JsonElement Body)> Send(HttpMethod method, string path, byte[] body, string contentType = "application/vnd.kubernetes.protobuf")
    {
        using var http = lab.Http();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    static Pb Deployment(string name, Pb? extraPodSpecField = null)
    {
        var container = new Pb().Str(1, "web").Str(2, "nginx:1").Msg(6, new Pb().Int(3, 80))
            .Msg(8, new Pb().Entry(1, "memory", Quantity("128Mi")));
        var podSpec = new Pb().Msg(2, container);
        if (extraPodSpecField is not null) podSpec.Msg(23, extraPodSpecField);
        return new Pb().Msg(1, Meta(name))
            .Msg(2, new Pb().Int(1, 3).Msg(2, new Pb().Entry(1, "app", name))
                .Msg(3, new Pb().Msg(1, new Pb().Entry(11, "app", name)).Msg(2, podSpec)));
    }

    [Fact]
    public async Task Protobuf_creates_are_validated_strictly_and_stored_as_their_JSON()
    {
        var ns = Unique("pb");
        var (code, created) = await Send(HttpMethod.Post, "/api/v1/namespaces?fieldValidation=Strict", Envelope("v1", "Namespace", new Pb().Msg(1, Meta(ns))));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("Active", created.GetProperty("status").GetProperty("phase").GetString());

        (code, _) = await Send(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict", Envelope("apps/v1", "Deployment", Deployment("web")));
        Assert.Equal(HttpStatusCode.Created, code);
        var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(3, deployment.Spec.Replicas);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal(80, Assert.Single(container.Ports).ContainerPort);
        Assert.Equal("128Mi", container.Resources.Limits["memory"].ToString());

        // Validation runs as for JSON: a Deployment without a name is the same 422.
        (code, var invalid) = await Send(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments", Envelope("apps/v1", "Deployment", Deployment("")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", invalid.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Evictions_and_deletes_take_their_options_from_a_protobuf_body()
    {
        var evicted = Unique("evicted");
        var deleted = Unique("deleted");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod(evicted, node: "node-1"), "default");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod(deleted, node: "node-1"), "default");

        // A scheduled pod waits 30 s for its kubelet unless the options say 0: gone at once shows they were read.
        var eviction = new Pb().Msg(1, Meta(evicted, "default")).Msg(2, new Pb().Int(1, 0));
        var (code, _) = await Send(HttpMethod.Post, $"/api/v1/namespaces/default/pods/{evicted}/eviction", Envelope("policy/v1", "Eviction", eviction));
        Assert.Equal(HttpStatusCode.Created, code);
        (code, _) = await Send(HttpMethod.Delete, $"/api/v1/namespaces/default/pods/{deleted}", Envelope("v1", "DeleteOptions", new Pb().Int(1, 0)));
        Assert.Equal(HttpStatusCode.OK, code);

        foreach (var name in new[] { evicted, deleted })
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedPodAsync(name, "default"));
            Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        }
    }

    [Fact]
    public async Task Unknown_fields_are_415_and_broken_bodies_400_and_nothing_is_created()
    {
        var hostAliases = new Pb().Str(1, "10.0.0.1").Str(2, "db");
        var (code, status) = await Send(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", Envelope("apps/v1", "Deployment", Deployment("refused", hostAliases)));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);
        Assert.Equal("UnsupportedMediaType", status.GetProperty("reason").GetString());
        Assert.StartsWith("protobuf field 23 of k8s.io.api.core.v1.PodSpec is not known to the lab", status.GetProperty("message").GetString());

        var truncated = Envelope("apps/v1", "Deployment", Deployment("broken"))[..^5];
        (code, status) = await Send(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", truncated);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.StartsWith("the object provided is unrecognized (must be of type Deployment): couldn't decode protobuf:", status.GetProperty("message").GetString());

        (code, _) = await Send(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", [0xd9, 0xd9, 0xf7], "application/cbor");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);

        foreach (var name in new[] { "refused", "broken" })
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default"));
            Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        }
    }
}
