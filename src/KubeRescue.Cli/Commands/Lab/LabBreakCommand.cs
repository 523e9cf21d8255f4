using System.CommandLine;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.Faults;
using k8s;

namespace KubeRescue.Cli.Commands.Lab;

/// <summary><c>kube-rescue lab break</c>: cause a fault in a running lab (or any cluster) through the API.</summary>
public static class LabBreakCommand
{
    public static Command Create(Streams streams)
    {
        var component = new Argument<string>("component") { Description = "What to break: scheduler, controller-manager or both." };
        component.AcceptOnlyFromAmong("scheduler", "controller-manager", "both");
        var cluster = new ClusterOptions();
        var mode = new Option<string>("--mode")
        {
            Description = "How it breaks: delete-pods (every pod deleted), bad-flag (a flag the binary rejects rolled out, old pods gone), node-crash (its instance on --node crash-loops).",
            DefaultValueFactory = _ => "delete-pods",
        };
        mode.AcceptOnlyFromAmong("delete-pods", "bad-flag", "node-crash");
        var node = new Option<string?>("--node") { Description = "With --mode node-crash: the node whose instance crashes." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the bad revision's or the node's instance to crash.",
            DefaultValueFactory = _ => 180,
        };
        var settle = new Option<double>("--settle")
        {
            Description = "Seconds the component must stay without a running pod before the fault counts as done.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("break", $"""
            Break the control plane the way it breaks for real, through the API (kubectl could do the same):
              delete-pods  delete every pod of the component, round after round, until none runs and none is left to
                           place or recreate its successors: the scheduler's replacements stay Pending with no node,
                           nothing recreates the controller-manager's pods.
              bad-flag     roll the Deployment out with {BadFlagFault.Flag}, which the binary rejects: the new
                           revision crash-loops, then the old revision's pods go as a reboot of the masters would
                           take them. The Deployment's template is now bad; only the last good revision heals it.
              node-crash   make the component crash on --node (annotation {KubeRescue.Lab.Components.Nodes.KubeletFleet.CrashAnnotation}), while
                           the other masters run it fine. Undo with: lab break node NAME --restore

            Examples:
              kube-rescue lab break scheduler --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab break both --mode bad-flag --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab break controller-manager --mode node-crash --node master-1 --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab break node worker-1 --crash --kubeconfig /tmp/lab.kubeconfig
            """)
        {
            component, mode, node, settle, timeout,
        };
        cluster.AddTo(command);
        Verb.SetAction(command, streams, result => new Options(result.GetValue(component)!, result.GetValue(mode)!, result.GetValue(node),
            TimeSpan.FromSeconds(result.GetValue(settle)), TimeSpan.FromSeconds(result.GetValue(timeout)), cluster.Bind(result)));
        command.Subcommands.Add(NodeCommand(streams));
        command.Subcommands.Add(ApiCommand(streams));
        return command;
    }

    sealed record Options(string Component, string Mode, string? Node, TimeSpan Settle, TimeSpan Timeout, ClusterFlags Cluster) : IVerbOptions
    {
        public string? Validate()
        {
            if (Settle < TimeSpan.Zero || Settle > TimeSpan.FromMinutes(10)) return "--settle must be between 0 and 600 seconds";
            if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromHours(1)) return "--timeout must be between 0 and 3600 seconds";
            if (Mode == "node-crash" && string.IsNullOrEmpty(Node)) return "--mode node-crash needs --node NAME";
            if (Mode != "node-crash" && Node is not null) return "--node goes only with --mode node-crash";
            return null;
        }

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            if (Cluster.Connect(streams.Error) is not { } config) return 2;
            var apps = Component == "both" ? DeletePodsFault.Components.Values.ToList() : [DeletePodsFault.Components[Component]];
            var poll = TimeSpan.FromMilliseconds(500);
            var what = string.Join(" and ", apps);
            Action<string> say = streams.Out.WriteLine;
            using var client = Cluster.CreateClient(config, streams.Error);
            try
            {
                switch (Mode)
                {
                    case "bad-flag":
                        var old = await BadFlagFault.RunAsync(client, apps, poll, Settle, Timeout, say, ct);
                        say($"{what} broken: a bad flag rolled out, {old} pods of the old revision deleted");
                        break;
                    case "node-crash":
                        await NodeCrashFault.RunAsync(client, Node!, apps, poll, Timeout, say, ct);
                        say($"{what} broken on {Node}: it crashes there, other nodes run it");
                        break;
                    default:
                        var deleted = await DeletePodsFault.RunAsync(client, apps, poll, Settle, say, ct);
                        say($"{what} broken: {deleted} pods deleted, none left running");
                        break;
                }
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or TimeoutException or ArgumentException)
            {
                return streams.Fail(1, e.Message);
            }
        }
    }

    /// <summary><c>lab break node NAME [--crash] [--restore]</c>: flips the Node's fault annotation, which the lab's kubelets obey.</summary>
    static Command NodeCommand(Streams streams)
    {
        var cluster = new ClusterOptions();
        var name = new Argument<string>("name") { Description = "The node." };
        var crash = new Option<bool>("--crash") { Description = "Crash the node: its containers die with the kubelet." };
        var restore = new Option<bool>("--restore") { Description = "Start the node's kubelet again." };
        var command = new Command("node", $"""
            Stop a node's kubelet (its containers keep running), or crash the node with --crash, by setting the Node's
            {KubeRescue.Lab.Components.Nodes.KubeletFleet.FaultAnnotation} annotation, which the lab's kubelets obey; --restore starts it again
            (and ends a node-crash fault on that node).
            The node then goes NotReady/Unknown and its pods are evicted on schedule, as on a real cluster.

            Examples:
              kube-rescue lab break node worker-1 --kubeconfig /tmp/lab.kubeconfig
              kubectl annotate node worker-1 {KubeRescue.Lab.Components.Nodes.KubeletFleet.FaultAnnotation}=crashed
            """)
        {
            name, crash, restore,
        };
        cluster.AddTo(command);
        Verb.SetAction(command, streams, result => new NodeOptions(result.GetValue(name)!, result.GetValue(crash), result.GetValue(restore), cluster.Bind(result)));
        return command;
    }

    sealed record NodeOptions(string Name, bool Crash, bool Restore, ClusterFlags Cluster) : IVerbOptions
    {
        public string? Validate() => Crash && Restore ? "--crash and --restore exclude each other" : null;

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            if (Cluster.Connect(streams.Error) is not { } config) return 2;
            string? value = Restore ? null : Crash ? "crashed" : "stopped";
            var annotations = new System.Text.Json.Nodes.JsonObject { [KubeRescue.Lab.Components.Nodes.KubeletFleet.FaultAnnotation] = value };
            // --restore mends the node entirely: its components' crash fault goes too.
            if (value is null) annotations[KubeRescue.Lab.Components.Nodes.KubeletFleet.CrashAnnotation] = null;
            var patch = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["annotations"] = annotations } };
            using var client = Cluster.CreateClient(config, streams.Error);
            try
            {
                await client.CoreV1.PatchNodeAsync(new k8s.Models.V1Patch(patch.ToJsonString(), k8s.Models.V1Patch.PatchType.MergePatch), Name, cancellationToken: ct);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return streams.Fail(1, $"node {Name} does not exist");
            }
            streams.Out.WriteLine(value is null ? $"node {Name}: kubelet started again" : $"node {Name}: kubelet {value}");
            return 0;
        }
    }

    /// <summary><c>lab break api FAULTS|none</c>: the lab API server's faults for clients, through the ConfigMap it follows.</summary>
    static Command ApiCommand(Streams streams)
    {
        var cluster = new ClusterOptions();
        var spec = new Argument<string>("faults") { Description = "error-rate=F,reset-rate=F,latency=D,watch-drop=D; or none, which ends them." };
        var command = new Command("api", $"""
            Make the lab's API server flaky for its clients (kube-rescue, kubectl; never the lab's own components), or
            mend it with none, by writing the ConfigMap {FaultInjector.Namespace}/{FaultInjector.ConfigMapName}, which the server
            follows (requests for that ConfigMap are never faulted, so it can always be mended):
              error-rate  the fraction of requests answered 429 (with Retry-After), 500 or 503, in equal parts
              reset-rate  the fraction of requests whose connection is reset instead of answered
              latency     the time every request waits before it is served
              watch-drop  watches are cut after about this long (each between half and one and a half of it)

            Examples:
              kube-rescue lab break api error-rate=0.1,latency=200ms,watch-drop=30s --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab break api none --kubeconfig /tmp/lab.kubeconfig
              kubectl -n {FaultInjector.Namespace} create configmap {FaultInjector.ConfigMapName} --from-literal={FaultInjector.DataKey}=error-rate=0.1
            """)
        {
            spec,
        };
        cluster.AddTo(command);
        Verb.SetAction(command, streams, result => new ApiOptions(result.GetValue(spec)!, cluster.Bind(result)));
        return command;
    }

    sealed record ApiOptions(string FaultSpec, ClusterFlags Cluster) : IVerbOptions
    {
        ApiFaults Faults => ApiFaults.Parse(FaultSpec);

        public string? Validate() => Verb.FormatError(() => Faults);

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            if (Cluster.Connect(streams.Error) is not { } config) return 2;
            var faults = Faults;
            using var client = Cluster.CreateClient(config, streams.Error);
            try
            {
                await SetApiFaultsAsync(client, faults, ct);
                streams.Out.WriteLine($"API faults: {faults}");
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
            {
                return streams.Fail(1, e.Message);
            }
        }
    }

    static async Task SetApiFaultsAsync(k8s.Kubernetes client, ApiFaults faults, CancellationToken ct)
    {
        const string ns = FaultInjector.Namespace, name = FaultInjector.ConfigMapName;
        static bool Is(k8s.Autorest.HttpOperationException e, System.Net.HttpStatusCode code) => e.Response.StatusCode == code;
        if (!faults.Any)
        {
            try
            {
                await client.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, cancellationToken: ct);
            }
            catch (k8s.Autorest.HttpOperationException e) when (Is(e, System.Net.HttpStatusCode.NotFound))
            {
            }
            return;
        }
        var configMap = new k8s.Models.V1ConfigMap
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = new Dictionary<string, string> { [FaultInjector.DataKey] = faults.ToString() },
        };
        try
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: ct);
        }
        catch (k8s.Autorest.HttpOperationException e) when (Is(e, System.Net.HttpStatusCode.Conflict))
        {
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, name, ns, cancellationToken: ct);
        }
    }
}
