using System.CommandLine;
using System.Net;
using KubeRescue.Cli.Output;
using KubeRescue.Diagnosis;
using KubeRescue.Kubernetes.Client;
using k8s.Autorest;
using k8s;

namespace KubeRescue.Cli.Commands.Status;

/// <summary><c>kube-rescue status</c>: diagnose the control plane; the exit code is the verdict.</summary>
public static class StatusCommand
{
    public const int ExitHealthy = 0;
    public const int ExitDegraded = 1;
    public const int ExitDown = 2;

    /// <summary>No diagnosis: the kubeconfig cannot be used, or the API server cannot be reached or refuses the reads.</summary>
    public const int ExitNoDiagnosis = 3;

    public static Command Create(Streams streams)
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
        Verb.SetAction(command, streams, result => new Options(cluster.Bind(result), result.GetValue(output)!));
        return command;
    }

    sealed record Options(ClusterFlags Cluster, string Format) : IVerbOptions
    {
        // -o is one System.CommandLine accepted; all else is the cluster's to answer.
        public string? Validate() => null;

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            var config = Cluster.Connect(streams.Error);
            if (config is null) return ExitNoDiagnosis;

            ControlPlaneStatus status;
            using (var client = Cluster.CreateClient(config, streams.Error))
            {
                try
                {
                    status = await ControlPlaneDiagnoser.DiagnoseAsync(client, ct);
                }
                catch (HttpOperationException e)
                {
                    return streams.Fail(ExitNoDiagnosis, $"{ApiErrors.Describe(e)} (server {config.Host}, {e.Request.Method} {e.Request.RequestUri?.PathAndQuery})");
                }
                catch (HttpRequestException e)
                {
                    return streams.Fail(ExitNoDiagnosis, ApiErrors.Describe(e, config.Host));
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    return streams.Fail(ExitNoDiagnosis, $"the API server at {config.Host} did not answer within {client.HttpClient.Timeout.TotalSeconds:0}s");
                }
            }

            if (Format == OutputFormat.Table) StatusView.Write(streams.CreateConsole(streams.Out), status);
            else OutputFormat.WriteDocument(streams.Out, status, DocumentJson.Default.ControlPlaneStatus, Format);
            return ExitCode(status.Overall);
        }
    }

    public static int ExitCode(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => ExitHealthy,
        Verdict.Degraded => ExitDegraded,
        _ => ExitDown,
    };
}
