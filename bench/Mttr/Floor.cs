namespace KubeRescue.Bench.Mttr;

/// <summary>
/// The floor of one run, in seconds: the waits of the rescue-pod procedure that no tool and no operator can shorten,
/// as the cluster itself took them in that run (see docs/benchmarks.md). Only rescue pods that led count: with both
/// components down, the rescue scheduler can place controller-manager pods created before it died, and one of them
/// may take the Lease before the rescue controller-manager does.
/// <list type="bullet">
/// <item><b>start-up</b>: a rescue pod created (or its Lease released, if later) → it holds the Lease (kubelet pick-up,
/// container start, the first acquisition); a Lease left to expire is not counted, only the pod's start to Ready;
/// with several rescue pods, the slowest, as they can start together;</item>
/// <item><b>replacement</b>: the last rescue pod leads → every component's own pods all Ready (the controller-manager
/// creating them, the scheduler placing them, the kubelet starting them);</item>
/// <item><b>hand-over</b>: the rescue pod's deletion → a permanent pod holds the Lease (the kubelet stopping it, a
/// candidate's next retry); when the rescue pod does not release its Lease (kube-controller-manager), the time between
/// the pod being gone and the release is the releaser's, not the cluster's, and is counted as a round trip instead
/// (and a Lease left to expire is not counted);
/// hand-overs run one after the other (field guide §2);</item>
/// <item><b>round trips</b>: one API round trip (the run's median GET) per write on that path (release the dead
/// controller-manager's Lease; per rescue pod, create and delete, and release its Lease if it does not) and one read
/// to verify.</item>
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
        var led = milestones.Where(m => m.Leads is not null).ToList();
        if (led.Count == 0 || led.Any(m => m.HandOver is null)) return null;
        var lastLead = led.Max(m => m.Leads!.Value);
        var replaced = new List<double>();
        foreach (var c in components)
        {
            if (AllReady(pods, c.Name, desired[c.Name], lastLead) is not { } at) return null;
            replaced.Add(at);
        }
        var startUp = led.Max(m => m.StartUp!.Value);
        var replacement = replaced.Max() - lastLead;
        var handOver = led.Sum(m => m.HandOver!.Value);
        var trips = (components.Contains(ControlPlaneComponent.ControllerManager) ? 1 : 0)
            + led.Sum(m => m.Component == ControlPlaneComponent.ControllerManager ? 3 : 2) + 1;
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

    /// <summary>
    /// One component's rescue pod and Lease through the run: when the pod was created and first held the Lease, how
    /// long it took to start and lead, and how long its hand-over took (null if it never led).
    /// </summary>
    sealed record Milestones(ControlPlaneComponent Component, double Added, double? Leads, double? StartUp, double? HandOver)
    {
        /// <summary>Null when the rescue pod was never created.</summary>
        public static Milestones? Find(ControlPlaneComponent c, IReadOnlyList<PodSeen> pods, IReadOnlyList<LeaseSeen> leases, double start)
        {
            var rescue = c.RescuePodName;
            var mine = pods.Where(p => p.Name == rescue && p.At >= start).ToList();
            var history = leases.Where(l => l.Name == c.LeaseName).ToList();
            var lease = history.Where(l => l.At >= start).ToList();
            bool IsRescue(string holder) => holder == rescue || holder.StartsWith(rescue + "_", StringComparison.Ordinal);

            if (mine.FirstOrDefault(p => !p.Gone) is not { } added) return null;
            if (lease.FirstOrDefault(l => l.At >= added.At && IsRescue(l.Holder)) is not { } leads) return new(c, added.At, null, null, null);
            // From creation, or from the Lease's release if that came later, to leading. A Lease that still named
            // someone else until the rescue pod took it was waited out, which a release avoids: then only the pod's
            // own start (created → Ready) counts.
            var before = history.LastOrDefault(l => l.At < leads.At && !IsRescue(l.Holder));
            var startUp = before is { Holder: "" } ? leads.At - Math.Max(added.At, before.At)
                : mine.FirstOrDefault(p => p.Ready) is { } ready ? ready.At - added.At : leads.At - added.At;
            if (mine.FirstOrDefault(p => p.At >= leads.At && (p.Deleting || p.Gone)) is not { } deleting
                || lease.FirstOrDefault(l => l.At >= deleting.At && l.Holder != "" && !IsRescue(l.Holder)) is not { } leader)
                return new(c, added.At, leads.At, startUp, null);
            // A rescue pod that still held the Lease when it was gone did not release it: the cluster's part is its
            // termination, then a candidate's retry after someone released it (if nobody did, the wait for its
            // expiry is avoidable and not counted).
            var gone = mine.FirstOrDefault(p => p.At >= deleting.At && p.Gone);
            var heldWhenGone = gone is not null && lease.LastOrDefault(l => l.At <= gone.At) is { } last && IsRescue(last.Holder);
            var released = heldWhenGone ? lease.FirstOrDefault(l => l.At >= gone!.At && l.At <= leader.At && l.Holder == "") : null;
            var handOver = !heldWhenGone ? leader.At - deleting.At
                : gone!.At - deleting.At + (released is null ? 0 : leader.At - released.At);
            return new(c, added.At, leads.At, startUp, handOver);
        }
    }
}
