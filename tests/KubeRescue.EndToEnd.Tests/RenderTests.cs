using k8s;
using k8s.Models;

namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>kube-rescue render</c> as an operator runs it: its YAML goes to the real kubectl, its errors to a person.</summary>
public class RenderTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    Task<ProcessResult> RenderAsync(params string[] args) => Processes.RunAsync(Processes.Cli(["render", .. args, "--kubeconfig", lab.Kubeconfig]));

    static V1Pod Pod(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.Output);
        return KubernetesYaml.Deserialize<V1Pod>(result.Stdout);
    }

    async Task<string[]> NodesRunningAsync(Kubectl kubectl, string app) =>
        (await kubectl.OkAsync(["get", "pods", "-n", "kube-system", "-l", $"k8s-app={app}", "-o", "jsonpath={.items[*].spec.nodeName}"]))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Json_output_is_the_same_pod_as_the_YAML()
    {
        var yaml = Pod(await RenderAsync("controller-manager"));
        var json = await RenderAsync("controller-manager", "-o", "json", "--verbose");
        Assert.True(json.ExitCode == 0, json.Output);
        Assert.True(Rbac.AssertAllowed(json.Stderr) > 0, json.Stderr);
        var pod = KubernetesJson.Deserialize<V1Pod>(json.Stdout);
        Assert.Equal(KubernetesJson.Serialize(yaml), KubernetesJson.Serialize(pod));
        Assert.DoesNotContain('\u001b', json.Output);
    }

    [Fact]
    public async Task The_rendered_scheduler_goes_through_kubectl_create_and_runs_on_a_master_without_a_scheduler()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var result = await RenderAsync("scheduler");
        var pod = Pod(result);
        var node = pod.Spec.NodeName;
        Assert.Matches("^master-[123]$", node);
        Assert.DoesNotContain(node, await NodesRunningAsync(kubectl, "kube-scheduler"));
        Assert.Contains($"rendered pod kube-system/kube-scheduler-rescue for node {node} from Deployment/kube-system/kube-scheduler (revision 1)", result.Stderr);

        Assert.Equal("pod/kube-scheduler-rescue created", (await kubectl.OkAsync("create -f -", result.Stdout)).Trim());
        try
        {
            await Wait.UntilAsync(async () => (await kubectl.RunAsync(["get", "pod", "kube-scheduler-rescue", "-n", "kube-system", "-o", "jsonpath={.spec.nodeName} {.status.phase} {.status.containerStatuses[0].ready}"])).Stdout == $"{node} Running true",
                TimeSpan.FromSeconds(60), $"the rescue pod running on {node}", Kubectl.PollInterval);
            // Nothing adopted it: no owner, and the Deployment's selector does not see it.
            Assert.Equal("", await kubectl.OkAsync(["get", "pod", "kube-scheduler-rescue", "-n", "kube-system", "-o", "jsonpath={.metadata.ownerReferences}"]));
            Assert.Equal("pod/kube-scheduler-rescue", (await kubectl.OkAsync("get pods -n kube-system -l kube-rescue.io/rescue=kube-scheduler -o name")).Trim());
        }
        finally
        {
            await kubectl.OkAsync("delete pod kube-scheduler-rescue -n kube-system");
        }
    }

    [Theory]
    [InlineData(2, "error: unknown component \"etcd\": choose scheduler (kube-scheduler) or controller-manager (kube-controller-manager)", "etcd")]
    [InlineData(1, "error: deployment kube-system/kube-scheduler has no revision 99: its revisions are 1", "scheduler", "--source", "revision=99")]
    [InlineData(1, "error: node \"master-9\" does not exist", "scheduler", "--node", "master-9")]
    [InlineData(2, "error: --source: \"revision=latest\" is not a rescue source; use one of: deployment, daemonset, mirror-pod, revision=N, last-good, file=PATH", "scheduler", "--source", "revision=latest")]
    [InlineData(1, "error: daemonset kube-system/kube-controller-manager does not exist; kube-controller-manager is there to render from with --source deployment", "controller-manager", "--source", "daemonset")]
    public async Task Bad_input_is_a_clear_error_and_creates_nothing(int exitCode, string message, params string[] args)
    {
        var result = await RenderAsync(args);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith(message, result.Stderr);
        Assert.Equal("", result.Stdout);
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        Assert.Equal("", (await kubectl.OkAsync("get pods -A -l kube-rescue.io/rescue -o name")).Trim());
    }

    [Fact]
    public async Task A_saved_List_as_the_Tectonic_page_prints_it_is_a_source()
    {
        var file = Path.Combine(lab.Directory, "kube-scheduler-rescue.yaml");
        await File.WriteAllTextAsync(file, """
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
                  name: kube-scheduler-rescue
                  resources: {}
                nodeName: node-of-another-day
                serviceAccountName: default
              status: {}
            kind: List
            metadata: {}
            """);
        var pod = Pod(await RenderAsync("scheduler", "--source", $"file={file}"));
        Assert.Equal($"file {file}: Pod/kube-system/kube-scheduler-rescue", pod.Metadata.Annotations["kube-rescue.io/source"]);
        Assert.Equal(new Dictionary<string, string> { ["kube-rescue.io/rescue"] = "kube-scheduler" }, pod.Metadata.Labels);
        Assert.Matches("^master-[123]$", pod.Spec.NodeName);
        Assert.Equal(["./hyperkube", "scheduler", "--leader-elect=true"], pod.Spec.Containers[0].Command);
    }

    [Fact]
    public async Task A_node_that_is_no_master_is_the_operator_s_choice_with_a_warning()
    {
        var result = await RenderAsync("controller-manager", "--node", "worker-2");
        Assert.Equal("worker-2", Pod(result).Spec.NodeName);
        Assert.Contains("warning: node worker-2 is not a master (no node-role.kubernetes.io/master or node-role.kubernetes.io/control-plane label)", result.Stderr);
    }

    [Fact]
    public async Task Help_shows_the_sources_and_examples()
    {
        var result = await Processes.RunAsync(Processes.Cli("render", "--help"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("last-good", result.Stdout);
        Assert.Contains("kube-rescue render scheduler | kubectl create -f -", result.Stdout);
    }
}
