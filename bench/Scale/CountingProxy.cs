using System.Net;
using System.Net.Sockets;

namespace KubeRescue.Bench.Scale;

/// <summary>
/// A TCP relay in front of the lab that counts the bytes each way: what a client (kube-rescue, kubectl) really
/// receives on the wire, TLS and HTTP/2 framing included, whatever its own logging says. One measured client at
/// a time goes through it, so <see cref="Take"/> gives that client's traffic.
/// </summary>
sealed class CountingProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly IPEndPoint _target;
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    long _toClient;
    long _toServer;
    long _connections;

    public CountingProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A copy of the lab's kubeconfig whose server is this proxy on loopback (the lab's certificate names the address, not the port).</summary>
    public string KubeconfigFor(LabProcess lab)
    {
        var path = Path.Combine(lab.Directory, $"kubeconfig-{Port}");
        File.WriteAllText(path, File.ReadAllText(lab.Kubeconfig).Replace(lab.Url.ToString().TrimEnd('/'), $"https://127.0.0.1:{Port}", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Bytes to the client and to the server, and connections opened, since the last call.</summary>
    public (long Received, long Sent, long Connections) Take() =>
        (Interlocked.Exchange(ref _toClient, 0), Interlocked.Exchange(ref _toServer, 0), Interlocked.Exchange(ref _connections, 0));

    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                Interlocked.Increment(ref _connections);
                var up = PumpAsync(client.GetStream(), server.GetStream(), n => Interlocked.Add(ref _toServer, n));
                var down = PumpAsync(server.GetStream(), client.GetStream(), n => Interlocked.Add(ref _toClient, n));
                // Either side closing ends the relay; disposing both sockets ends the other copy.
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    async Task PumpAsync(NetworkStream from, NetworkStream to, Action<long> count)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                count(n);
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
