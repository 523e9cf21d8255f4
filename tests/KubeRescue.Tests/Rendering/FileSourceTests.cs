using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Rendering;

/// <summary><c>--source file=PATH</c>: the forms operators save manifests in.</summary>
public sealed class FileSourceTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("kube-rescue-source-").FullName;

    // A file source never reads the cluster: a client for an address nobody serves proves it.
    readonly k8s.Kubernetes _client = new(new KubernetesClientConfiguration { Host = "https://127.0.0.1:9" });

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    string Write(string text, string name = "source.yaml")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    Task<RescueSource> ResolveAsync(string path, ControlPlaneComponent? component = null) =>
        RescueSources.ResolveAsync(_client, component ?? ControlPlaneComponent.Scheduler, new RescueSourceSpec.FromFile(path), CancellationToken.None);

    static V1Node Master => new() { Metadata = new V1ObjectMeta { Name = "master-3" } };

    /// <summary>The shape the Tectonic procedure's jq and kubectl convert print: a v1 List holding the pod.</summary>
    const string TectonicList = """
        apiVersion: v1
        items:
        - apiVersion: v1
          kind: Pod
          metadata:
            creationTimestamp: null
            name: kube-scheduler-rescue
            namespace: kube-system
          spec:
            containers:
            - command:
              - ./hyperkube
              - scheduler
              - --leader-elect=true
              image: quay.io/coreos/hyperkube:v1.8.4_coreos.0
              imagePullPolicy: IfNotPresent
              name: kube-scheduler-rescue
              resources: {}
            nodeName: master-1
            serviceAccount: default
            serviceAccountName: default
          status: {}
        kind: List
        metadata: {}
        """;

    [Fact]
    public async Task The_Tectonic_List_form_gives_its_pod_re_pinned_to_the_chosen_node()
    {
        var path = Write(TectonicList);
        var source = await ResolveAsync(path);
        Assert.Equal($"file {path}: Pod/kube-system/kube-scheduler-rescue", source.Description);
        Assert.Null(source.Revision);
        Assert.Null(source.Template.Spec.NodeName);
        Assert.Equal(["./hyperkube", "scheduler", "--leader-elect=true"], Assert.Single(source.Template.Spec.Containers).Command);

        var pod = RescuePodRenderer.Render(ControlPlaneComponent.Scheduler, source, Master);
        Assert.Equal("master-3", pod.Spec.NodeName);
        Assert.Equal(source.Description, pod.Metadata.Annotations[RescueMetadata.SourceAnnotation]);
    }

    [Fact]
    public async Task A_kubectl_json_list_of_deployments_gives_the_component_s_one_with_its_revision()
    {
        // kubectl get deploy -n kube-system -o json: a List whose items carry kind; and a typed list whose items do not.
        static JsonObject Deployment(string name, string revision, bool withKind)
        {
            var labels = new JsonObject { ["k8s-app"] = name };
            var deployment = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system", ["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = revision } },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = 2,
                    ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                        ["spec"] = JsonNode.Parse("""{"containers": [{"name": "NAME", "image": "hyperkube", "resources": {"requests": {"cpu": "100m"}}, "ports": [{"containerPort": 10251}]}]}""".Replace("NAME", name)),
                    },
                },
            };
            if (withKind) (deployment["apiVersion"], deployment["kind"]) = ("apps/v1", "Deployment");
            return deployment;
        }
        static string ListOf(string apiVersion, string kind, params JsonObject[] items) =>
            new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["items"] = new JsonArray(items) }.ToJsonString();

        var list = Write(ListOf("v1", "List", Deployment("kube-controller-manager", "7", true), Deployment("kube-scheduler", "3", true)), "list.json");
        var typed = Write(ListOf("apps/v1", "DeploymentList", Deployment("kube-scheduler", "5", false)), "typed.json");

        var source = await ResolveAsync(list);
        Assert.Equal($"file {list}: Deployment/kube-system/kube-scheduler", source.Description);
        Assert.Equal("3", source.Revision);
        var container = Assert.Single(source.Template.Spec.Containers);
        Assert.Equal("100m", container.Resources.Requests["cpu"].ToString());
        Assert.Equal(10251, container.Ports[0].ContainerPort);
        Assert.Equal("kube-controller-manager", (await ResolveAsync(list, ControlPlaneComponent.ControllerManager)).Template.Spec.Containers[0].Name);
        Assert.Equal("5", (await ResolveAsync(typed)).Revision);
    }

    [Fact]
    public async Task A_Talos_DaemonSet_gives_its_template_and_generation()
    {
        var path = Write("""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: kube-scheduler
              namespace: kube-system
              generation: 6
              labels: {k8s-app: kube-scheduler, tier: control-plane}
            spec:
              selector:
                matchLabels: {k8s-app: kube-scheduler, tier: control-plane}
              template:
                metadata:
                  labels: {k8s-app: kube-scheduler, tier: control-plane}
                spec:
                  hostNetwork: true
                  nodeSelector: {node-role.kubernetes.io/master: ""}
                  containers:
                  - name: kube-scheduler
                    image: k8s.gcr.io/hyperkube:v1.19.4
                    command: [./hyperkube, kube-scheduler, --leader-elect=true]
            """);
        var source = await ResolveAsync(path);
        Assert.Equal(($"file {path}: DaemonSet/kube-system/kube-scheduler", "6"), (source.Description, source.Revision));
        var pod = RescuePodRenderer.Render(ControlPlaneComponent.Scheduler, source, Master);
        Assert.True(pod.Spec.HostNetwork);
        Assert.Null(pod.Spec.NodeSelector);
    }

    [Fact]
    public async Task A_kubeadm_mirror_pod_loses_its_node_status_and_kubelet_annotations()
    {
        var path = Write("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: kube-scheduler-cp-1
              namespace: kube-system
              uid: 5e7c
              annotations:
                kubernetes.io/config.hash: 0c2f
                kubernetes.io/config.mirror: 0c2f
                kubernetes.io/config.seen: "2026-11-27T08:00:00.000000000Z"
                kubernetes.io/config.source: file
                example.com/keep: "yes"
              labels: {component: kube-scheduler, tier: control-plane}
              ownerReferences:
              - {apiVersion: v1, kind: Node, name: cp-1, uid: 11aa, controller: true}
            spec:
              nodeName: cp-1
              hostNetwork: true
              priority: 2000001000
              priorityClassName: system-node-critical
              containers:
              - name: kube-scheduler
                image: registry.k8s.io/kube-scheduler:v1.33.0
                command: [kube-scheduler, --kubeconfig=/etc/kubernetes/scheduler.conf, --leader-elect=true]
                volumeMounts: [{name: kubeconfig, mountPath: /etc/kubernetes/scheduler.conf, readOnly: true}]
              tolerations: [{operator: Exists, effect: NoExecute}]
              volumes: [{name: kubeconfig, hostPath: {path: /etc/kubernetes/scheduler.conf, type: FileOrCreate}}]
            status:
              phase: Running
            """);
        var source = await ResolveAsync(path);
        Assert.Null(source.Template.Spec.NodeName);
        Assert.Equal(new Dictionary<string, string> { ["example.com/keep"] = "yes" }, source.Template.Metadata.Annotations);

        var pod = RescuePodRenderer.Render(ControlPlaneComponent.Scheduler, source, new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "cp-2" },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "node.kubernetes.io/not-ready", Effect = "NoExecute" }] },
        });
        Assert.Equal("cp-2", pod.Spec.NodeName);
        Assert.Null(pod.Spec.Priority);
        Assert.Equal("system-node-critical", pod.Spec.PriorityClassName);
        // The static pod's Exists toleration already covers the node's NoExecute taint.
        Assert.Single(pod.Spec.Tolerations);
        Assert.Equal("FileOrCreate", pod.Spec.Volumes[0].HostPath.Type);
        Assert.Null(pod.Metadata.OwnerReferences);
        Assert.DoesNotContain(pod.Metadata.Annotations.Keys, k => k.StartsWith("kubernetes.io/config.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Several_documents_are_read_and_a_workload_is_preferred_to_a_pod_of_it()
    {
        var path = Write("""
            apiVersion: v1
            kind: Service
            metadata: {name: kube-scheduler, namespace: kube-system}
            spec: {ports: [{port: 10251}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: kube-scheduler-7d9f-abcde, namespace: kube-system, labels: {k8s-app: kube-scheduler}}
            spec: {containers: [{name: from-the-pod, image: hyperkube}]}
            ---
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: kube-scheduler-7d9f, namespace: kube-system, annotations: {deployment.kubernetes.io/revision: "2"}}
            spec:
              selector: {matchLabels: {k8s-app: kube-scheduler}}
              template:
                metadata: {labels: {k8s-app: kube-scheduler}}
                spec: {containers: [{name: from-the-replicaset, image: hyperkube}]}
            """);
        var source = await ResolveAsync(path);
        Assert.Equal("from-the-replicaset", source.Template.Spec.Containers[0].Name);
        Assert.Equal("2", source.Revision);
    }

    [Fact]
    public async Task A_PodTemplate_is_a_source_too()
    {
        var source = await ResolveAsync(Write("""
            apiVersion: v1
            kind: PodTemplate
            metadata: {name: kube-scheduler, namespace: kube-system}
            template:
              spec: {containers: [{name: kube-scheduler, image: hyperkube}]}
            """));
        Assert.Equal("kube-scheduler", source.Template.Spec.Containers[0].Name);
    }

    [Fact]
    public async Task Scalars_read_as_kubectl_reads_them_a_leading_zero_octal_and_quotes_keeping_strings()
    {
        var source = await ResolveAsync(Write("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: kube-scheduler-x
              namespace: kube-system
              annotations: {build: "0644", on-call: "yes", note: !!str 12, hex: '0x1F'}
            spec:
              containers:
              - name: kube-scheduler
                image: hyperkube
                resources: {requests: {cpu: 1, memory: 128Mi}, limits: {cpu: 0.5}}
                ports: [{containerPort: 1_0251}]
                livenessProbe: {httpGet: {port: 10251, path: /healthz}}
                readinessProbe: {httpGet: {port: metrics}}
              volumes:
              - name: kubeconfig
                secret: {secretName: scheduler, defaultMode: 0644}
              - name: hex
                configMap: {name: x, defaultMode: 0x1a4}
              terminationGracePeriodSeconds: ~
            """));
        Assert.Equal(new Dictionary<string, string> { ["build"] = "0644", ["on-call"] = "yes", ["note"] = "12", ["hex"] = "0x1F" }, source.Template.Metadata.Annotations);
        var spec = source.Template.Spec;
        Assert.Equal(420, spec.Volumes[0].Secret.DefaultMode);
        Assert.Equal(420, spec.Volumes[1].ConfigMap.DefaultMode);
        Assert.Null(spec.TerminationGracePeriodSeconds);
        var container = spec.Containers[0];
        Assert.Equal(("1", "128Mi", "500m"), (container.Resources.Requests["cpu"].ToString(), container.Resources.Requests["memory"].ToString(), container.Resources.Limits["cpu"].ToString()));
        Assert.Equal(10251, container.Ports[0].ContainerPort);
        Assert.Equal(("10251", "metrics"), (container.LivenessProbe.HttpGet.Port.Value, container.ReadinessProbe.HttpGet.Port.Value));
    }

    [Theory]
    // kubectl's YAML is 1.1: an unquoted yes is a boolean, and a boolean or a number is no string for an annotation.
    [InlineData("metadata: {name: kube-scheduler, annotations: {on-call: yes}}")]
    [InlineData("metadata: {name: kube-scheduler, labels: {version: 2}}")]
    [InlineData("metadata: {name: kube-scheduler}\nspec: {containers: [{name: a, ports: [{containerPort: http}]}]}")]
    public async Task A_value_kubectl_would_refuse_for_its_type_is_a_clear_error(string pod)
    {
        var e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(Write("apiVersion: v1\nkind: Pod\n" + pod + "\n")));
        Assert.Contains("a Pod in the source file", e.Message);
        Assert.Contains("does not read as one", e.Message);
    }

    [Theory]
    [InlineData("", "holds no objects")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-scheduler}\n", "holds ConfigMap/kube-scheduler: a rescue pod is rendered from a Deployment, DaemonSet, ReplicaSet, PodTemplate, Pod")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kube-dns}\nspec: {template: {spec: {containers: [{name: a}]}}}\n", "holds nothing of kube-scheduler")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kube-scheduler}\nspec: {replicas: 1}\n", "Deployment/kube-scheduler in")]
    [InlineData("kind: Deployment\nmetadata: {name: kube-scheduler\n", "is not YAML or JSON")]
    [InlineData("- a\n- b\n", "a document that is not an object")]
    [InlineData("metadata: {name: kube-scheduler}\n", "has no kind")]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: kube-scheduler}\nspec: {replicas: [1, 2]}\n", "does not read as one")]
    [InlineData("apiVersion: v1\nkind: List\nitems: {a: b}\n", "items that are not a list")]
    public async Task A_file_that_holds_no_usable_template_is_a_clear_error(string text, string message)
    {
        var e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(Write(text)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task A_missing_file_is_a_clear_error()
    {
        var missing = Path.Combine(_directory, "nope.yaml");
        var e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync(missing));
        Assert.Contains($"cannot read the source file {missing}", e.Message);
    }
}
