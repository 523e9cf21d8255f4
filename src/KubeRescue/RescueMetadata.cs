namespace KubeRescue;

/// <summary>
/// What marks a rescue pod, so that any later run (or a person with kubectl) can find it, tell where it came from,
/// and resume: state lives in the cluster, not in a local file.
/// </summary>
public static class RescueMetadata
{
    /// <summary>Label on every rescue pod: the component it stands in for (<c>kube-scheduler</c>).</summary>
    public const string ComponentLabel = "kube-rescue.io/rescue";

    /// <summary>Annotation: the object the pod was rendered from, <c>Deployment/kube-system/kube-scheduler</c>.</summary>
    public const string SourceAnnotation = "kube-rescue.io/source";

    /// <summary>Annotation: the source's revision (<c>deployment.kubernetes.io/revision</c> of the ReplicaSet, a DaemonSet's generation), when it has one.</summary>
    public const string RevisionAnnotation = "kube-rescue.io/source-revision";

    /// <summary>The field manager and user agent of every write kube-rescue makes.</summary>
    public const string FieldManager = "kube-rescue";
}
