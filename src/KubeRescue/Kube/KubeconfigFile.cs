using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeRescue.Kube;

/// <summary>
/// A kubeconfig file (client-go's clientcmd v1 Config) read into the client's model, field by field, with YamlDotNet's
/// representation model. The client's own loader goes through <c>KubernetesYaml</c>, whose reflection fails in a
/// NativeAOT build; this one reads the same fields in both builds. Preferences and extensions are not read: the
/// client makes no use of them.
/// </summary>
public static class KubeconfigFile
{
    /// <summary>
    /// The file's configuration, its <see cref="K8SConfiguration.FileName"/> set so that relative certificate paths
    /// are taken from its directory, as kubectl takes them. A missing file or a wrong shape is a
    /// <see cref="KubeConfigException"/>, a syntax error a <see cref="YamlException"/>, an empty file null.
    /// </summary>
    public static K8SConfiguration? Load(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        var stream = new YamlStream();
        using (var reader = file.OpenText()) stream.Load(reader);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" }) return null;
        var root = Mapping(stream.Documents[0].RootNode, "the kubeconfig");
        return new K8SConfiguration
        {
            ApiVersion = String(root, "apiVersion"),
            Kind = String(root, "kind"),
            CurrentContext = String(root, "current-context"),
            Clusters = [.. Named(root, "clusters", "cluster", c => new Cluster { Name = String(c, "name"), ClusterEndpoint = Child(c, "cluster", ClusterEndpoint) })],
            Users = [.. Named(root, "users", "user", u => new User { Name = String(u, "name"), UserCredentials = Child(u, "user", UserCredentials) })],
            Contexts = [.. Named(root, "contexts", "context", c => new Context { Name = String(c, "name"), ContextDetails = Child(c, "context", ContextDetails) })],
            FileName = file.FullName,
        };
    }

    static ClusterEndpoint ClusterEndpoint(YamlMappingNode m) => new()
    {
        Server = String(m, "server"),
        CertificateAuthority = String(m, "certificate-authority"),
        CertificateAuthorityData = String(m, "certificate-authority-data"),
        TlsServerName = String(m, "tls-server-name"),
        SkipTlsVerify = Bool(m, "insecure-skip-tls-verify"),
    };

    static ContextDetails ContextDetails(YamlMappingNode m) => new()
    {
        Cluster = String(m, "cluster"),
        User = String(m, "user"),
        Namespace = String(m, "namespace"),
    };

    static UserCredentials UserCredentials(YamlMappingNode m) => new()
    {
        ClientCertificate = String(m, "client-certificate"),
        ClientCertificateData = String(m, "client-certificate-data"),
        ClientKey = String(m, "client-key"),
        ClientKeyData = String(m, "client-key-data"),
        Token = String(m, "token"),
        UserName = String(m, "username"),
        Password = String(m, "password"),
        Impersonate = String(m, "as"),
        ImpersonateGroups = Strings(m, "as-groups") ?? [],
        ImpersonateUserExtra = StringMap(m, "as-user-extra") ?? [],
        AuthProvider = Child(m, "auth-provider", a => new AuthProvider { Name = String(a, "name"), Config = StringMap(a, "config") }),
        ExternalExecution = Child(m, "exec", e => new ExternalExecution
        {
            ApiVersion = String(e, "apiVersion"),
            Command = String(e, "command"),
            Arguments = Strings(e, "args"),
            EnvironmentVariables = Value(e, "env") is { } env
                ? [.. Sequence(env, "exec env").Select(v => StringMap(Mapping(v, "an exec env entry")))]
                : null,
            InstallHint = String(e, "installHint"),
            ProvideClusterInfo = Bool(e, "provideClusterInfo"),
        }),
    };

    static YamlNode? Value(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is not YamlScalarNode { Value: null or "~" or "null" } ? value : null;

    static string? String(YamlMappingNode m, string key) => Value(m, key) switch
    {
        null => null,
        YamlScalarNode s => s.Value,
        var other => throw new KubeConfigException($"{key} is not a string (line {other.Start.Line})"),
    };

    /// <summary>A YAML 1.1 boolean, as kubectl's YAML reader takes one.</summary>
    static bool Bool(YamlMappingNode m, string key) => String(m, key) switch
    {
        null => false,
        "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "true" or "True" or "TRUE" => true,
        "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "false" or "False" or "FALSE" => false,
        var s => throw new KubeConfigException($"{key} is not true or false: {s}"),
    };

    static List<string>? Strings(YamlMappingNode m, string key) => Value(m, key) is { } node
        ? [.. Sequence(node, key).Select(n => n is YamlScalarNode { Value: { } s } ? s : throw new KubeConfigException($"an item of {key} is not a string (line {n.Start.Line})"))]
        : null;

    static Dictionary<string, string>? StringMap(YamlMappingNode m, string key) => Value(m, key) is { } node ? StringMap(Mapping(node, key)) : null;

    static Dictionary<string, string> StringMap(YamlMappingNode m) => m.Children.ToDictionary(
        kv => kv.Key is YamlScalarNode { Value: { } k } ? k : throw new KubeConfigException($"a key that is not a string (line {kv.Key.Start.Line})"),
        kv => kv.Value is YamlScalarNode { Value: { } v } ? v : throw new KubeConfigException($"the value of {kv.Key} is not a string (line {kv.Value.Start.Line})"));

    static T? Child<T>(YamlMappingNode m, string key, Func<YamlMappingNode, T> read) where T : class =>
        Value(m, key) is { } node ? read(Mapping(node, key)) : null;

    /// <summary>The entries of a named list (<c>clusters</c>, <c>users</c>, <c>contexts</c>): each a mapping with a name and its details.</summary>
    static IEnumerable<T> Named<T>(YamlMappingNode root, string key, string what, Func<YamlMappingNode, T> read) =>
        Value(root, key) is { } node ? Sequence(node, key).Select(n => read(Mapping(n, $"a {what} entry"))) : [];

    static YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw new KubeConfigException($"{what} is not a mapping (line {node.Start.Line})");

    static YamlSequenceNode Sequence(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw new KubeConfigException($"{what} is not a list (line {node.Start.Line})");
}
