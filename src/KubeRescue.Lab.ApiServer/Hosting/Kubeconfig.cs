using System.Text;

namespace KubeRescue.Lab.ApiServer.Hosting;

/// <summary>The kubeconfig a lab writes: one cluster, one user with a bearer token, context <c>kube-rescue-lab</c>.</summary>
public static class Kubeconfig
{
    public const string ContextName = "kube-rescue-lab";

    public static string Render(Uri server, string caPem, string token) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server.ToString().TrimEnd('/')}
            certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))}
        users:
        - name: {ContextName}-admin
          user:
            token: {token}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}-admin
            namespace: default
        current-context: {ContextName}
        preferences: {"{}"}

        """;

    /// <summary>Writes the file readable by its owner only: it holds a credential.</summary>
    public static void Write(string path, string content)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
