using System.Security.Cryptography;
using System.Text;

namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>Who sent a request, and whether it is one of the lab's own components (which API faults never touch).</summary>
public sealed record Identity(UserInfo User, bool IsComponent);

/// <summary>
/// Bearer-token authentication: the kubeconfig's token, the lab components' token and the users of a static token
/// file. Tokens are compared as SHA-256 digests in constant time, every known token each time, so neither a token's
/// bytes nor its length nor which entry matched shows in the timing. A request with no credentials is anonymous only on
/// the health endpoints, as kube-apiserver configured with <c>anonymous.conditions</c> for /healthz, /livez and /readyz
/// (AuthenticationConfiguration) accepts it; anywhere else it is a 401, and so is a token nobody knows.
/// </summary>
public sealed class Authenticator
{
    /// <summary>
    /// The kubeconfig's user, as kubeadm's admin.conf had it before 1.29: kubernetes-admin in system:masters. A client
    /// certificate, which admin.conf holds, names no uid.
    /// </summary>
    public static readonly UserInfo Admin = UserInfo.Authenticated("kubernetes-admin", "", [UserInfo.Masters]);

    /// <summary>
    /// The lab's own kubelets, scheduler and controller-manager. They are trusted, so they are in system:masters; the
    /// real ones are bound to bootstrap roles (system:node, system:kube-scheduler, ...) the lab does not model.
    /// </summary>
    public static readonly UserInfo Components = UserInfo.Authenticated("system:kube-rescue-lab", "", [UserInfo.Masters]);

    static readonly HashSet<string> AnonymousPaths = ["/healthz", "/livez", "/readyz"];

    readonly (byte[] Digest, Identity Identity)[] _tokens;

    public Authenticator(string adminToken, string componentToken, IEnumerable<TokenFileEntry> tokenFile)
    {
        _tokens =
        [
            (Digest(adminToken), new Identity(Admin, IsComponent: false)),
            (Digest(componentToken), new Identity(Components, IsComponent: true)),
            .. tokenFile.Select(e => (Digest(e.Token), new Identity(e.User, IsComponent: false))),
        ];
    }

    static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The identity of a request with this Authorization header on this path, or null for a 401.</summary>
    public Identity? Authenticate(string authorization, string path)
    {
        if (authorization.Length == 0) return AnonymousPaths.Contains(path) ? new Identity(UserInfo.Anonymous, IsComponent: false) : null;
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var presented = Digest(authorization[scheme.Length..].Trim());
        Identity? found = null;
        foreach (var (digest, identity) in _tokens)
            if (CryptographicOperations.FixedTimeEquals(presented, digest)) found = identity;
        return found;
    }
}
