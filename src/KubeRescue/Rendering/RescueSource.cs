using k8s.Models;

namespace KubeRescue.Rendering;

/// <summary>
/// A resolved source: what it is (<c>Deployment/kube-system/kube-scheduler</c>, the value of
/// <see cref="RescueMetadata.SourceAnnotation"/>), its revision when it has one (the ReplicaSet's
/// <c>deployment.kubernetes.io/revision</c>, a DaemonSet's revision), and the pod template to render.
/// </summary>
public sealed record RescueSource(string Description, string? Revision, V1PodTemplateSpec Template)
{
    /// <summary>Why this source was taken, for the operator (which revision <c>last-good</c> chose and on what evidence); null when there is nothing to say.</summary>
    public string? Detail { get; init; }
}

/// <summary>A source that cannot be resolved; the message is for the operator and says what exists instead.</summary>
public sealed class RescueSourceException(string message) : Exception(message);
