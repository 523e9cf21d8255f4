using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace KubeRescue.Kube;

/// <summary>
/// The server's certificate checked against the kubeconfig's CA alone, as kubectl checks it (Go never loads the
/// system's roots once a config names its own). Left to itself, .NET builds every chain with the system trust store
/// in reach, which on Linux means reading and decoding every certificate under /etc/ssl on each process start: about
/// two thirds of a short command's CPU time, only for the client's callback to check the kubeconfig's CA anyway.
/// </summary>
public static partial class ClientTls
{
    /// <summary>
    /// For a process whose only TLS peer is this API server (a CLI command): the kubeconfig's self-signed CA becomes
    /// the only root, and the system store is not read (nor with verification skipped, where it decides nothing).
    /// Nothing changes when the CA is not self-signed (an intermediate keeps the client's own check), or when a
    /// token provider (an exec plugin, an OIDC refresh) may make TLS connections of its own that need the system's
    /// roots.
    /// </summary>
    public static void TrustOnlyKubeconfigCa(KubernetesClientConfiguration config)
    {
        if (config.TokenProvider is not null) return;
        if (config.SkipTlsVerify)
        {
            IgnoreSystemStore();
            return;
        }
        if (config.SslCaCerts is not { Count: > 0 } roots || roots.Any(c => !c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))) return;
        var previous = config.FirstMessageHandlerSetup;
        config.FirstMessageHandlerSetup = handler =>
        {
            previous?.Invoke(handler);
            if (handler is not SocketsHttpHandler sockets) return;
            // The client's validation callback still runs after this chain is built and rejects what it rejects, so
            // a wrong CA remains the same clear TLS error.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            sockets.SslOptions.CertificateChainPolicy = policy;
        };
        IgnoreSystemStore();
    }

    /// <summary>
    /// Even with a custom root, .NET's OpenSSL chain builder loads the system store (for its intermediates) from the
    /// paths OpenSSL names, which SSL_CERT_FILE and SSL_CERT_DIR override: empty, they name none. Set in the native
    /// environment, where OpenSSL reads them (the managed one is a copy; child processes get that copy), once,
    /// before the first connection.
    /// </summary>
    static void IgnoreSystemStore()
    {
        if (!OperatingSystem.IsLinux()) return;
        SetNativeEnvironment("SSL_CERT_FILE", "");
        SetNativeEnvironment("SSL_CERT_DIR", "");
    }

    static void SetNativeEnvironment(string name, string value) =>
        _ = setenv(Encoding.UTF8.GetBytes(name + '\0'), Encoding.UTF8.GetBytes(value + '\0'), 1);

    [DllImport("libc", ExactSpelling = true)]
    static extern int setenv(byte[] name, byte[] value, int overwrite);
}
