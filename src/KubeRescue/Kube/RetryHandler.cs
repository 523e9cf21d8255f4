using System.Net;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Kube;

/// <summary>
/// Retries a request the API server could not serve: 429 (API Priority and Fairness shedding load), 500, 502, 503,
/// 504, and a connection lost mid-request (reset, a stream or response cut off). Not a connection that could not be
/// made (refused, no such host, TLS refused): as with client-go, a wrong or dead address fails at once rather than
/// after every retry. Waits the server's Retry-After when it gives one, else an exponential back-off with jitter;
/// gives up after <see cref="MaxAttempts"/> and returns the last answer (or throws the last failure), and never
/// outlasts the caller's cancellation. Any verb is retried: a write the server may have applied before failing is
/// safe to repeat because every write kube-rescue makes either carries a precondition (UID, resourceVersion) or is
/// checked for having been done already. A non-watch response is read to its end here, so that one cut off
/// mid-body is retried too. It waits on <paramref name="clock"/>, the system's by default.
/// </summary>
public sealed class RetryHandler(Action<string>? onRetry = null, TimeProvider? clock = null) : DelegatingHandler
{
    /// <summary>As client-go's REST client: ten tries of one request.</summary>
    public const int MaxAttempts = 10;

    static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(200), LongestWait = TimeSpan.FromSeconds(5);

    /// <summary>A Retry-After beyond this is shortened to it: the run's own --timeout is the longer bound.</summary>
    static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(30);

    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var backoff = new Backoff(FirstWait, LongestWait);
        var watch = request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) == true;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(request, ct);
                if (!watch) await response.Content.LoadIntoBufferAsync(ct);
            }
            catch (Exception e) when (Lost(e) && attempt < MaxAttempts && !ct.IsCancellationRequested)
            {
                response?.Dispose();
                await WaitAsync(request, backoff.Next(), e.Message, ct);
                continue;
            }
            if (attempt == MaxAttempts || !Retryable(response.StatusCode)) return response;
            var wait = RetryAfter(response) ?? backoff.Next();
            var why = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            response.Dispose();
            await WaitAsync(request, wait, why, ct);
        }
    }

    async Task WaitAsync(HttpRequestMessage request, TimeSpan wait, string why, CancellationToken ct)
    {
        onRetry?.Invoke($"{request.Method} {request.RequestUri?.AbsolutePath} again in {wait.TotalSeconds:0.0} s after {why}");
        await Task.Delay(wait, _clock, ct);
    }

    /// <summary>A connection that was made and then lost, as opposed to one that could not be made.</summary>
    static bool Lost(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError or HttpRequestError.ResponseEnded } => true,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError, InnerException: System.Net.Sockets.SocketException s } =>
            s.SocketErrorCode is System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.ConnectionAborted,
        HttpRequestException { HttpRequestError: HttpRequestError.Unknown, InnerException: IOException } => true,
        IOException => true,
        _ => false,
    };

    static bool Retryable(HttpStatusCode code) => code is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } at ? at - _clock.GetUtcNow() : null);
        return wait is null ? null : wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestRetryAfter ? LongestRetryAfter : wait;
    }
}
