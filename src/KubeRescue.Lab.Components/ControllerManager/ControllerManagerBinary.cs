using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// The emulated kube-controller-manager: the real binary's flags, leader election on Lease
/// kube-system/kube-controller-manager with identity <c>&lt;hostname&gt;_&lt;uuid&gt;</c>, and the controllers running
/// only while it leads. Like the real one it does not release the lease when stopped (a successor waits out the
/// lease duration), and a leader that cannot renew exits 1 so that its kubelet restarts it.
/// </summary>
public sealed class ControllerManagerBinary(Func<IReadOnlyList<IController>> controllers) : IEmulatedBinary
{
    public const string LeaseName = "kube-controller-manager";

    public string Name => "kube-controller-manager";

    public bool Recognizes(IReadOnlyList<string> command, out IReadOnlyList<string> args) =>
        BinaryCommand.Recognizes(command, Name, ["controller-manager", "kube-controller-manager"], out args);

    static Flags NewFlags() => new Flags()
        .Bool("leader-elect", true)
        .Duration("leader-elect-lease-duration", "15s")
        .Duration("leader-elect-renew-deadline", "10s")
        .Duration("leader-elect-retry-period", "2s")
        .String("leader-elect-resource-lock", "leases")
        .String("leader-elect-resource-name", LeaseName)
        .String("leader-elect-resource-namespace", "kube-system")
        .String("controllers", "*")
        .Duration("node-monitor-grace-period", "50s")
        .Duration("node-monitor-period", "5s")
        .Duration("pod-eviction-timeout", "5m0s")
        .Int("concurrent-deployment-syncs", 5)
        .Int("concurrent-replicaset-syncs", 5)
        .Int("terminated-pod-gc-threshold", 12500)
        .Bool("allocate-node-cidrs")
        .Bool("configure-cloud-routes", true)
        .Bool("use-service-account-credentials")
        .Bool("profiling", true)
        .Bool("logtostderr", true)
        .Int("v", 0)
        .Int("port", 10252)
        .Int("secure-port", 10257)
        .String("address").String("bind-address").String("master").String("kubeconfig")
        .String("authentication-kubeconfig").String("authorization-kubeconfig")
        .String("cloud-provider").String("cloud-config").String("cluster-cidr").String("cluster-name")
        .String("service-cluster-ip-range").String("root-ca-file").String("service-account-private-key-file")
        .String("cluster-signing-cert-file").String("cluster-signing-key-file").String("client-ca-file")
        .String("requestheader-client-ca-file").String("feature-gates").String("flex-volume-plugin-dir");

    public async Task<int> RunAsync(BinaryContext context, CancellationToken stop)
    {
        var flags = NewFlags();
        if (flags.Parse(context.Args) is { } error)
        {
            await context.Log.WriteLineAsync($"Error: {error}");
            return 1;
        }
        var enabled = Enabled(controllers(), flags.Get("controllers")!);
        using var client = new k8s.Kubernetes(context.Client);
        var identity = $"{context.Hostname}_{Guid.NewGuid()}";
        if (!flags.GetBool("leader-elect"))
        {
            await RunControllersAsync(client, enabled, identity, context, stop);
            return 0;
        }

        // The elector keeps its own time (the wall clock; it takes no clock): its renewals and expiry are the
        // library's, while the controllers run on the lab's.
        var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(client,
            flags.Get("leader-elect-resource-namespace")!, flags.Get("leader-elect-resource-name")!, identity))
        {
            LeaseDuration = context.Timing.Of(flags.GetDuration("leader-elect-lease-duration")),
            RenewDeadline = context.Timing.Of(flags.GetDuration("leader-elect-renew-deadline")),
            RetryPeriod = context.Timing.Of(flags.GetDuration("leader-elect-retry-period")),
        });
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task running = Task.CompletedTask;
        elector.OnStartedLeading += () =>
        {
            context.Log.WriteLine($"successfully acquired lease {flags.Get("leader-elect-resource-namespace")}/{flags.Get("leader-elect-resource-name")}");
            running = RunControllersAsync(client, enabled, identity, context, leading.Token);
        };
        try
        {
            await elector.RunUntilLeadershipLostAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        leading.Cancel();
        await running;
        if (stop.IsCancellationRequested) return 0;
        await context.Log.WriteLineAsync("leaderelection lost");
        return 1;
    }

    /// <summary>The --controllers list: "*" for all, names to add, "-name" to remove.</summary>
    static IReadOnlyList<IController> Enabled(IReadOnlyList<IController> all, string spec)
    {
        var items = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var star = items.Contains("*");
        return all.Where(c => items.Contains(c.Name) || (star && !items.Contains("-" + c.Name))).ToList();
    }

    static async Task RunControllersAsync(IKubernetes client, IReadOnlyList<IController> enabled, string identity, BinaryContext context, CancellationToken stop)
    {
        var informers = new SharedInformers(client, context.Clock, stop);
        var events = new EventBroadcaster(client, context.Timing, context.Clock, context.Log.WriteLine);
        var controllerContext = new ControllerContext(client, informers, context.Timing, context.Clock, identity, context.Log, events);
        var runs = enabled.Select(c => Task.Run(async () =>
        {
            try
            {
                await c.RunAsync(controllerContext, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }, CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(runs);
            await informers.Completion;
        }
        finally
        {
            await events.StopAsync();
        }
    }
}
