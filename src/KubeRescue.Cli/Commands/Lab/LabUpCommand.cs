using System.CommandLine;
using KubeRescue.Lab.ApiServer.Hosting;

namespace KubeRescue.Cli.Commands.Lab;

/// <summary><c>kube-rescue lab up</c>: options, validate, run.</summary>
public static class LabUpCommand
{
    sealed record Options(bool ApiOnly, string Kubeconfig, int Port);

    public static Command Create()
    {
        var apiOnly = new Option<bool>("--api-only") { Description = "Serve only the Kubernetes API: no nodes, no control plane." };
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Where to write the kubeconfig for kubectl and clients.", Required = true };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 to serve HTTPS on (default: a free one)." };
        var command = new Command("up", """
            Start the lab and run until interrupted (SIGINT or SIGTERM).

            Examples:
              kube-rescue lab up --api-only --kubeconfig /tmp/lab.kubeconfig
              kubectl --kubeconfig /tmp/lab.kubeconfig get namespaces
            """)
        {
            apiOnly, kubeconfig, port,
        };
        command.SetAction((result, ct) => RunAsync(new Options(result.GetValue(apiOnly), result.GetValue(kubeconfig)!, result.GetValue(port)), ct));
        return command;
    }

    static string? Validate(Options o)
    {
        if (!o.ApiOnly) return "the full lab (nodes and control plane) is not available yet: start the API server alone with --api-only";
        if (o.Port is < 0 or > 65535) return $"--port {o.Port} is not a port number (0-65535)";
        if (string.IsNullOrWhiteSpace(o.Kubeconfig)) return "--kubeconfig needs a file path";
        if (Directory.Exists(o.Kubeconfig)) return $"--kubeconfig {o.Kubeconfig} is a directory";
        return null;
    }

    static async Task<int> RunAsync(Options o, CancellationToken ct)
    {
        if (Validate(o) is { } error)
        {
            await Console.Error.WriteLineAsync($"error: {error}");
            return 2;
        }
        LabApiServer server;
        try
        {
            server = await LabApiServer.StartAsync(new LabApiServerOptions { Port = o.Port, KubeconfigPath = o.Kubeconfig }, ct);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"error: cannot serve on port {o.Port}: {e.Message}");
            return 1;
        }
        await using (server)
        {
            Console.WriteLine($"lab API server ready at {server.Url} (kubeconfig: {Path.GetFullPath(o.Kubeconfig)}, context {Kubeconfig.ContextName})");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            Console.WriteLine("lab stopping");
        }
        return 0;
    }
}
