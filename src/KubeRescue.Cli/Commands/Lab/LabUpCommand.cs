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
    public static Command Create(Streams streams)
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
        Verb.SetAction(command, streams, result => new Options(result.GetValue(apiOnly), result.GetValue(kubeconfig)!, result.GetValue(port),
            result.GetValue(masters), result.GetValue(workers), result.GetValue(manifests), result.GetValue(timeScale), result.GetValue(verbose),
            result.GetValue(apiFaults), result.GetValue(tokenAuthFile), result.GetValue(address)!,
            [.. new Option[] { masters, workers, manifests }.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name)]));
        return command;
    }

    /// <summary>What the user asked; <paramref name="ClusterOnly"/> are the options given that only a whole cluster takes.</summary>
    sealed record Options(bool ApiOnly, string KubeconfigPath, int Port, int Masters, int Workers, string? Manifests, double TimeScale, bool Verbose,
        string? FaultSpec, string? TokenAuthFile, string Address, IReadOnlyList<string> ClusterOnly) : IVerbOptions
    {
        ApiFaults Faults => FaultSpec is null ? ApiFaults.None : ApiFaults.Parse(FaultSpec);

        public string? Validate()
        {
            if (Verb.FormatError(() => Faults) is { } faultError) return $"--api-faults: {faultError}";
            if (TokenAuthFile is not null && TokenFileError(TokenAuthFile) is { } tokenError) return $"--token-auth-file: {tokenError}";
            if (Port is < 0 or > 65535) return $"--port {Port} is not a port number (0-65535)";
            if (!System.Net.IPAddress.TryParse(Address, out _)) return $"--address {Address} is not an IP address";
            if (string.IsNullOrWhiteSpace(KubeconfigPath)) return "--kubeconfig needs a file path";
            if (Directory.Exists(KubeconfigPath)) return $"--kubeconfig {KubeconfigPath} is a directory";
            if (ApiOnly) return ClusterOnly.Count > 0 ? $"{string.Join(", ", ClusterOnly)} make no sense with --api-only" : null;
            if (Masters is < 1 or > 100) return $"--masters {Masters}: a lab has 1 to 100 masters";
            if (Workers is < 0 or > 10_000) return $"--workers {Workers}: a lab has 0 to 10000 workers";
            if (Manifests is not null && !Directory.Exists(Manifests)) return $"--manifests {Manifests} is not a directory";
            if (TimeScale is < 1 or > 100 || double.IsNaN(TimeScale)) return $"--time-scale {TimeScale.ToString(CultureInfo.InvariantCulture)}: use 1 (real time) to 100";
            return null;
        }

        public async Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            IAsyncDisposable lab;
            string ready;
            try
            {
                if (ApiOnly)
                {
                    var server = await LabApiServer.StartAsync(new LabApiServerOptions
                    {
                        Port = Port, BindAddress = System.Net.IPAddress.Parse(Address), KubeconfigPath = KubeconfigPath, ApiFaults = Faults, TokenAuthFile = TokenAuthFile,
                    }, ct);
                    (lab, ready) = (server, $"lab API server ready at {server.Url}");
                }
                else
                {
                    var cluster = await LabCluster.StartAsync(new LabClusterOptions
                    {
                        Masters = Masters, Workers = Workers, Port = Port, BindAddress = System.Net.IPAddress.Parse(Address), KubeconfigPath = KubeconfigPath,
                        ManifestsDirectory = Manifests, Timing = new LabTiming(TimeScale), Log = Verbose ? streams.Error : TextWriter.Null, ApiFaults = Faults,
                        TokenAuthFile = TokenAuthFile,
                    }, streams.Out.WriteLine, ct);
                    (lab, ready) = (cluster, $"lab cluster ready at {cluster.Api.Url}: {Masters} masters, {Workers} workers, self-hosted control plane up");
                }
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FormatException)
            {
                return streams.Fail(1, e.Message);
            }
            await using (lab)
            {
                streams.Out.WriteLine($"{ready} (kubeconfig: {Path.GetFullPath(KubeconfigPath)}, context {Kubeconfig.ContextName})");
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                }
                streams.Out.WriteLine("lab stopping");
            }
            return 0;
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
}
