using System.Net;
using k8s.Autorest;

namespace KubeRescue.Kube;

public static class Reads
{
    /// <summary>The object, or null when the API server answers 404: absence is an answer, not an error.</summary>
    public static async Task<T?> OrNullAsync<T>(Func<Task<T>> read) where T : class
    {
        try { return await read(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }
}
