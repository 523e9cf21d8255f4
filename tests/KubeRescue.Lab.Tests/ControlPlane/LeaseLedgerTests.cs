using k8s;
using k8s.Models;
using W = KubeRescue.Lab.LeaseLedger.Write;

namespace KubeRescue.Lab.Tests.ControlPlane;

public class LeaseLedgerTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    static readonly DateTime T0 = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    static W Held(string holder, double acquired, double renewed, long revision, int duration = 15) =>
        new("kube-scheduler", holder, T0.AddSeconds(acquired), T0.AddSeconds(renewed), duration, revision);

    [Fact]
    public void A_hand_over_after_the_old_term_ended_is_no_overlap()
    {
        // a renews twice, stops; b takes over once a's last renewal plus its 15 s have passed.
        W[] writes = [Held("a", 0, 0, 1), Held("a", 0, 2, 2), Held("a", 0, 4, 3), Held("b", 19, 19, 4), Held("b", 19, 21, 5)];
        Assert.Empty(LeaseLedger.Overlaps(writes));
    }

    [Fact]
    public void A_hand_over_before_the_old_term_ended_is_an_overlap_that_names_both_holders()
    {
        W[] writes = [Held("a", 0, 0, 1), Held("a", 0, 4, 2), Held("b", 18, 18, 3), Held("c", 40, 40, 4)];
        var overlap = Assert.Single(LeaseLedger.Overlaps(writes));
        Assert.Equal("Lease kube-system/kube-scheduler: b took it at 12:00:18.000000 (revision 3) while a held it until 12:00:19.000000 (renewed 12:00:04.000000 for 15 s)", overlap);
    }

    [Fact]
    public void A_release_ends_the_term_at_once_and_writes_are_judged_in_revision_order()
    {
        var release = new W("kube-scheduler", "", T0.AddSeconds(5), T0.AddSeconds(5), 1, 3);
        Assert.Empty(LeaseLedger.Overlaps([Held("b", 6, 6, 4), release, Held("a", 0, 4, 2)]));
        // Leases are judged apart: the controller-manager's holder is not the scheduler's successor.
        Assert.Empty(LeaseLedger.Overlaps([Held("a", 0, 4, 1), new W("kube-controller-manager", "b", T0.AddSeconds(5), T0.AddSeconds(5), 15, 2)]));
    }

    [Fact]
    public async Task Every_write_to_the_followed_leases_is_recorded_from_the_store_and_others_are_not()
    {
        await using var ledger = LeaseLedger.Start(lab.Server.Storage, "ledger-followed");
        var now = DateTime.UtcNow;
        V1Lease Lease(string name, string holder) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1LeaseSpec { HolderIdentity = holder, AcquireTime = now, RenewTime = now, LeaseDurationSeconds = 15 },
        };
        var followed = await lab.Client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("ledger-followed", "a"), "kube-system");
        await lab.Client.CoordinationV1.CreateNamespacedLeaseAsync(Lease("ledger-other", "x"), "kube-system");
        followed.Spec.HolderIdentity = "b";
        await lab.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(followed, "ledger-followed", "kube-system");

        await Wait.UntilAsync(() => Task.FromResult(ledger.Writes.Count == 2), what: "both writes recorded");
        Assert.Equal(["a", "b"], ledger.Writes.Select(w => w.Holder));
        Assert.All(ledger.Writes, w => Assert.Equal(("ledger-followed", 15), (w.Lease, w.DurationSeconds)));
        Assert.Single(LeaseLedger.Overlaps(ledger.Writes));
        Assert.True(ledger.Complete);
    }
}
