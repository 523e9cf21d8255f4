using KubeRescue.Rendering;
using k8s.Models;
using k8s;

namespace KubeRescue.Tests.Rendering;

public class RescuePodRendererTests
{
    static readonly ControlPlaneComponent Component = ControlPlaneComponent.ControllerManager;

    /// <summary>bootkube's controller-manager template, with what variants in the wild add (field guide §1).</summary>
    static V1PodTemplateSpec Template() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Labels = new Dictionary<string, string> { ["tier"] = "control-plane", ["k8s-app"] = "kube-controller-manager", ["pod-template-hash"] = "7d9f" },
            Annotations = new Dictionary<string, string>
            {
                ["kubectl.kubernetes.io/restartedAt"] = "2026-01-01T00:00:00Z",
                ["checkpointer.alpha.coreos.com/checkpoint"] = "true",
                ["kube-rescue.io/source"] = "a stale copy",
                ["seccomp.security.alpha.kubernetes.io/pod"] = "runtime/default",
            },
            // A template copied from a live object may carry these; the rescue pod must not.
            Uid = "2f1c", ResourceVersion = "812", CreationTimestamp = DateTime.UtcNow, GenerateName = "kube-controller-manager-7d9f-",
            OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "kube-controller-manager-7d9f", Uid = "9a", Controller = true }],
            ManagedFields = [new V1ManagedFieldsEntry { Manager = "kube-controller-manager", Operation = "Update" }],
        },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "kube-controller-manager",
                    Image = "quay.io/coreos/hyperkube:v1.8.4_coreos.0",
                    Command = ["./hyperkube", "controller-manager", "--leader-elect=true"],
                    LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 10252 }, InitialDelaySeconds = 15 },
                    VolumeMounts = [new V1VolumeMount { Name = "secrets", MountPath = "/etc/kubernetes/secrets", ReadOnlyProperty = true }],
                },
            ],
            Volumes = [new V1Volume { Name = "secrets", Secret = new V1SecretVolumeSource { SecretName = "kube-controller-manager" } }],
            HostNetwork = true,
            NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" },
            Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "node.kubernetes.io/master", OperatorProperty = "Exists" }] }],
                    },
                    PreferredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PreferredSchedulingTerm { Weight = 1, Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "In", Values = ["ssd"] }] } },
                    ],
                },
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "kube-controller-manager" } } },
                    ],
                },
            },
            Tolerations =
            [
                new V1Toleration { Key = "node-role.kubernetes.io/master", OperatorProperty = "Exists", Effect = "NoSchedule" },
                new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "control-plane", Effect = "NoExecute" },
            ],
            ServiceAccountName = "kube-controller-manager",
            ServiceAccount = "kube-controller-manager",
            AutomountServiceAccountToken = false,
            PriorityClassName = "system-cluster-critical",
            Priority = 2000000000,
            PreemptionPolicy = "PreemptLowerPriority",
            SchedulingGates = [new V1PodSchedulingGate { Name = "example.com/wait" }],
            SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 65534 },
            RestartPolicy = "Always",
        },
    };

    static V1Node Master(params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = "master-2", Labels = new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" } },
        Spec = new V1NodeSpec { Taints = taints },
    };

    static readonly V1Taint MasterNoSchedule = new() { Key = "node-role.kubernetes.io/master", Effect = "NoSchedule" };
    static readonly V1Taint Unreachable = new() { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" };
    static readonly V1Taint DedicatedControlPlane = new() { Key = "dedicated", Value = "control-plane", Effect = "NoExecute" };

    static RescueSource Source(V1PodTemplateSpec template, string? revision = "4") => new("Deployment/kube-system/kube-controller-manager", revision, template);

    static string Json(object? value) => KubernetesJson.Serialize(value);

    [Fact]
    public void The_pod_is_the_tectonic_rescue_pod()
    {
        var pod = RescuePodRenderer.Render(Component, Source(Template()), Master(MasterNoSchedule));

        Assert.Equal(("v1", "Pod"), (pod.ApiVersion, pod.Kind));
        Assert.Equal(("kube-controller-manager-rescue", "kube-system"), (pod.Metadata.Name, pod.Metadata.NamespaceProperty));
        Assert.Equal("master-2", pod.Spec.NodeName);
        Assert.Equal(("default", "default"), (pod.Spec.ServiceAccountName, pod.Spec.ServiceAccount));
        Assert.Null(pod.Spec.NodeSelector);
        Assert.Null(pod.Status);
    }

    [Fact]
    public void None_of_the_template_labels_only_the_rescue_label_so_no_ReplicaSet_adopts_it()
    {
        var pod = RescuePodRenderer.Render(Component, Source(Template()), Master());
        Assert.Equal(new Dictionary<string, string> { [RescueMetadata.ComponentLabel] = "kube-controller-manager" }, pod.Metadata.Labels);
    }

    [Fact]
    public void Server_fields_of_the_template_metadata_never_reach_the_pod()
    {
        var meta = RescuePodRenderer.Render(Component, Source(Template()), Master()).Metadata;
        Assert.Null(meta.Uid);
        Assert.Null(meta.ResourceVersion);
        Assert.Null(meta.CreationTimestamp);
        Assert.Null(meta.GenerateName);
        Assert.Null(meta.OwnerReferences);
        Assert.Null(meta.ManagedFields);
        Assert.DoesNotContain("creationTimestamp", Json(meta));
    }

    [Fact]
    public void Annotations_name_the_source_and_revision_and_keep_the_template_s_own_but_markers_of_other_things()
    {
        var annotations = RescuePodRenderer.Render(Component, Source(Template()), Master()).Metadata.Annotations;
        Assert.Equal(new Dictionary<string, string>
        {
            ["seccomp.security.alpha.kubernetes.io/pod"] = "runtime/default",
            [RescueMetadata.SourceAnnotation] = "Deployment/kube-system/kube-controller-manager",
            [RescueMetadata.RevisionAnnotation] = "4",
        }, annotations);

        var noRevision = RescuePodRenderer.Render(Component, Source(Template(), revision: null), Master()).Metadata.Annotations;
        Assert.False(noRevision.ContainsKey(RescueMetadata.RevisionAnnotation));
    }

    [Fact]
    public void Required_node_affinity_and_pod_anti_affinity_go_preferred_node_affinity_stays()
    {
        var affinity = RescuePodRenderer.Render(Component, Source(Template()), Master()).Spec.Affinity;
        Assert.Null(affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("disk", Assert.Single(affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution).Preference.MatchExpressions[0].Key);
        Assert.Null(affinity.PodAntiAffinity);

        var onlyRequired = Template();
        onlyRequired.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = null;
        Assert.Null(RescuePodRenderer.Render(Component, Source(onlyRequired), Master()).Spec.Affinity);
    }

    [Fact]
    public void Tolerations_are_added_for_the_node_s_untolerated_NoExecute_taints_only()
    {
        var other = new V1Taint { Key = "example.com/maintenance", Effect = "NoSchedule" };
        var pod = RescuePodRenderer.Render(Component, Source(Template()), Master(MasterNoSchedule, Unreachable, DedicatedControlPlane, other));

        // The template's own two, then one for the unreachable taint: dedicated=control-plane is tolerated already,
        // NoSchedule taints are no matter to the kubelet.
        Assert.Equal(Json(Template().Spec.Tolerations.Append(new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute" })),
            Json(pod.Spec.Tolerations));
        Assert.Equal(Json(Template().Spec.Tolerations), Json(RescuePodRenderer.Render(Component, Source(Template()), Master(MasterNoSchedule, other)).Spec.Tolerations));

        var none = Template();
        none.Spec.Tolerations = null;
        Assert.Equal(["node.kubernetes.io/unreachable", "dedicated"], RescuePodRenderer.Render(Component, Source(none), Master(Unreachable, DedicatedControlPlane)).Spec.Tolerations.Select(t => t.Key));
    }

    [Fact]
    public void What_runs_is_the_template_s_own()
    {
        var template = Template();
        var spec = RescuePodRenderer.Render(Component, Source(template), Master()).Spec;
        Assert.True(spec.HostNetwork);
        Assert.False(spec.AutomountServiceAccountToken);
        Assert.Equal(Json(template.Spec.Containers), Json(spec.Containers));
        Assert.Equal(Json(template.Spec.Volumes), Json(spec.Volumes));
        Assert.Equal(Json(template.Spec.SecurityContext), Json(spec.SecurityContext));
        Assert.Equal("system-cluster-critical", spec.PriorityClassName);
        Assert.Equal("Always", spec.RestartPolicy);
    }

    [Fact]
    public void Fields_the_API_server_would_refuse_on_create_are_left_out()
    {
        var spec = RescuePodRenderer.Render(Component, Source(Template()), Master()).Spec;
        Assert.Null(spec.Priority);
        Assert.Null(spec.PreemptionPolicy);
        Assert.Null(spec.SchedulingGates);
    }

    [Fact]
    public void A_pod_source_s_restart_policy_becomes_Always()
    {
        var template = Template();
        template.Spec.RestartPolicy = "OnFailure";
        Assert.Equal("Always", RescuePodRenderer.Render(Component, Source(template), Master()).Spec.RestartPolicy);
    }

    [Fact]
    public void Rendering_changes_nothing_it_was_given()
    {
        var template = Template();
        var node = Master(Unreachable);
        var (before, nodeBefore) = (Json(template), Json(node));
        RescuePodRenderer.Render(Component, Source(template), node);
        Assert.Equal(before, Json(template));
        Assert.Equal(nodeBefore, Json(node));
    }

    [Fact]
    public void The_draft_has_no_node_and_only_the_template_s_tolerations()
    {
        var draft = RescuePodRenderer.Draft(Component, Source(Template()));
        Assert.Null(draft.Spec.NodeName);
        Assert.Equal(Json(Template().Spec.Tolerations), Json(draft.Spec.Tolerations));
        Assert.Equal("kube-controller-manager-rescue", draft.Metadata.Name);
    }
}
