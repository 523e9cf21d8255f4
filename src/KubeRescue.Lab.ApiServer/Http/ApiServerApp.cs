using System.Text.Json.Nodes;
using System.Text.Json;
using KubeRescue.Lab.ApiServer.Auth;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.OpenApi;
using KubeRescue.Lab.ApiServer.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeRescue.Lab.ApiServer.Http;

/// <summary>
/// The request pipeline, in kube-apiserver's order: authentication (a 401 for credentials nobody knows),
/// impersonation, the API faults in force (for clients, not the lab's own components: they play API Priority and
/// Fairness's 429s and an overloaded server, which come before authorization upstream too), authorization (a 403),
/// then the health, version, discovery and OpenAPI endpoints, then the generic resource handler. Every failure leaves
/// as a Status; nothing escapes as a bare 500 unless a fault asked for one.
/// </summary>
public sealed class ApiServerApp(ResourceStorage storage, WatchOptions watchOptions, Authenticator authenticator,
    FaultInjector faults, ILogger logger, CancellationToken stopping)
{
    /// <summary>host:port clients reach us at, for /api's serverAddressByClientCIDRs; known once Kestrel has bound.</summary>
    public string ServerAddress { get; set; } = "";

    public const string GitVersion = "v1.33.0";

    readonly ResourceHandler _resources = new(storage, new WatchServer(storage, watchOptions, storage.Clock, faults, stopping));
    readonly OpenApiDocuments _openApi = new(storage.Registry.All.Select(r => r.ToOpenApiResource()),
        (t, n) => Patching.PatchStrategies.Lookup(t, n) is { } p ? (p.Strategy, p.MergeKey) : null, GitVersion);
    readonly Authorizer _authorizer = new(storage);
    ResourceRegistry Registry => storage.Registry;

    public async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var path = ctx.Request.Path.Value ?? "/";
            var identity = authenticator.Authenticate(ctx.Request.Headers.Authorization.ToString(), path);
            if (identity is null)
            {
                await WriteStatusAsync(ctx, new ApiException(401, "Unauthorized", "Unauthorized"));
                return;
            }
            var user = await Impersonation.ActAsAsync(identity.User, ctx.Request.Headers, _authorizer, ctx.RequestAborted);
            if (!identity.IsComponent && await faults.BeforeAsync(ctx)) return;
            var attributes = RequestAttributes.From(user, ctx.Request.Method, path, ctx.Request.QueryString.Value ?? "");
            var decision = await _authorizer.AuthorizeAsync(attributes, ctx.RequestAborted);
            if (!decision.Allowed) throw attributes.Forbidden(decision.Reason);

            if (path.Trim('/').Split('/')[0] is "healthz" or "livez" or "readyz")
            {
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("ok", ctx.RequestAborted);
                return;
            }
            if (ctx.Request.Method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD"))
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
            if (await ServeNonResourceAsync(ctx, path)) return;

            var info = RequestInfo.Parse(path, (g, v, plural) => Registry.Find(g, v, plural)?.Namespaced == true) ?? throw ApiException.NotFoundPath();
            var rt = Registry.Find(info.Group, info.Version, info.Resource) ?? throw ApiException.NotFoundPath();
            await _resources.HandleAsync(new ApiRequest(ctx, info, rt, user, storage.Clock));
        }
        catch (ApiException e)
        {
            await WriteStatusAsync(ctx, e);
        }
        catch (Patching.PatchException e)
        {
            // Upstream answers a few malformed strategic patches (a list item without its merge key) with a 500;
            // they are the client's error, and the lab never answers bad input with a 500.
            var (code, reason) = e.StatusCode >= 500 ? (400, "BadRequest") : (e.StatusCode, e.Reason);
            await WriteStatusAsync(ctx, new ApiException(code, reason, e.Message));
        }
        // The client went away (cancelled, or reset its stream mid-body): nobody to answer, and not the server's fault.
        catch (Exception) when (ctx.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            await WriteStatusAsync(ctx, new ApiException(500, "InternalError", $"Internal error occurred: {e.Message}"));
        }
    }

    async Task<bool> ServeNonResourceAsync(HttpContext ctx, string path)
    {
        if (ctx.Request.Method != "GET") return false;
        var trimmed = path.TrimEnd('/');
        JsonNode? doc = trimmed switch
        {
            "/version" => Version(),
            "/api" => Registry.CoreVersions(ServerAddress),
            "/apis" => Registry.GroupList(),
            "/api/v1" => Registry.ResourceList("", "v1"),
            _ => null,
        };
        var parts = trimmed.Split('/');
        if (doc is null && parts is ["", "apis", var g] && Registry.GroupDocument(g) is { } group) doc = group;
        if (doc is null && parts is ["", "apis", var g2, var v2] && Registry.Serves(g2, v2)) doc = Registry.ResourceList(g2, v2);
        if (doc is not null)
        {
            await WriteJsonAsync(ctx, 200, doc);
            return true;
        }
        if (trimmed == "/" || trimmed.Length == 0)
        {
            await WriteJsonAsync(ctx, 200, RootPaths());
            return true;
        }
        if (trimmed.StartsWith("/openapi/", StringComparison.Ordinal)
            && _openApi.Respond(trimmed, ctx.Request.Headers.Accept.ToString(), ctx.Request.Query["hash"].ToString(),
                ctx.Request.Headers.IfNoneMatch.ToString(), storage.Clock.GetUtcNow()) is { } answer)
        {
            ctx.Response.StatusCode = answer.StatusCode;
            foreach (var (name, value) in answer.Headers) ctx.Response.Headers.Append(name, value);
            if (answer.ContentType is not null) ctx.Response.ContentType = answer.ContentType;
            if (answer.Body.Length > 0 && answer.StatusCode != 304) await ctx.Response.Body.WriteAsync(answer.Body, ctx.RequestAborted);
            return true;
        }
        return false;
    }

    JsonObject RootPaths()
    {
        var paths = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version");
        foreach (var (g, v) in Registry.GroupVersions.Where(gv => gv.Group.Length > 0))
        {
            paths.Add($"/apis/{g}");
            paths.Add($"/apis/{g}/{v}");
        }
        return new JsonObject { ["paths"] = paths };
    }

    static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "33",
        ["gitVersion"] = GitVersion,
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-04-23T00:00:00Z",
        ["goVersion"] = "go1.24.2",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    static async Task WriteJsonAsync(HttpContext ctx, int code, JsonNode node)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, Objects.JsonOutput.Options);
        node.WriteTo(w);
    }

    static async Task WriteStatusAsync(HttpContext ctx, ApiException e)
    {
        if (ctx.Response.HasStarted) return;
        ctx.Response.Clear();
        if (e.RetryAfterSeconds is { } retry) ctx.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await WriteJsonAsync(ctx, e.Code, e.ToStatus());
    }
}
