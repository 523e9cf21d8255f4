using System.Net;
using System.Text;
using k8s;

namespace KubeRescue.Tests;

/// <summary>
/// Answers a client's requests from a script, one answer per request in order, and records what was asked. It sits
/// innermost in the client's handler chain, so nothing reaches the network. Shared by the tests of the engine's
/// retries and of the informer.
/// </summary>
sealed class FakeApiServer : DelegatingHandler
{
    readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers = new();
    readonly List<string> _requests = [];

    public IReadOnlyList<string> Requests { get { lock (_requests) return [.. _requests]; } }

    public FakeApiServer Then(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        lock (_answers) _answers.Enqueue(answer);
        return this;
    }

    public FakeApiServer Then(HttpStatusCode code, string body = "{}", TimeSpan? retryAfter = null) => Then(_ =>
    {
        var response = new HttpResponseMessage(code) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (retryAfter is { } wait) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        return response;
    });

    public FakeApiServer ThenReset() => Then(_ => throw new HttpRequestException(HttpRequestError.HttpProtocolError, "The HTTP/2 server reset the stream."));

    public FakeApiServer ThenRefused() => Then(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused",
        new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));

    /// <summary>A body that yields <paramref name="lines"/> and then fails as a cut connection does.</summary>
    public FakeApiServer ThenCutAfter(params string[] lines) => Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CutStream(lines)) });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        lock (_requests) _requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
        Func<HttpRequestMessage, HttpResponseMessage>? answer;
        lock (_answers) _answers.TryDequeue(out answer);
        // Out of script: hang until cancelled, as a quiet watch does.
        if (answer is null) return Task.Delay(Timeout.Infinite, ct).ContinueWith<HttpResponseMessage>(_ => throw new OperationCanceledException(ct), CancellationToken.None);
        try
        {
            var response = answer(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
        catch (Exception e) { return Task.FromException<HttpResponseMessage>(e); }
    }

    /// <summary>A client whose every request this server answers, through <paramref name="outer"/> handlers first.</summary>
    public k8s.Kubernetes Client(params DelegatingHandler[] outer) =>
        new(new KubernetesClientConfiguration { Host = "https://fake.invalid", AccessToken = "t" }, [.. outer, this]);

    sealed class CutStream(string[] lines) : Stream
    {
        readonly MemoryStream _data = new(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))));

        public override int Read(byte[] buffer, int offset, int count) =>
            _data.Position < _data.Length ? _data.Read(buffer, offset, count) : throw new IOException("the connection was cut");

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
