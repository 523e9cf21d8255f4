using System.Diagnostics;
using System.Globalization;

namespace KubeRescue.Cli.Output;

/// <summary>
/// <c>--verbose</c>: one line per API call on stderr, as it completes: method, URL, status and time (a watch's line
/// comes when its response starts). Only the method and the URL are ever written, with any user info taken out of
/// the URL, so neither a bearer token, a client certificate nor a password can reach the log.
/// </summary>
public sealed class ApiCallLog(TextWriter log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var what = $"{request.Method} {Redact(request.RequestUri)}";
        try
        {
            var response = await base.SendAsync(request, ct);
            Write($"{what} {(int)response.StatusCode} {response.ReasonPhrase} in {Milliseconds(clock)}");
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Write($"{what} failed after {Milliseconds(clock)}: {e.Message}");
            throw;
        }
    }

    void Write(string line)
    {
        lock (log) log.WriteLine($"api: {line}");
    }

    /// <summary>A request about to be tried again (<see cref="Kube.RetryHandler"/>), on a line of its own kind.</summary>
    public void Retrying(string what)
    {
        lock (log) log.WriteLine($"retry: {what}");
    }

    static string Milliseconds(Stopwatch clock) => clock.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>The URL without user info (a kubeconfig's server may carry <c>user:password@</c>).</summary>
    public static string Redact(Uri? uri) => uri switch
    {
        null => "",
        { IsAbsoluteUri: true, UserInfo.Length: > 0 } => new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString(),
        _ => uri.ToString(),
    };
}
