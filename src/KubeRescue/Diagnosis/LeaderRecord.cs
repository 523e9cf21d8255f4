using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace KubeRescue.Diagnosis;

/// <summary>
/// A leader-election record as client-go's resource locks store it: the spec of a coordination.k8s.io/v1 Lease, or,
/// on clusters older than Lease locks, the JSON in the <see cref="Annotation"/> of an Endpoints or ConfigMap.
/// </summary>
/// <param name="Source"><c>Lease</c>, <c>Endpoints</c> or <c>ConfigMap</c>.</param>
public sealed record LeaderRecord(string? HolderIdentity, int? LeaseDurationSeconds, DateTime? RenewTime, string Source)
{
    /// <summary>client-go's LeaderElectionRecordAnnotationKey.</summary>
    public const string Annotation = "control-plane.alpha.kubernetes.io/leader";

    public static LeaderRecord FromLease(V1Lease lease) =>
        new(NullIfEmpty(lease.Spec?.HolderIdentity), lease.Spec?.LeaseDurationSeconds, lease.Spec?.RenewTime, "Lease");

    /// <summary>The record in an object's annotation; null when it has none or it is not the record's JSON.</summary>
    public static LeaderRecord? FromAnnotation(IDictionary<string, string>? annotations, string source)
    {
        if (annotations is null || !annotations.TryGetValue(Annotation, out var json)) return null;
        try
        {
            var record = JsonSerializer.Deserialize(json, LeaderRecordJson.Default.AnnotationRecord);
            return record is null ? null : new(NullIfEmpty(record.HolderIdentity), record.LeaseDurationSeconds, record.RenewTime?.UtcDateTime, source);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Someone holds it and renewed it within its duration, judged at <paramref name="now"/>.</summary>
    public bool HeldAt(DateTime now) => HolderIdentity is not null && !ExpiredAt(now);

    /// <summary>now − renewTime &gt; leaseDurationSeconds; a record missing either cannot be current.</summary>
    public bool ExpiredAt(DateTime now) =>
        RenewTime is not { } renewed || LeaseDurationSeconds is not { } duration || (now - renewed.ToUniversalTime()).TotalSeconds > duration;

    /// <summary>The hostname the identity names: before the first <c>_</c> (<c>&lt;hostname&gt;_&lt;uuid&gt;</c>), or all of an old bare-hostname identity.</summary>
    public string? Hostname => HolderIdentity?.Split('_', 2)[0];

    /// <summary>The identity names this pod: a pod's hostname is its name, a hostNetwork pod's is its node's.</summary>
    public bool Names(V1Pod pod) => Hostname is { } host && (pod.Spec.HostNetwork == true ? pod.Spec.NodeName == host : pod.Metadata.Name == host);

    static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>client-go's LeaderElectionRecord in JSON (metav1.Time is RFC 3339).</summary>
    internal sealed record AnnotationRecord(
        [property: JsonPropertyName("holderIdentity")] string? HolderIdentity,
        [property: JsonPropertyName("leaseDurationSeconds")] int? LeaseDurationSeconds,
        [property: JsonPropertyName("renewTime")] DateTimeOffset? RenewTime);
}

/// <summary>The annotation's JSON contract, generated at compile time (the native build has no reflection-based serializer).</summary>
[JsonSerializable(typeof(LeaderRecord.AnnotationRecord))]
internal sealed partial class LeaderRecordJson : JsonSerializerContext;
