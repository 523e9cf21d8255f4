using System.Security.Cryptography.X509Certificates;
using k8s;
using KubeRescue.Kube;
using KubeRescue.Lab.ApiServer.Hosting;

namespace KubeRescue.Tests.Kube;

public class ClientTlsTests
{
    static X509ChainPolicy? PolicyAfterSetup(KubernetesClientConfiguration config)
    {
        ClientTls.TrustOnlyKubeconfigCa(config);
        using var handler = new SocketsHttpHandler();
        config.FirstMessageHandlerSetup?.Invoke(handler);
        return handler.SslOptions.CertificateChainPolicy;
    }

    [Fact]
    public void A_self_signed_kubeconfig_CA_becomes_the_only_root()
    {
        using var certificates = LabCertificates.Create();
        var policy = PolicyAfterSetup(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SslCaCerts = [certificates.Ca] });
        Assert.NotNull(policy);
        Assert.Equal(X509ChainTrustMode.CustomRootTrust, policy.TrustMode);
        Assert.Equal(certificates.Ca.Thumbprint, Assert.Single(policy.CustomTrustStore).Thumbprint);
    }

    [Fact]
    public void Skipped_verification_an_intermediate_CA_or_a_token_provider_leave_the_client_as_it_is()
    {
        using var certificates = LabCertificates.Create();
        Assert.Null(PolicyAfterSetup(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SkipTlsVerify = true, SslCaCerts = [certificates.Ca] }));
        // The lab's server certificate is signed by its CA: as a kubeconfig's CA it would be an intermediate.
        Assert.Null(PolicyAfterSetup(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SslCaCerts = [certificates.Server] }));
        Assert.Null(PolicyAfterSetup(new KubernetesClientConfiguration
        {
            Host = "https://127.0.0.1:1", SslCaCerts = [certificates.Ca], TokenProvider = new k8s.Authentication.StringTokenProvider("t", "Bearer"),
        }));
    }
}
