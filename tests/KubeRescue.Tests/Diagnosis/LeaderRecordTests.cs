using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Kube;
using static KubeRescue.Tests.Diagnosis.Objects;

namespace KubeRescue.Tests.Diagnosis;

public class LeaderRecordTests
{
    [Fact]
    public void A_Lease_gives_its_spec_and_a_released_one_no_holder()
    {
        var lease = new V1Lease { Spec = new() { HolderIdentity = "master-1_ab", LeaseDurationSeconds = 15, RenewTime = Now } };
        Assert.Equal(new LeaderRecord("master-1_ab", 15, Now, "Lease"), LeaderRecord.FromLease(lease));
        Assert.Equal("master-1", LeaderRecord.FromLease(lease).Hostname);
        Assert.Null(LeaderRecord.FromLease(new V1Lease { Spec = new() { HolderIdentity = "", LeaseDurationSeconds = 1, RenewTime = Now } }).HolderIdentity);
    }

    [Fact]
    public void The_pre_Lease_annotation_on_an_Endpoints_or_ConfigMap_is_read_as_client_go_wrote_it()
    {
        var annotations = new Dictionary<string, string>
        {
            [LeaderRecord.Annotation] = """{"holderIdentity":"master-2","leaseDurationSeconds":15,"acquireTime":"2018-01-02T03:04:05Z","renewTime":"2025-03-04T05:06:01Z","leaderTransitions":3}""",
        };
        var record = LeaderRecord.FromAnnotation(annotations, "Endpoints");
        Assert.Equal(new LeaderRecord("master-2", 15, Now.AddSeconds(-6), "Endpoints"), record);
        Assert.Equal(DateTimeKind.Utc, record!.RenewTime!.Value.Kind);
        Assert.True(record.HeldAt(Now));
        Assert.False(record.HeldAt(Now.AddSeconds(10)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not json")]
    public void No_annotation_or_a_broken_one_is_no_record(string? value)
    {
        var annotations = value is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [LeaderRecord.Annotation] = value };
        Assert.Null(LeaderRecord.FromAnnotation(annotations, "ConfigMap"));
        Assert.Null(LeaderRecord.FromAnnotation(null, "ConfigMap"));
    }

    [Fact]
    public void A_record_without_renewal_time_or_duration_is_expired() =>
        Assert.True(new LeaderRecord("a", null, Now, "Lease").ExpiredAt(Now) && new LeaderRecord("a", 15, null, "Lease").ExpiredAt(Now));
}

public class FormatTests
{
    [Fact]
    public void Selectors_are_written_as_kubectl_reads_them()
    {
        var selector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["tier"] = "control-plane", ["k8s-app"] = "kube-scheduler" },
            MatchExpressions =
            [
                new() { Key = "env", OperatorProperty = "In", Values = ["prod", "dev"] },
                new() { Key = "canary", OperatorProperty = "NotIn", Values = ["true"] },
                new() { Key = "zone", OperatorProperty = "Exists" },
                new() { Key = "legacy", OperatorProperty = "DoesNotExist" },
            ],
        };
        Assert.Equal("k8s-app=kube-scheduler,tier=control-plane,env in (dev,prod),canary notin (true),zone,!legacy", LabelSelectors.Format(selector));
        Assert.Null(LabelSelectors.Format(new V1LabelSelector()));
        Assert.Null(LabelSelectors.Format((V1LabelSelector?)null));
    }

    [Fact]
    public void The_control_plane_is_as_healthy_as_its_sickest_part()
    {
        Assert.Equal(Verdict.Down, ClusterEvidence.Worst([Verdict.Healthy, Verdict.Down, Verdict.Degraded]));
        Assert.Equal(Verdict.Degraded, ClusterEvidence.Worst([Verdict.Healthy, Verdict.Degraded]));
        Assert.Equal(Verdict.Healthy, ClusterEvidence.Worst([]));
        Assert.Equal([Verdict.Healthy, Verdict.Degraded, Verdict.Down],
            new[] { new ApiServerHealth(true, true, null), new ApiServerHealth(true, false, "x"), new ApiServerHealth(false, false, "y") }.Select(h => h.Verdict));
    }

    [Fact]
    public void A_master_shows_readiness_taints_and_cordon()
    {
        var node = new V1Node
        {
            Metadata = new() { Name = "master-1" },
            Spec = new() { Unschedulable = true, Taints = [new() { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" }] },
            Status = new() { Conditions = [new() { Type = "Ready", Status = "Unknown" }] },
        };
        var master = ClusterEvidence.Master(node);
        Assert.Equal(("master-1", false, true), (master.Name, master.Ready, master.Unschedulable));
        Assert.Equal(["node.kubernetes.io/unreachable:NoExecute"], master.Taints);
    }
}
