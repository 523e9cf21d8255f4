using System.CommandLine;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using KubeRescue.Cli.Output;
using KubeRescue.Kube;

namespace KubeRescue.Cli.Commands;

/// <summary>
/// <c>--kubeconfig</c>, <c>--context</c> and <c>--verbose</c>, as kubectl has them, on every command that talks to a
/// cluster; <see cref="Bind"/> reads what the user gave into a <see cref="ClusterFlags"/> for the command's options.
/// </summary>
public sealed class ClusterOptions
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)." };
    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context to use." };
    public Option<bool> Verbose { get; } = CreateVerboseOption();

    public static Option<bool> CreateVerboseOption() =>
        new("--verbose", "-v") { Description = "Print each API call (method, URL, status, time) to stderr; never a credential." };

    public void AddTo(Command command)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
        command.Options.Add(Verbose);
    }

    public ClusterFlags Bind(ParseResult result) => new(result.GetValue(Kubeconfig), result.GetValue(Context), result.GetValue(Verbose));
}

/// <summary>
/// The cluster the user named: without <c>--kubeconfig</c>, <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then the
/// in-cluster service account.
/// </summary>
public sealed record ClusterFlags(string? Kubeconfig, string? Context, bool Verbose)
{
    /// <summary>A client for <paramref name="config"/> that retries what a struggling API server could not serve, logging its calls (each attempt) to <paramref name="log"/> with <c>--verbose</c>.</summary>
    public k8s.Kubernetes CreateClient(KubernetesClientConfiguration config, TextWriter log) => CreateClient(config, Verbose, log);

    public static k8s.Kubernetes CreateClient(KubernetesClientConfiguration config, bool verbose, TextWriter log)
    {
        if (!verbose) return new k8s.Kubernetes(config, new RetryHandler());
        var calls = new ApiCallLog(log);
        return new k8s.Kubernetes(config, new RetryHandler(calls.Retrying), calls);
    }

    /// <summary>
    /// The files of <c>$KUBECONFIG</c> merged as kubectl merges them: the first file to name a cluster, user or context,
    /// or to set the current context, wins; missing files are skipped.
    /// </summary>
    static K8SConfiguration Merge(string list)
    {
        var files = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).ToList();
        if (files.Count == 0) throw new KubeConfigException($"none of the files in $KUBECONFIG ({list}) exists");
        var merged = Load(files[0]);
        foreach (var file in files.Skip(1))
        {
            var next = Load(file);
            merged.CurrentContext ??= next.CurrentContext;
            merged.Clusters = Union(merged.Clusters, next.Clusters, c => c.Name);
            merged.Users = Union(merged.Users, next.Users, u => u.Name);
            merged.Contexts = Union(merged.Contexts, next.Contexts, c => c.Name);
        }
        return merged;
    }

    /// <summary>One file, read without the client's reflection-based YAML loader (which fails in the native build).</summary>
    static K8SConfiguration Load(string path) => KubeconfigFile.Load(path) ?? throw new KubeConfigException("it is empty or incomplete");

    static List<T> Union<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> name) =>
        [.. (first ?? []).Concat(second ?? []).DistinctBy(name)];

    /// <summary>The command of the exec credential plugin the chosen context's user runs, if it has one.</summary>
    static string? ExecPlugin(K8SConfiguration kubeconfig, string? context)
    {
        var name = context ?? kubeconfig.CurrentContext;
        var user = kubeconfig.Contexts?.FirstOrDefault(c => c.Name == name)?.ContextDetails?.User;
        return kubeconfig.Users?.FirstOrDefault(u => u.Name == user)?.UserCredentials?.ExternalExecution?.Command;
    }

    /// <summary>The client configuration, or null after printing why it cannot be had (the caller exits non-zero).</summary>
    public KubernetesClientConfiguration? Connect(TextWriter error)
    {
        try
        {
            var env = Environment.GetEnvironmentVariable("KUBECONFIG");
            if (Kubeconfig is null && Context is null && string.IsNullOrEmpty(env)
                && !File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation) && KubernetesClientConfiguration.IsInCluster())
                return KubernetesClientConfiguration.InClusterConfig();
            // $KUBECONFIG is a list of files merged as kubectl merges them (the first to set a value wins).
            var kubeconfig = Kubeconfig is null && !string.IsNullOrEmpty(env) ? Merge(env) : Load(Kubeconfig ?? KubernetesClientConfiguration.KubeConfigDefaultLocation);
            if (!RuntimeFeature.IsDynamicCodeSupported && ExecPlugin(kubeconfig, Context) is { } exec)
                throw new KubeConfigException(
                    $"its user runs the credential plugin {exec}, which this native build cannot: the client's exec support needs reflection-based JSON. Use the JIT build (./kube-rescue)");
            var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig, Context);
            config.UserAgent = RescueMetadata.FieldManager;
            ClientTls.TrustOnlyKubeconfigCa(config);
            return config;
        }
        catch (Exception e) when (e is KubeConfigException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot use the kubeconfig: {e.Message}");
            return null;
        }
        // A syntax error comes as YamlDotNet's; the client fails with a NullReferenceException on a context whose cluster or user has no details.
        catch (YamlDotNet.Core.YamlException e)
        {
            error.WriteLine($"error: cannot use the kubeconfig: it is not valid YAML: {e.Message}");
            return null;
        }
        catch (NullReferenceException)
        {
            error.WriteLine("error: cannot use the kubeconfig: it is empty or incomplete");
            return null;
        }
    }
}
