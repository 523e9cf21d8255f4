using System.Text.Json;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using KubeRescue.Kube;

namespace KubeRescue.Tests.Kube;

/// <summary>The kubeconfig reader both builds use reads what the client's own (reflection-based) loader reads.</summary>
public sealed class KubeconfigFileTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("kube-rescue-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    string Write(string text)
    {
        var path = Path.Combine(_directory, "config");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Every field the client's model has, in the forms kubectl writes them.</summary>
    const string Full = """
        apiVersion: v1
        kind: Config
        current-context: admin@prod
        preferences: {}
        clusters:
        - name: prod
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority-data: LS0tLS1CRUdJTg==
            tls-server-name: kubernetes
            insecure-skip-tls-verify: false
            extensions:
            - name: client.authentication.k8s.io/exec
              extension: {audience: prod}
        - name: lab
          cluster: {server: "https://127.0.0.1:1234", certificate-authority: ca.crt, insecure-skip-tls-verify: true}
        contexts:
        - name: admin@prod
          context: {cluster: prod, user: admin, namespace: kube-system}
        - name: lab
          context: {cluster: lab, user: token}
        users:
        - name: admin
          user:
            client-certificate: certs/admin.crt
            client-key: certs/admin.key
            as: someone
            as-groups: [system:masters, ops]
            as-user-extra: {reason: rescue}
        - name: token
          user: {token: abc.def, username: u, password: p, client-certificate-data: Y2VydA==, client-key-data: a2V5}
        - name: oidc
          user:
            auth-provider:
              name: oidc
              config: {client-id: kube, idp-issuer-url: "https://issuer"}
        - name: eks
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: aws
              args: [eks, get-token, --cluster-name, prod]
              env: [{name: AWS_PROFILE, value: ops}]
              installHint: install the aws cli
              provideClusterInfo: true
        """;

    static string Json(K8SConfiguration config)
    {
        // Not read by either use: the client takes nothing from extensions or preferences.
        config.Preferences = null;
        config.Extensions = null;
        foreach (var c in config.Clusters) c.ClusterEndpoint.Extensions = null;
        return JsonSerializer.Serialize(config);
    }

    [Fact]
    public void Reads_every_field_the_client_s_loader_reads()
    {
        var path = Write(Full);
        var ours = KubeconfigFile.Load(path)!;
        Assert.Equal(Json(KubernetesClientConfiguration.LoadKubeConfig(path)), Json(ours));
        Assert.Equal(path, ours.FileName);
        Assert.Equal(["eks", "get-token", "--cluster-name", "prod"], ours.Users.Single(u => u.Name == "eks").UserCredentials.ExternalExecution.Arguments);

        // The client resolves a relative certificate path from the file's directory, as kubectl does.
        var e = Assert.Throws<FileNotFoundException>(() => KubernetesClientConfiguration.BuildConfigFromConfigObject(ours, "lab"));
        Assert.Equal(Path.Combine(_directory, "ca.crt"), e.FileName);
    }

    [Theory]
    [InlineData("clusters: {prod: {}}", "clusters is not a list")]
    [InlineData("users: [{name: a, user: {token: [1]}}]", "token is not a string")]
    [InlineData("clusters: [{name: a, cluster: {server: x, insecure-skip-tls-verify: maybe}}]", "insecure-skip-tls-verify is not true or false: maybe")]
    public void A_wrong_shape_is_a_kubeconfig_error(string text, string message)
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(Write(text)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_missing_file_an_empty_one_and_bad_yaml_are_told_apart()
    {
        var missing = Path.Combine(_directory, "missing");
        Assert.Equal($"kubeconfig file not found at {missing}", Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(missing)).Message);
        Assert.Null(KubeconfigFile.Load(Write("")));
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubeconfigFile.Load(Write("clusters: [unclosed\n")));
    }
}
