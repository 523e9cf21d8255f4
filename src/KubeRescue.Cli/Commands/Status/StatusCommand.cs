using System.CommandLine;
using System.Net;
using k8s;
using k8s.Autorest;
using KubeRescue.Cli.Output;
using KubeRescue.Diagnosis;
using KubeRescue.Kube;

namespace KubeRescue.Cli.Commands.Status;

/// <summary><c>kube-rescue status</c>: diagnose the control plane; the exit code is the verdict.</summary>
public static class StatusCommand
{
    public const int ExitHealthy = 0;
    public const int ExitDegraded = 1;
    public const int ExitDown = 2;

    /// <summary>No diagnosis: the kubeconfig cannot be used, or the API server cannot be reached or refuses the reads.</summary>
    public const int ExitNoDiagnosis = 3;

    sealed record Options(string Format);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var output = OutputFormat.CreateOption();
        var command = new Command("status", """
            Diagnose the control plane: for kube-scheduler and kube-controller-manager a verdict (healthy, degraded or
            down) with its evidence: the workload's desired and reported counts beside what its pods say, each pod's
            phase, reason, restarts and node, the leader Lease (holder, time since renewal against its duration, and
            whether the holder is a live pod), pods Pending for want of a scheduler, ReplicaSets short of pods, and
            the next step to take. Also the API server's /livez and /readyz, the masters with readiness and taints,
            and the control-plane DaemonSets. Read-only, with targeted queries: it never lists every pod.

            Exit codes: 0 healthy, 1 degraded, 2 down (the worst of the components and the API server),
            3 no diagnosis (the kubeconfig cannot be used, the API server cannot be reached or refuses the reads).

            Examples:
              kube-rescue status
              kube-rescue status --kubeconfig /tmp/lab.kubeconfig
              kube-rescue status --context prod -o json | jq '.components[] | {name, verdict, nextStep}'
              kube-rescue status -o yaml
            """)
        {
            output,
        };
        cluster.AddTo(command);
        command.SetAction((result, ct) => RunAsync(cluster, result, new Options(result.GetValue(output)!), ct));
        return command;
    }

    static async Task<int> RunAsync(ClusterOptions cluster, ParseResult result, Options o, CancellationToken ct)
    {
        var config = cluster.Connect(result, Console.Error);
        if (config is null) return ExitNoDiagnosis;

        ControlPlaneStatus status;
        using (var client = cluster.CreateClient(result, config))
        {
            try
            {
                status = await ControlPlaneDiagnoser.DiagnoseAsync(client, ct);
            }
            catch (HttpOperationException e)
            {
                await Console.Error.WriteLineAsync($"error: {ApiErrors.Describe(e)} (server {config.Host}, {e.Request.Method} {e.Request.RequestUri?.PathAndQuery})");
                return ExitNoDiagnosis;
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"error: {ApiErrors.Describe(e, config.Host)}");
                return ExitNoDiagnosis;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"error: the API server at {config.Host} did not answer within {client.HttpClient.Timeout.TotalSeconds:0}s");
                return ExitNoDiagnosis;
            }
        }

        if (o.Format == OutputFormat.Table) StatusView.Write(Terminal.CreateConsole(Console.Out), status);
        else OutputFormat.WriteDocument(Console.Out, status, DocumentJson.Default.ControlPlaneStatus, o.Format);
        return ExitCode(status.Overall);
    }

    public static int ExitCode(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => ExitHealthy,
        Verdict.Degraded => ExitDegraded,
        _ => ExitDown,
    };
}
