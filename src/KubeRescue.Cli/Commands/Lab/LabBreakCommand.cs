using System.CommandLine;
using k8s;
using KubeRescue.Lab.Faults;

namespace KubeRescue.Cli.Commands.Lab;

/// <summary><c>kube-rescue lab break</c>: cause a fault in a running lab (or any cluster) through the API.</summary>
public static class LabBreakCommand
{
    sealed record Options(string Component, string? Kubeconfig, string? Context, TimeSpan Settle);

    public static Command Create()
    {
        var component = new Argument<string>("component") { Description = "What to break: scheduler, controller-manager or both." };
        component.AcceptOnlyFromAmong("scheduler", "controller-manager", "both");
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The lab's kubeconfig (default: $KUBECONFIG, then ~/.kube/config)." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use." };
        var settle = new Option<double>("--settle")
        {
            Description = "Seconds the component must stay without a running pod before the fault counts as done.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("break", """
            Break the control plane the way it breaks for real: delete every pod of the component, round after round,
            until none runs and none is left to place or recreate its successors. Afterwards the scheduler's
            replacements stay Pending with no node, and nothing recreates the controller-manager's pods.
            Everything goes through the API; the same can be done with kubectl.

            Examples:
              kube-rescue lab break scheduler --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab break both --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab break node worker-1 --crash --kubeconfig /tmp/lab.kubeconfig
            """)
        {
            component, kubeconfig, context, settle,
        };
        command.SetAction((result, ct) => RunAsync(new Options(result.GetValue(component)!, result.GetValue(kubeconfig), result.GetValue(context),
            TimeSpan.FromSeconds(result.GetValue(settle))), ct));
        command.Subcommands.Add(NodeCommand(kubeconfig, context));
        return command;
    }

    /// <summary><c>lab break node NAME [--crash] [--restore]</c>: flips the Node's fault annotation, which the lab's kubelets obey.</summary>
    static Command NodeCommand(Option<string?> kubeconfig, Option<string?> context)
    {
        var name = new Argument<string>("name") { Description = "The node." };
        var crash = new Option<bool>("--crash") { Description = "Crash the node: its containers die with the kubelet." };
        var restore = new Option<bool>("--restore") { Description = "Start the node's kubelet again." };
        var command = new Command("node", $"""
            Stop a node's kubelet (its containers keep running), or crash the node with --crash, by setting the Node's
            {KubeRescue.Lab.Nodes.KubeletFleet.FaultAnnotation} annotation, which the lab's kubelets obey; --restore starts it again.
            The node then goes NotReady/Unknown and its pods are evicted on schedule, as on a real cluster.

            Examples:
              kube-rescue lab break node worker-1 --kubeconfig /tmp/lab.kubeconfig
              kubectl annotate node worker-1 {KubeRescue.Lab.Nodes.KubeletFleet.FaultAnnotation}=crashed
            """)
        {
            name, crash, restore, kubeconfig, context,
        };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(crash) && result.GetValue(restore))
            {
                await Console.Error.WriteLineAsync("error: --crash and --restore exclude each other");
                return 2;
            }
            if (Connect(result.GetValue(kubeconfig), result.GetValue(context)) is not { } config) return 2;
            var node = result.GetValue(name)!;
            string? value = result.GetValue(restore) ? null : result.GetValue(crash) ? "crashed" : "stopped";
            var patch = new System.Text.Json.Nodes.JsonObject
            {
                ["metadata"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["annotations"] = new System.Text.Json.Nodes.JsonObject { [KubeRescue.Lab.Nodes.KubeletFleet.FaultAnnotation] = value },
                },
            };
            using var client = new Kubernetes(config);
            try
            {
                await client.CoreV1.PatchNodeAsync(new k8s.Models.V1Patch(patch.ToJsonString(), k8s.Models.V1Patch.PatchType.MergePatch), node, cancellationToken: ct);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                await Console.Error.WriteLineAsync($"error: node {node} does not exist");
                return 1;
            }
            Console.WriteLine(value is null ? $"node {node}: kubelet started again" : $"node {node}: kubelet {value}");
            return 0;
        });
        return command;
    }

    static KubernetesClientConfiguration? Connect(string? kubeconfig, string? context)
    {
        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"error: cannot use the kubeconfig: {e.Message}");
            return null;
        }
    }

    static async Task<int> RunAsync(Options o, CancellationToken ct)
    {
        if (o.Settle < TimeSpan.Zero || o.Settle > TimeSpan.FromMinutes(10))
        {
            await Console.Error.WriteLineAsync("error: --settle must be between 0 and 600 seconds");
            return 2;
        }
        if (Connect(o.Kubeconfig, o.Context) is not { } config) return 2;
        var apps = o.Component == "both" ? DeletePodsFault.Components.Values.ToList() : [DeletePodsFault.Components[o.Component]];
        using var client = new Kubernetes(config);
        try
        {
            var deleted = await DeletePodsFault.RunAsync(client, apps, TimeSpan.FromMilliseconds(500), o.Settle, Console.WriteLine, ct);
            Console.WriteLine($"{string.Join(" and ", apps)} broken: {deleted} pods deleted, none left running");
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
