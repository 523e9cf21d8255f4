using System.CommandLine;
using System.Globalization;
using KubeRescue.Lab.ApiServer.Auth;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;
using KubeRescue.Lab;

namespace KubeRescue.Cli.Commands.Lab;

/// <summary><c>kube-rescue lab up</c>: options, validate, run.</summary>
public static class LabUpCommand
{
    sealed record Options(bool ApiOnly, string Kubeconfig, int Port, int Masters, int Workers, string? Manifests, double TimeScale, bool Verbose,
        string? ApiFaults, string? TokenAuthFile, string Address);

    public static Command Create()
    {
        var apiOnly = new Option<bool>("--api-only") { Description = "Serve only the Kubernetes API: no nodes, no control plane." };
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Where to write the kubeconfig for kubectl and clients.", Required = true };
        var port = new Option<int>("--port") { Description = "Port to serve HTTPS on (default: a free one)." };
        var address = new Option<string>("--address")
        {
            Description = "The IP address to listen on: loopback unless told otherwise (0.0.0.0 for every interface; anyone who can reach it still needs a token).",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var masters = new Option<int>("--masters") { Description = "Master nodes.", DefaultValueFactory = _ => 3 };
        var workers = new Option<int>("--workers") { Description = "Worker nodes.", DefaultValueFactory = _ => 2 };
        var manifests = new Option<string?>("--manifests") { Description = "Boot from the kube-system manifests in this directory instead of the built-in ones." };
        var timeScale = new Option<double>("--time-scale")
        {
            Description = "Run every timing this many times faster than a real cluster (for tests; the default 1 is real time).",
            DefaultValueFactory = _ => 1,
        };
        var verbose = new Option<bool>("--verbose") { Description = "Print the emulated components' logs." };
        var apiFaults = new Option<string?>("--api-faults")
        {
            Description = "Make the API server flaky for clients (not the lab's own components): error-rate=0.1 (429 with Retry-After, 500, 503), "
                + "reset-rate=0.01 (connections reset), latency=200ms (every request), watch-drop=30s (watches cut after about that long). "
                + "Change or end it while the lab runs with: kube-rescue lab break api.",
        };
        var tokenAuthFile = new Option<string?>("--token-auth-file")
        {
            Description = "More users, as kube-apiserver's static token file: CSV lines token,user,uid[,\"group1,group2\"]. "
                + "They are authorized by RBAC (the kubeconfig's user is in system:masters).",
        };
        var command = new Command("up", """
            Start the lab and run until interrupted (SIGINT or SIGTERM): a self-hosted cluster booted as bootkube boots
            one (a temporary scheduler and controller-manager until the kube-system Deployments' pods run and lead), or,
            with --api-only, the Kubernetes API server alone. Prints a line containing "ready" once it is.

            Examples:
              kube-rescue lab up --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab up --masters 3 --workers 500 --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab up --api-only --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab up --api-faults error-rate=0.1,latency=200ms,watch-drop=30s --kubeconfig /tmp/lab.kubeconfig
              kube-rescue lab up --api-only --token-auth-file /tmp/tokens.csv --kubeconfig /tmp/lab.kubeconfig
              kubectl --kubeconfig /tmp/lab.kubeconfig get pods -A -o wide
            """)
        {
            apiOnly, kubeconfig, port, address, masters, workers, manifests, timeScale, verbose, apiFaults, tokenAuthFile,
        };
        command.SetAction((result, ct) => RunAsync(new Options(result.GetValue(apiOnly), result.GetValue(kubeconfig)!, result.GetValue(port),
            result.GetValue(masters), result.GetValue(workers), result.GetValue(manifests), result.GetValue(timeScale), result.GetValue(verbose),
            result.GetValue(apiFaults), result.GetValue(tokenAuthFile), result.GetValue(address)!), result, ct));
        return command;
    }

    static string? Validate(Options o, ParseResult result)
    {
        if (o.ApiFaults is not null && ParseFaults(o.ApiFaults).Error is { } faultError) return $"--api-faults: {faultError}";
        if (o.TokenAuthFile is not null && TokenFileError(o.TokenAuthFile) is { } tokenError) return $"--token-auth-file: {tokenError}";
        if (o.Port is < 0 or > 65535) return $"--port {o.Port} is not a port number (0-65535)";
        if (!System.Net.IPAddress.TryParse(o.Address, out _)) return $"--address {o.Address} is not an IP address";
        if (string.IsNullOrWhiteSpace(o.Kubeconfig)) return "--kubeconfig needs a file path";
        if (Directory.Exists(o.Kubeconfig)) return $"--kubeconfig {o.Kubeconfig} is a directory";
        if (o.ApiOnly)
        {
            var clusterOnly = new[] { "--masters", "--workers", "--manifests" }.Where(n => result.GetResult(n) is System.CommandLine.Parsing.OptionResult { Implicit: false }).ToList();
            return clusterOnly.Count > 0 ? $"{string.Join(", ", clusterOnly)} make no sense with --api-only" : null;
        }
        if (o.Masters is < 1 or > 100) return $"--masters {o.Masters}: a lab has 1 to 100 masters";
        if (o.Workers is < 0 or > 10_000) return $"--workers {o.Workers}: a lab has 0 to 10000 workers";
        if (o.Manifests is not null && !Directory.Exists(o.Manifests)) return $"--manifests {o.Manifests} is not a directory";
        if (o.TimeScale is < 1 or > 100 || double.IsNaN(o.TimeScale)) return $"--time-scale {o.TimeScale.ToString(CultureInfo.InvariantCulture)}: use 1 (real time) to 100";
        return null;
    }

    static (ApiFaults Faults, string? Error) ParseFaults(string? spec)
    {
        try
        {
            return (spec is null ? ApiFaults.None : ApiFaults.Parse(spec), null);
        }
        catch (FormatException e)
        {
            return (ApiFaults.None, e.Message);
        }
    }

    static string? TokenFileError(string path)
    {
        if (Directory.Exists(path)) return $"{path} is a directory";
        if (!File.Exists(path)) return $"{path} does not exist";
        try
        {
            TokenFile.Read(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return e.Message;
        }
    }

    static async Task<int> RunAsync(Options o, ParseResult result, CancellationToken ct)
    {
        if (Validate(o, result) is { } error)
        {
            await Console.Error.WriteLineAsync($"error: {error}");
            return 2;
        }
        IAsyncDisposable lab;
        string ready;
        try
        {
            if (o.ApiOnly)
            {
                var server = await LabApiServer.StartAsync(new LabApiServerOptions
                {
                    Port = o.Port, BindAddress = System.Net.IPAddress.Parse(o.Address), KubeconfigPath = o.Kubeconfig, ApiFaults = ParseFaults(o.ApiFaults).Faults,
                    TokenAuthFile = o.TokenAuthFile,
                }, ct);
                (lab, ready) = (server, $"lab API server ready at {server.Url}");
            }
            else
            {
                var log = o.Verbose ? Console.Error : TextWriter.Null;
                var cluster = await LabCluster.StartAsync(new LabClusterOptions
                {
                    Masters = o.Masters, Workers = o.Workers, Port = o.Port, BindAddress = System.Net.IPAddress.Parse(o.Address), KubeconfigPath = o.Kubeconfig,
                    ManifestsDirectory = o.Manifests, Timing = new LabTiming(o.TimeScale), Log = log, ApiFaults = ParseFaults(o.ApiFaults).Faults,
                    TokenAuthFile = o.TokenAuthFile,
                }, line => Console.WriteLine(line), ct);
                (lab, ready) = (cluster, $"lab cluster ready at {cluster.Api.Url}: {o.Masters} masters, {o.Workers} workers, self-hosted control plane up");
            }
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FormatException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        await using (lab)
        {
            Console.WriteLine($"{ready} (kubeconfig: {Path.GetFullPath(o.Kubeconfig)}, context {Kubeconfig.ContextName})");
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
