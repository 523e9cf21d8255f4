namespace KubeRescue.Bench.Mttr;

/// <summary>
/// The floor of one run, in seconds: the waits of the rescue-pod procedure that no tool and no operator can shorten,
/// as the cluster itself took them in that run (see docs/benchmarks.md):
/// <list type="bullet">
/// <item><b>start-up</b>: the rescue pod created → it holds the Lease (kubelet pick-up, container start, the first
/// acquisition); with several components, the slowest, as their pods can start together;</item>
/// <item><b>replacement</b>: every rescue pod leads → the workload's own pods all Ready (the controller-manager creating
/// them, the scheduler placing them, the kubelet starting them);</item>
/// <item><b>hand-over</b>: the rescue pod's deletion → a permanent pod holds the Lease (the kubelet stopping it, a
/// candidate's next retry); when the rescue pod does not release its Lease (kube-controller-manager), the time between
/// the pod being gone and the release is the releaser's, not the cluster's, and is counted as a round trip instead;
/// hand-overs run one after the other (field guide §2);</item>
/// <item><b>round trips</b>: one API round trip (the run's median GET) per write on that path (release a dead holder's
/// Lease, create, delete, release the rescue's Lease) and one read to verify.</item>
/// </list>
/// </summary>
sealed record Floor(double Total, double StartUp, double Replacement, double HandOver, int RoundTrips, double RoundTrip)
{
    /// <summary>Null when the timeline lacks a milestone (the run failed, or a watch missed it).</summary>
    public static Floor? Compute(IReadOnlyList<ControlPlaneComponent> components, IReadOnlyList<PodSeen> pods, IReadOnlyList<LeaseSeen> leases,
        double start, IReadOnlyDictionary<string, int> desired, double roundTrip)
    {
        var milestones = new List<Milestones>();
        foreach (var c in components)
        {
            if (Milestones.Find(c, pods, leases, start) is not { } m) return null;
            milestones.Add(m);
        }
        var allLead = milestones.Max(m => m.Leads);
        var replaced = new List<double>();
        foreach (var c in components)
        {
            if (AllReady(pods, c.Name, desired[c.Name], allLead) is not { } at) return null;
            replaced.Add(at);
        }
        var startUp = milestones.Max(m => m.Leads - m.Added);
        var replacement = Math.Max(0, replaced.Max() - allLead);
        var handOver = milestones.Sum(m => m.HandOver);
        // Per component a create and a delete; the controller-manager's Lease released twice (its dead holder's, its rescue's).
        var trips = 2 * components.Count + 2 * components.Count(c => c == ControlPlaneComponent.ControllerManager) + 1;
        return new Floor(startUp + replacement + handOver + trips * roundTrip, startUp, replacement, handOver, trips, roundTrip);
    }

    /// <summary>The first moment at or after <paramref name="from"/> when <paramref name="count"/> pods of the app (not rescue pods) are Ready and not terminating.</summary>
    static double? AllReady(IReadOnlyList<PodSeen> pods, string app, int count, double from)
    {
        var ready = new Dictionary<string, bool>(StringComparer.Ordinal);
        int Count() => ready.Values.Count(r => r);
        var checkedAtFrom = false;
        foreach (var p in pods.Where(p => p.App == app && !p.Rescue))
        {
            if (!checkedAtFrom && p.At > from)
            {
                if (Count() >= count) return from;
                checkedAtFrom = true;
            }
            ready[p.Name] = p.Ready && !p.Deleting && !p.Gone;
            if (p.At >= from && Count() >= count) return p.At;
        }
        return !checkedAtFrom && Count() >= count ? from : null;
    }

    /// <summary>One component's rescue pod and Lease through the run.</summary>
    sealed record Milestones(double Added, double Leads, double HandOver)
    {
        public static Milestones? Find(ControlPlaneComponent c, IReadOnlyList<PodSeen> pods, IReadOnlyList<LeaseSeen> leases, double start)
        {
            var rescue = c.RescuePodName;
            var mine = pods.Where(p => p.Name == rescue && p.At >= start).ToList();
            var lease = leases.Where(l => l.Name == c.LeaseName && l.At >= start).ToList();
            bool IsRescue(string holder) => holder == rescue || holder.StartsWith(rescue + "_", StringComparison.Ordinal);

            if (mine.FirstOrDefault(p => !p.Gone) is not { } added) return null;
            if (lease.FirstOrDefault(l => l.At >= added.At && IsRescue(l.Holder)) is not { } leads) return null;
            if (mine.FirstOrDefault(p => p.At >= leads.At && (p.Deleting || p.Gone)) is not { } deleting) return null;
            if (lease.FirstOrDefault(l => l.At >= deleting.At && l.Holder != "" && !IsRescue(l.Holder)) is not { } leader) return null;
            // A rescue pod that still held the Lease when it was gone did not release it: the cluster's part is its
            // termination, then a candidate's retry after someone released it.
            var gone = mine.FirstOrDefault(p => p.At >= deleting.At && p.Gone);
            var heldWhenGone = gone is not null && lease.LastOrDefault(l => l.At <= gone.At) is { } last && IsRescue(last.Holder);
            var released = heldWhenGone ? lease.FirstOrDefault(l => l.At >= gone!.At && l.At <= leader.At && l.Holder == "") : null;
            var handOver = released is not null ? (gone!.At - deleting.At) + (leader.At - released.At) : leader.At - deleting.At;
            return new Milestones(added.At, leads.At, handOver);
        }
    }
}
