using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>
/// Two candidates running the official client's LeaderElector against the lab: mutual exclusion rests only on
/// the server's 409 for a stale resourceVersion, so this is the API server's concurrency proven end to end.
/// </summary>
public class LeaderElectionTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    [Fact]
    public async Task Exactly_one_of_two_candidates_leads_and_the_other_takes_over_when_it_goes()
    {
        var lockName = ApiTestObjects.Unique("lock");
        var leaders = 0;
        var maxLeaders = 0;
        var everLed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var gate = new object();

        LeaderElector Candidate(string id)
        {
            var lease = new LeaseLock(lab.NewClient(), "kube-system", lockName, id);
            var elector = new LeaderElector(new LeaderElectionConfig(lease)
            {
                LeaseDuration = TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromSeconds(1.5),
                RetryPeriod = TimeSpan.FromMilliseconds(250),
            });
            elector.OnStartedLeading += () =>
            {
                lock (gate) { leaders++; maxLeaders = Math.Max(maxLeaders, leaders); }
                everLed.Add(id);
            };
            elector.OnStoppedLeading += () => { lock (gate) leaders--; };
            return elector;
        }

        using var a = Candidate("a");
        using var b = Candidate("b");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunUntilLeadershipLostAsync(stopA.Token);
        var runB = b.RunUntilLeadershipLostAsync(stopB.Token);

        await Wait.UntilAsync(() => Task.FromResult(a.IsLeader() || b.IsLeader()), TimeSpan.FromSeconds(10), "a leader");
        // Both keep competing for several lease durations; never two leaders at once.
        await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(5)), runA, runB);
        Assert.Equal(1, maxLeaders);
        var first = a.IsLeader() ? "a" : "b";
        Assert.True(a.IsLeader() ^ b.IsLeader());

        var lease = await lab.Client.CoordinationV1.ReadNamespacedLeaseAsync(lockName, "kube-system");
        Assert.Equal(first, lease.Spec.HolderIdentity);

        // The leader goes away without releasing; the other takes over after the lease expires.
        (first == "a" ? stopA : stopB).Cancel();
        var other = first == "a" ? b : a;
        await Wait.UntilAsync(() => Task.FromResult(other.IsLeader()), TimeSpan.FromSeconds(15), "takeover");
        Assert.Equal(1, maxLeaders);
        lease = await lab.Client.CoordinationV1.ReadNamespacedLeaseAsync(lockName, "kube-system");
        Assert.Equal(first == "a" ? "b" : "a", lease.Spec.HolderIdentity);
        Assert.True(lease.Spec.LeaseTransitions >= 1);

        stopA.Cancel();
        stopB.Cancel();
        await Task.WhenAll(runA.ContinueWith(_ => { }), runB.ContinueWith(_ => { }));
    }
}
