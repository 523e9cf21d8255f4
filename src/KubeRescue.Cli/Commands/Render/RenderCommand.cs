using System.CommandLine;
using System.Text.Json.Nodes;
using KubeRescue.Cli.Output;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Placement;
using KubeRescue.Rendering;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Cli.Commands.Render;

/// <summary><c>kube-rescue render</c>: print the rescue pod as YAML. Reads the cluster, never writes to it.</summary>
public static class RenderCommand
{
    public static Command Create(Streams streams)
    {
        var component = new Argument<string>("component") { Description = "The component to stand in for: scheduler or controller-manager." };
        component.CompletionSources.Add([.. ControlPlaneComponent.All.Select(c => c.Key)]);
        var node = new Option<string?>("--node") { Description = "The node to pin the pod to (default: the best master: Ready, the pod fits, no live replica)." };
        var source = new Option<string?>("--source")
        {
            Description = $"What to render from: {RescueSourceSpec.Forms} (default: deployment).",
        };
        source.CompletionSources.Add([.. RescueSourceSpec.Completions]);
        // The manifest itself is the output: YAML by default, as kubectl prints one, or JSON.
        var output = new Option<string>("--output", "-o") { Description = "yaml (default) or json.", DefaultValueFactory = _ => OutputFormat.Yaml };
        output.AcceptOnlyFromAmong(OutputFormat.Yaml, OutputFormat.Json);
        var cluster = new ClusterOptions();
        var command = new Command("render", $"""
            Print the rescue pod for a component as YAML, ready for `kubectl create -f -`: the source's pod template as
            a bare Pod named <component>-rescue, pinned to a master with spec.nodeName, service account default, no
            nodeSelector or required node affinity, none of the workload's labels (label {RescueMetadata.ComponentLabel}
            instead), tolerating the node's NoExecute taints, annotated with its source and revision.

            Sources (--source):
              deployment    the Deployment's template (default), as the Tectonic procedure copies it
              daemonset     the DaemonSet's template (Talos)
              mirror-pod    a kubeadm static pod, from its mirror pod
              revision=N    the Deployment's ReplicaSet of revision N (after a bad rollout)
              last-good     the newest revision whose pods worked, on the evidence in the API (docs/render.md)
              file=PATH     a saved manifest: Deployment, DaemonSet, ReplicaSet, Pod, PodTemplate, or a List of them

            Without --node the first master that fits is taken; an error lists each master's reasons if none does.
            A --node the pod does not fit is used anyway, with a warning (the operator decided).

            Examples:
              kube-rescue render scheduler
              kube-rescue render scheduler | kubectl create -f -
              kube-rescue render controller-manager --source last-good --node master-2
              kube-rescue render scheduler --source file=kube-scheduler-rescue.yaml
              kube-rescue render scheduler -o json | jq .spec.nodeName
            """)
        {
            component, node, source, output,
        };
        cluster.AddTo(command);
        Verb.SetAction(command, streams, result =>
            new Options(result.GetValue(component)!, result.GetValue(node), result.GetValue(source), result.GetValue(output)!, cluster.Bind(result)));
        return command;
    }

    sealed record Options(string Component, string? Node, string? Source, string Format, ClusterFlags Cluster) : IVerbOptions
    {
        RescueSourceSpec Spec => Source is null ? RescueSourceSpec.Default : RescueSourceSpec.Parse(Source);

        public string? Validate()
        {
            if (ControlPlaneComponent.Find(Component) is null)
                return $"unknown component \"{Component}\": choose {string.Join(" or ", ControlPlaneComponent.All.Select(c => $"{c.Key} ({c.Name})"))}";
            if (Verb.FormatError(() => Spec) is { } source) return $"--source: {source}";
            if (Node is not null && string.IsNullOrWhiteSpace(Node)) return "--node needs a node name";
            return null;
        }

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            var error = streams.Error;
            if (Cluster.Connect(error) is not { } config) return 2;
            var component = ControlPlaneComponent.Find(Component)!;

            using var client = Cluster.CreateClient(config, error);
            try
            {
                var source = await RescueSources.ResolveAsync(client, component, Spec, ct);
                if (source.Detail is { } detail) await error.WriteLineAsync($"source: {detail}");
                var pod = Node is null ? await OnBestMasterAsync(client, component, source, streams, ct) : await OnNodeAsync(client, component, source, Node, streams, ct);
                if (pod is null) return 1;
                await error.WriteLineAsync($"rendered pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} for node {pod.Spec.NodeName} from {source.Description}"
                    + (source.Revision is { } revision ? $" (revision {revision})" : ""));
                var manifest = JsonNode.Parse(KubernetesJson.Serialize(pod));
                await streams.Out.WriteAsync(Format == OutputFormat.Json ? manifest!.ToJsonString(DocumentJson.Default.Options) + "\n" : YamlEmitter.Emit(manifest));
                return 0;
            }
            catch (RescueSourceException e)
            {
                return streams.Fail(1, e.Message);
            }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
            {
                // As every command words it: a 403 names the rule it lacked, a transport failure the server.
                return streams.Fail(1, ApiErrors.Describe(e, config.Host));
            }
        }
    }

    /// <summary>The first master that fits; null (after saying why) when none does.</summary>
    static async Task<V1Pod?> OnBestMasterAsync(IKubernetes client, ControlPlaneComponent component, RescueSource source, Streams streams, CancellationToken ct)
    {
        var ranked = await MasterPlacement.RankAsync(client, component, RescuePodRenderer.Draft(component, source), ct);
        if (ranked.Count == 0)
        {
            streams.Fail(1, $"no master nodes: none is labelled {MasterPlacement.MasterLabel} or {MasterPlacement.ControlPlaneLabel}; name a node with --node");
            return null;
        }
        if (ranked[0] is not { Fits: true } best)
        {
            streams.Fail(1, "the pod fits no master:\n" + string.Join("\n", ranked.Select(c => $"  {c.Name}: {string.Join("; ", c.Reasons)}"))
                + "\nname a node with --node to render it anyway");
            return null;
        }
        foreach (var remark in best.Remarks) await streams.Error.WriteLineAsync($"note: {best.Name}: {remark}");
        if (best.HasLiveReplica) await streams.Error.WriteLineAsync($"note: every master that fits already runs a {component.Name} pod; {best.Name} does too");
        return RescuePodRenderer.Render(component, source, best.Node);
    }

    /// <summary>The pod on the operator's node, with a warning for each reason its kubelet would refuse it; null (after saying so) when there is no such node.</summary>
    static async Task<V1Pod?> OnNodeAsync(IKubernetes client, ControlPlaneComponent component, RescueSource source, string name, Streams streams, CancellationToken ct)
    {
        V1Node node;
        try
        {
            node = await client.CoreV1.ReadNodeAsync(name, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            streams.Fail(1, $"node \"{name}\" does not exist");
            return null;
        }
        var pod = RescuePodRenderer.Render(component, source, node);
        var judged = await MasterPlacement.EvaluateAsync(client, component, pod, node, ct);
        var error = streams.Error;
        if (!MasterPlacement.IsMaster(node))
            await error.WriteLineAsync($"warning: node {name} is not a master (no {MasterPlacement.MasterLabel} or {MasterPlacement.ControlPlaneLabel} label)");
        foreach (var reason in judged.Reasons) await error.WriteLineAsync($"warning: the kubelet on {name} is expected to refuse the pod: {reason}");
        foreach (var remark in judged.Remarks) await error.WriteLineAsync($"note: {name}: {remark}");
        if (judged.HasLiveReplica) await error.WriteLineAsync($"note: {name} already runs a {component.Name} pod");
        return pod;
    }
}
