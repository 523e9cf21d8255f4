using System.CommandLine;
using k8s;

namespace KubeRescue.Cli.Commands;

/// <summary>
/// <c>--kubeconfig</c> and <c>--context</c>, as kubectl has them, shared by every command that talks to a cluster.
/// Without <c>--kubeconfig</c>: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then the in-cluster service account.
/// </summary>
public sealed class ClusterOptions
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)." };
    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context to use." };

    public void AddTo(Command command)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
    }

    /// <summary>The client configuration, or null after printing why it cannot be had (the caller exits non-zero).</summary>
    public KubernetesClientConfiguration? Connect(ParseResult result, TextWriter error)
    {
        var path = result.GetValue(Kubeconfig);
        var context = result.GetValue(Context);
        try
        {
            if (path is null && context is null && Environment.GetEnvironmentVariable("KUBECONFIG") is null
                && !File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation) && KubernetesClientConfiguration.IsInCluster())
                return KubernetesClientConfiguration.InClusterConfig();
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
            config.UserAgent = RescueMetadata.FieldManager;
            return config;
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot use the kubeconfig: {e.Message}");
            return null;
        }
    }
}
