using k8s;
using k8s.LeaderElection;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// The emulated kube-scheduler: <c>kube-scheduler ...</c> (any path ending in it) or <c>hyperkube scheduler ...</c>
/// (also <c>hyperkube kube-scheduler</c>). It parses the real flags (an unknown one prints cobra's error and exits
/// 1), runs leader election on the Lease named by them with identity <c>&lt;hostname&gt;_&lt;uuid&gt;</c>, schedules
/// only while leading, releases the lease when stopped (ReleaseOnCancel) and exits 1 when it loses it.
/// Stateless: one instance serves every container that runs it.
/// </summary>
public sealed class SchedulerBinary : IEmulatedBinary
{
    public string Name => "kube-scheduler";

    public bool Recognizes(IReadOnlyList<string> command, out IReadOnlyList<string> args) =>
        BinaryCommand.Recognizes(command, Name, ["scheduler", "kube-scheduler"], out args);

    public async Task<int> RunAsync(BinaryContext context, CancellationToken stop)
    {
        var log = new Klog(context.Log, context.Clock);
        var options = new SchedulerOptions();
        if (options.Parse(context.Args) is { } error)
        {
            // component-base's cli.Run: the usage first, then the error, exit 1.
            log.Raw("Usage:\n  kube-scheduler [flags]\n");
            log.Raw($"Error: {error}");
            return 1;
        }

        using var client = new k8s.Kubernetes(context.Client);
        using var process = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var events = new EventBroadcaster(client, context.Timing, context.Clock, m => log.Error("event.go:368", $"\"Unable to write event (may retry after sleeping)\" err=\"{m}\""));
        var scheduler = new PodScheduler(client, events.NewRecorder(options.SchedulerName, $"{options.SchedulerName}-{context.Hostname}"),
            options.SchedulerName, context.Timing, context.Clock, options.MaxInUnschedulablePods, log, process.Token);
        var informers = scheduler.RunInformersAsync();
        try
        {
            if (!options.LeaderElect)
            {
                await scheduler.ScheduleAsync(stop);
                return 0;
            }
            return await RunWithLeaderElectionAsync(context, options, client, scheduler, log, stop);
        }
        finally
        {
            process.Cancel();
            await informers;
            await events.StopAsync();
        }
    }

    static async Task<int> RunWithLeaderElectionAsync(BinaryContext context, SchedulerOptions options, IKubernetes client,
        PodScheduler scheduler, Klog log, CancellationToken stop)
    {
        var (timing, clock) = (context.Timing, context.Clock);
        var identity = $"{context.Hostname}_{Guid.NewGuid()}";
        var (ns, name) = (options.LeaseNamespace, options.LeaseName);
        var lease = $"{ns}/{name}";
        // The lock is always a Lease: what 1.33 requires; older clusters' endpoints locks are not emulated.
        var leaseLock = new SchedulerLeaseLock(client, ns, name, identity, timing.Of(options.LeaseDuration));
        // The elector keeps its own time (the wall clock; it takes no clock): its renewals and expiry are the
        // library's, while the scheduler and its release of the lease run on the lab's.
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = timing.Of(options.LeaseDuration),
            RenewDeadline = timing.Of(options.RenewDeadline),
            RetryPeriod = timing.Of(options.RetryPeriod),
        });
        // Cancelled when leadership ends for any reason: it also stops the elector's renew attempts, which the C#
        // client leaves running after it gives up.
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task? scheduling = null;
        elector.OnStartedLeading += () =>
        {
            log.Info("leaderelection.go:271", $"successfully acquired lease {lease}");
            scheduling = scheduler.ScheduleAsync(leading.Token);
        };

        log.Info("leaderelection.go:257", $"attempting to acquire leader lease {lease}...");
        bool lost;
        while (true)
        {
            try
            {
                await elector.RunUntilLeadershipLostAsync(leading.Token);
                lost = true;
                break;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                lost = false;
                break;
            }
            catch (Exception e) when (scheduling is null && e is HttpRequestException or IOException)
            {
                // The C# elector lets a connection failure escape while acquiring; client-go logs it and retries.
                log.Error("leaderelection.go:436", $"error retrieving resource lock {lease}: {e.Message}");
                try { await Task.Delay(timing.Of(options.RetryPeriod), clock, stop); }
                catch (OperationCanceledException) { lost = false; break; }
            }
        }
        var held = elector.IsLeader();
        leading.Cancel();
        if (scheduling is not null) await scheduling;

        if (lost)
        {
            log.Error("leaderelection.go:297", $"failed to renew lease {lease}: context deadline exceeded");
            log.Error("server.go:322", "\"Leaderelection lost\"");
            return 1;
        }
        if (held)
        {
            using var release = new CancellationTokenSource(timing.Of(options.RenewDeadline), clock);
            try
            {
                if (await LeaseRelease.ReleaseAsync(client, ns, name, identity, clock, release.Token))
                    log.Info("leaderelection.go:357", $"released lease {lease}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                log.Error("leaderelection.go:353", $"Failed to release lease {lease}: {e.Message}");
            }
        }
        log.Info("server.go:318", "\"Requested to terminate, exiting\"");
        return 0;
    }
}
