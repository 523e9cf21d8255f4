using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using KubeRescue.Lab.ApiServer.Hosting;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>The lab listens on loopback unless told otherwise; told, it is reachable, and its certificate names the address.</summary>
public class BindAddressTests
{
    /// <summary>
    /// Another of this machine's addresses: on Linux all of 127.0.0.0/8 is the machine itself, so a server bound to
    /// 127.0.0.1 alone refuses it as it refuses the network, and every machine has it.
    /// </summary>
    static IPAddress External() => IPAddress.Parse("127.0.0.2");

    static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task By_default_only_loopback_is_served()
    {
        await using var lab = await LabServerFixture.StartAsync(new LabApiServerOptions());
        Assert.Equal("127.0.0.1", lab.Server.Url.Host);
        Assert.True(await AcceptsAsync(IPAddress.Loopback, lab.Server.Url.Port));
        Assert.False(await AcceptsAsync(External(), lab.Server.Url.Port));
    }

    [Fact]
    public async Task Told_to_listen_on_an_address_the_lab_is_reached_there_over_verified_TLS()
    {
        var external = External();
        await using var lab = await LabServerFixture.StartAsync(new LabApiServerOptions { BindAddress = external });
        Assert.Equal(external.ToString(), lab.Server.Url.Host);
        using var http = lab.Http();
        using var response = await http.GetAsync("/api/v1/namespaces/kube-system");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await AcceptsAsync(IPAddress.Loopback, lab.Server.Url.Port));

        // A client that checks the name (as kubectl does) finds this address in the certificate.
        var errors = SslPolicyErrors.None;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(external, lab.Server.Url.Port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, e) => { errors = e; return true; });
        await tls.AuthenticateAsClientAsync(external.ToString());
        Assert.False(errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch), errors.ToString());
    }
}
