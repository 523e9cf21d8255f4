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
            """)
        {
            component, kubeconfig, context, settle,
        };
        command.SetAction((result, ct) => RunAsync(new Options(result.GetValue(component)!, result.GetValue(kubeconfig), result.GetValue(context),
            TimeSpan.FromSeconds(result.GetValue(settle))), ct));
        return command;
    }

    static async Task<int> RunAsync(Options o, CancellationToken ct)
    {
        if (o.Settle < TimeSpan.Zero || o.Settle > TimeSpan.FromMinutes(10))
        {
            await Console.Error.WriteLineAsync("error: --settle must be between 0 and 600 seconds");
            return 2;
        }
        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(o.Kubeconfig, o.Context);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync($"error: cannot use the kubeconfig: {e.Message}");
            return 2;
        }
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
