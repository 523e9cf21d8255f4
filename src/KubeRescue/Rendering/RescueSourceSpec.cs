using System.Globalization;

namespace KubeRescue.Rendering;

/// <summary>
/// What a rescue pod is rendered from, as the operator names it (<c>--source</c>): the component's Deployment (the
/// default, as the Tectonic procedure does), its DaemonSet (Talos), a kubeadm static pod's mirror pod, one of the
/// Deployment's ReplicaSet revisions, the last revision known to have worked, or a manifest file.
/// </summary>
public abstract record RescueSourceSpec
{
    private protected RescueSourceSpec() { }

    /// <summary>The forms <see cref="Parse"/> accepts, for help texts and error messages.</summary>
    public const string Forms = "deployment, daemonset, mirror-pod, revision=N, last-good, file=PATH";

    /// <summary>What a shell completes for <c>--source</c>: the keywords, and the prefixes of the forms that take a value.</summary>
    public static readonly IReadOnlyList<string> Completions = ["deployment", "daemonset", "mirror-pod", "last-good", "revision=", "file="];

    /// <summary>The component's Deployment.</summary>
    public static RescueSourceSpec Default { get; } = new FromDeployment();

    /// <summary>Reads one of <see cref="Forms"/> (keywords in any case).</summary>
    /// <exception cref="FormatException">anything else; the message lists the forms.</exception>
    public static RescueSourceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (key, value) = text.IndexOf('=') is var eq and >= 0 ? (text[..eq], text[(eq + 1)..]) : (text, null);
        RescueSourceSpec? spec = (key.ToLowerInvariant(), value) switch
        {
            ("deployment", null) => Default,
            ("daemonset", null) => new FromDaemonSet(),
            ("mirror-pod", null) => new FromMirrorPod(),
            ("last-good", null) => new LastGood(),
            ("revision", { } n) when long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0 => new FromRevision(revision),
            ("file", { } path) when !string.IsNullOrWhiteSpace(path) => new FromFile(path),
            _ => null,
        };
        return spec ?? throw new FormatException(
            $"\"{text}\" is not a rescue source; use one of: {Forms} (N a revision number from 1, PATH a YAML or JSON manifest)");
    }

    /// <summary>The Deployment's pod template, as the Tectonic procedure copies it.</summary>
    public sealed record FromDeployment : RescueSourceSpec
    {
        public override string ToString() => "deployment";
    }

    /// <summary>The DaemonSet's pod template (Talos 0.8 ran the components as DaemonSets).</summary>
    public sealed record FromDaemonSet : RescueSourceSpec
    {
        public override string ToString() => "daemonset";
    }

    /// <summary>The spec of a kubeadm static pod, as its mirror pod shows it in the API.</summary>
    public sealed record FromMirrorPod : RescueSourceSpec
    {
        public override string ToString() => "mirror-pod";
    }

    /// <summary>The pod template of the Deployment's ReplicaSet whose <c>deployment.kubernetes.io/revision</c> is <paramref name="Revision"/>.</summary>
    public sealed record FromRevision(long Revision) : RescueSourceSpec
    {
        public override string ToString() => $"revision={Revision.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The newest of the Deployment's revisions the evidence in the API says once worked (<see cref="RevisionHistory"/>).</summary>
    public sealed record LastGood : RescueSourceSpec
    {
        public override string ToString() => "last-good";
    }

    /// <summary>A manifest file: a Deployment, DaemonSet, ReplicaSet, Pod, PodTemplate, or a List of them.</summary>
    public sealed record FromFile(string Path) : RescueSourceSpec
    {
        public override string ToString() => $"file={Path}";
    }
}
