using k8s.Models;
using KubeRescue.Placement;

namespace KubeRescue.Tests.Placement;

/// <summary>The kubelet's admission as <see cref="MasterPlacement.Evaluate"/> predicts it, on objects made here.</summary>
public class MasterPlacementTests
{
    static readonly ControlPlaneComponent Scheduler = ControlPlaneComponent.Scheduler;

    static V1Node Node(string name = "master-1", string cpu = "2", string memory = "4Gi", string pods = "110", string ready = "True",
        V1Taint[]? taints = null, bool unschedulable = false, Dictionary<string, string>? extra = null)
    {
        var allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new(pods) };
        foreach (var (k, v) in extra ?? []) allocatable[k] = new ResourceQuantity(v);
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "", ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Taints = taints, Unschedulable = unschedulable },
            Status = new V1NodeStatus
            {
                Allocatable = allocatable,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = ready, Reason = ready == "True" ? "KubeletReady" : "NodeStatusUnknown", Message = ready == "True" ? "kubelet is posting ready status" : "Kubelet stopped posting node status." }],
            },
        };
    }

    static V1Container Container(string name = "c", string? cpu = null, string? memory = null, int? containerPort = null, int? hostPort = null, string? limitCpu = null) => new()
    {
        Name = name,
        Image = "hyperkube",
        Resources = new V1ResourceRequirements
        {
            Requests = Quantities(("cpu", cpu), ("memory", memory)),
            Limits = Quantities(("cpu", limitCpu)),
        },
        Ports = containerPort is { } p ? [new V1ContainerPort { ContainerPort = p, HostPort = hostPort }] : null,
    };

    static Dictionary<string, ResourceQuantity>? Quantities(params (string Name, string? Value)[] values)
    {
        var set = values.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => new ResourceQuantity(v.Value));
        return set.Count > 0 ? set : null;
    }

    static V1Pod Pod(string name, params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "kube-system", Labels = new Dictionary<string, string>() },
        Spec = new V1PodSpec { Containers = containers.Length > 0 ? containers : [Container()], NodeName = "master-1" },
        Status = new V1PodStatus { Phase = "Running" },
    };

    static V1Pod Rescue(params V1Container[] containers)
    {
        var pod = Pod("kube-scheduler-rescue", containers);
        pod.Metadata.Labels = new Dictionary<string, string> { [RescueMetadata.ComponentLabel] = "kube-scheduler" };
        pod.Spec.NodeName = null;
        return pod;
    }

    static NodeCandidate Evaluate(V1Node node, V1Pod rescue, params V1Pod[] others) => MasterPlacement.Evaluate(Scheduler, rescue, node, others);

    [Fact]
    public void A_Ready_master_with_room_fits_without_reasons()
    {
        var candidate = Evaluate(Node(), Rescue(Container(cpu: "100m", memory: "100Mi")), Pod("other", Container(cpu: "1", memory: "1Gi")));
        Assert.True(candidate.Fits);
        Assert.Empty(candidate.Reasons);
        Assert.Empty(candidate.Remarks);
        Assert.Equal("master-1", candidate.Name);
    }

    [Theory]
    [InlineData("Unknown", "NotReady: Ready is Unknown (NodeStatusUnknown: Kubelet stopped posting node status.): its kubelet would not run the pod")]
    [InlineData("False", "NotReady: Ready is False (NodeStatusUnknown: Kubelet stopped posting node status.): its kubelet would not run the pod")]
    public void A_master_that_is_not_Ready_does_not_fit(string ready, string reason)
    {
        var candidate = Evaluate(Node(ready: ready), Rescue());
        Assert.False(candidate.Fits);
        Assert.Equal([reason], candidate.Reasons);

        var unregistered = Node();
        unregistered.Status.Conditions = null;
        Assert.StartsWith("NotReady: the node reports no Ready condition", Assert.Single(Evaluate(unregistered, Rescue()).Reasons));
    }

    [Fact]
    public void A_cordon_is_only_a_remark_nodeName_skips_the_scheduler()
    {
        var candidate = Evaluate(Node(unschedulable: true), Rescue());
        Assert.True(candidate.Fits);
        Assert.Contains("cordoned", Assert.Single(candidate.Remarks));
    }

    [Fact]
    public void Cpu_and_memory_requests_must_fit_beside_those_of_the_active_pods()
    {
        var busy = Pod("busy", Container(cpu: "1900m", memory: "3Gi"));
        var candidate = Evaluate(Node(), Rescue(Container(cpu: "200m", memory: "2Gi")), busy);
        Assert.False(candidate.Fits);
        Assert.Equal(
        [
            "OutOfcpu: Node didn't have enough resource: cpu, requested: 200, used: 1900, capacity: 2000",
            "OutOfmemory: Node didn't have enough resource: memory, requested: 2147483648, used: 3221225472, capacity: 4294967296",
        ], candidate.Reasons);

        // Finished pods hold nothing; a terminating one still does until the kubelet is done with it.
        busy.Status.Phase = "Succeeded";
        Assert.True(Evaluate(Node(), Rescue(Container(cpu: "200m", memory: "2Gi")), busy).Fits);
        busy.Status.Phase = "Running";
        busy.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.False(Evaluate(Node(), Rescue(Container(cpu: "200m", memory: "2Gi")), busy).Fits);
    }

    [Fact]
    public void A_limit_stands_for_a_missing_request_and_an_init_container_can_be_the_largest_need()
    {
        Assert.Equal("OutOfcpu: Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000",
            Assert.Single(Evaluate(Node(), Rescue(Container(limitCpu: "3"))).Reasons));

        var withInit = Rescue(Container(cpu: "100m"));
        withInit.Spec.InitContainers = [Container("init", cpu: "2500m")];
        Assert.Contains("requested: 2500,", Assert.Single(Evaluate(Node(), withInit).Reasons));

        // A sidecar (restartable init container) runs beside the containers: its request adds up.
        var withSidecar = Rescue(Container(cpu: "1500m"));
        var sidecar = Container("sidecar", cpu: "600m");
        sidecar.RestartPolicy = "Always";
        withSidecar.Spec.InitContainers = [sidecar];
        Assert.Contains("requested: 2100,", Assert.Single(Evaluate(Node(), withSidecar).Reasons));
    }

    [Fact]
    public void Extended_resources_count_only_where_the_node_offers_them()
    {
        var gpu = Rescue(Container());
        gpu.Spec.Containers[0].Resources.Requests = new Dictionary<string, ResourceQuantity> { ["example.com/gpu"] = new("1") };
        Assert.True(Evaluate(Node(), gpu).Fits);
        Assert.Equal("OutOfexample.com/gpu: Node didn't have enough resource: example.com/gpu, requested: 1, used: 0, capacity: 0",
            Assert.Single(Evaluate(Node(extra: new() { ["example.com/gpu"] = "0" }), gpu).Reasons));
    }

    [Fact]
    public void The_pod_count_is_a_resource_too()
    {
        Assert.Equal("OutOfpods: Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2",
            Assert.Single(Evaluate(Node(pods: "2"), Rescue(), Pod("a"), Pod("b")).Reasons));
        Assert.True(Evaluate(Node(pods: "3"), Rescue(), Pod("a"), Pod("b")).Fits);
    }

    [Fact]
    public void A_host_port_held_on_the_node_is_a_conflict_and_hostNetwork_ports_are_host_ports()
    {
        var rescue = Rescue(Container(containerPort: 10251));
        rescue.Spec.HostNetwork = true;
        var holder = Pod("kube-scheduler-old", Container(containerPort: 10251));
        holder.Spec.HostNetwork = true;

        Assert.Equal("NodePorts: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports (10251/TCP held by kube-system/kube-scheduler-old)",
            Assert.Single(Evaluate(Node(), rescue, holder).Reasons));

        // Without hostNetwork a container port is no host port; a different protocol or host address does not collide.
        Assert.True(Evaluate(Node(), Rescue(Container(containerPort: 10251)), holder).Fits);
        var udp = Pod("udp", Container(containerPort: 10251, hostPort: 10251));
        udp.Spec.Containers[0].Ports[0].Protocol = "UDP";
        Assert.True(Evaluate(Node(), rescue, udp).Fits);
        var (onIp, otherIp) = (Rescue(Container(containerPort: 80, hostPort: 8080)), Pod("ip", Container(containerPort: 80, hostPort: 8080)));
        onIp.Spec.Containers[0].Ports[0].HostIP = "10.0.0.11";
        otherIp.Spec.Containers[0].Ports[0].HostIP = "10.0.0.12";
        Assert.True(Evaluate(Node(), onIp, otherIp).Fits);
        otherIp.Spec.Containers[0].Ports[0].HostIP = null;
        Assert.False(Evaluate(Node(), onIp, otherIp).Fits);
    }

    [Fact]
    public void Untolerated_NoExecute_taints_do_not_fit_NoSchedule_ones_do()
    {
        V1Taint[] taints = [new() { Key = "node-role.kubernetes.io/master", Effect = "NoSchedule" }, new() { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" }];
        Assert.Equal("TaintToleration: Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate (node.kubernetes.io/unreachable:NoExecute)",
            Assert.Single(Evaluate(Node(taints: taints), Rescue()).Reasons));

        var tolerant = Rescue();
        tolerant.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute" }];
        Assert.True(Evaluate(Node(taints: taints), tolerant).Fits);
    }

    [Fact]
    public void A_nodeSelector_or_required_affinity_the_node_does_not_match_does_not_fit()
    {
        var selecting = Rescue();
        selecting.Spec.NodeSelector = new Dictionary<string, string> { ["node.kubernetes.io/master"] = "" };
        Assert.Equal("NodeAffinity: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector", Assert.Single(Evaluate(Node(), selecting).Reasons));
        selecting.Spec.NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" };
        Assert.True(Evaluate(Node(), selecting).Fits);

        var affine = Rescue();
        affine.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["master-2"] }] }],
                },
            },
        };
        Assert.False(Evaluate(Node("master-1"), affine).Fits);
        Assert.True(Evaluate(Node("master-2"), affine).Fits);
    }

    [Fact]
    public void Every_reason_is_given_not_only_the_first()
    {
        var rescue = Rescue(Container(cpu: "3"));
        rescue.Spec.NodeSelector = new Dictionary<string, string> { ["nowhere"] = "" };
        var candidate = Evaluate(Node(ready: "Unknown", taints: [new() { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" }]), rescue);
        Assert.Equal(["NotReady", "OutOfcpu", "NodeAffinity", "TaintToleration"], candidate.Reasons.Select(r => r[..r.IndexOf(':')]));
    }

    [Fact]
    public void A_live_replica_is_a_running_pod_of_the_component_not_on_its_way_out()
    {
        V1Pod Replica(string label, string phase = "Running", string ns = "kube-system", bool terminating = false)
        {
            var pod = Pod("kube-scheduler-x");
            pod.Metadata.Labels[label] = "kube-scheduler";
            pod.Metadata.NamespaceProperty = ns;
            pod.Status.Phase = phase;
            if (terminating) pod.Metadata.DeletionTimestamp = DateTime.UtcNow;
            return pod;
        }

        Assert.True(Evaluate(Node(), Rescue(), Replica("k8s-app")).HasLiveReplica);
        Assert.True(Evaluate(Node(), Rescue(), Replica("component")).HasLiveReplica);
        Assert.False(Evaluate(Node(), Rescue(), Replica("k8s-app", phase: "Pending")).HasLiveReplica);
        Assert.False(Evaluate(Node(), Rescue(), Replica("k8s-app", terminating: true)).HasLiveReplica);
        Assert.False(Evaluate(Node(), Rescue(), Replica("k8s-app", ns: "default")).HasLiveReplica);
        Assert.False(Evaluate(Node(), Rescue(), Replica("app")).HasLiveReplica);
    }

    [Fact]
    public void The_rescue_pod_already_on_the_node_neither_holds_its_ports_nor_counts_as_a_replica()
    {
        var rescue = Rescue(Container(containerPort: 10251));
        rescue.Spec.HostNetwork = true;
        var earlier = Rescue(Container(containerPort: 10251));
        earlier.Spec.HostNetwork = true;
        earlier.Spec.NodeName = "master-1";
        earlier.Status.Phase = "Running";
        var candidate = Evaluate(Node(), rescue, earlier);
        Assert.True(candidate.Fits);
        Assert.False(candidate.HasLiveReplica);
    }

    [Fact]
    public void Candidates_are_ordered_fitting_first_then_without_a_replica_then_by_name()
    {
        NodeCandidate C(string name, bool fits, bool replica) => new(Node(name), fits, fits ? [] : ["NotReady: x"], replica);
        var ordered = MasterPlacement.Order([C("m-a", false, false), C("m-b", true, true), C("m-c", true, false), C("m-d", true, false), C("m-0", false, true)]);
        Assert.Equal(["m-c", "m-d", "m-b", "m-0", "m-a"], ordered.Select(c => c.Name));
    }
}
