using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>
/// k8s.io/apimachinery's messages (runtime, meta/v1, util/intstr, api/resource), numbered as in its generated.proto files.
/// </summary>
public static class Apimachinery
{
    const string Meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";

    public static readonly ProtoMessage TypeMeta = new("k8s.io.apimachinery.pkg.runtime.TypeMeta",
        Str(1, "apiVersion"), Str(2, "kind"));

    /// <summary>The envelope every Kubernetes protobuf body is, after its four-byte magic: the object's type and its bytes.</summary>
    public static readonly ProtoMessage Unknown = new("k8s.io.apimachinery.pkg.runtime.Unknown",
        Msg(1, "typeMeta", TypeMeta), Bytes(2, "raw"), Str(3, "contentEncoding"), Str(4, "contentType"));

    /// <summary>Seconds only, as upstream's Time.Unmarshal drops the nanoseconds; the zero time (an empty message) is left out.</summary>
    public static readonly ProtoMessage Time = new(Meta + "Time", Int64(1, "seconds", Zero.Keep), Int32(2, "nanos"))
    {
        Render = o => o.Count == 0 ? null : Timestamp(o, 0).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    /// <summary>Microseconds, truncated as upstream's MicroTime.Unmarshal does.</summary>
    public static readonly ProtoMessage MicroTime = new(Meta + "MicroTime", Int64(1, "seconds", Zero.Keep), Int32(2, "nanos"))
    {
        Render = o => o.Count == 0 ? null
            : Timestamp(o, ((int?)o["nanos"] ?? 0) / 1000).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
    };

    static DateTime Timestamp(JsonObject o, long micros)
    {
        try
        {
            return DateTime.UnixEpoch.AddSeconds((long?)o["seconds"] ?? 0).AddTicks(micros * TimeSpan.TicksPerMicrosecond);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException($"timestamp {(long?)o["seconds"]} is outside the years 0001-9999");
        }
    }

    /// <summary>The canonical string the sender wrote; an absent one is the zero quantity, as Go's zero Quantity marshals.</summary>
    public static readonly ProtoMessage Quantity = new("k8s.io.apimachinery.pkg.api.resource.Quantity", Str(1, "string"))
    {
        Render = o => (string?)o["string"] ?? "0",
    };

    /// <summary>type 0 is the integer, type 1 the string.</summary>
    public static readonly ProtoMessage IntOrString = new("k8s.io.apimachinery.pkg.util.intstr.IntOrString",
        Int64(1, "type"), Int32(2, "intVal"), Str(3, "strVal"))
    {
        Render = o => ((long?)o["type"] ?? 0) switch
        {
            0 => (int?)o["intVal"] ?? 0,
            1 => (string?)o["strVal"] ?? "",
            var t => throw new FormatException($"IntOrString has type {t}, which is neither 0 (int) nor 1 (string)"),
        },
    };

    /// <summary>Raw holds the managed fields' JSON, which is what the JSON form shows.</summary>
    public static readonly ProtoMessage FieldsV1 = new(Meta + "FieldsV1", Bytes(1, "Raw"))
    {
        Render = o =>
        {
            if ((string?)o["Raw"] is not { } raw) return null;
            try
            {
                return JsonNode.Parse(Convert.FromBase64String(raw));
            }
            catch (JsonException e)
            {
                throw new FormatException($"FieldsV1 does not hold JSON: {e.Message}");
            }
        },
    };

    public static readonly ProtoMessage OwnerReference = new(Meta + "OwnerReference",
        Str(5, "apiVersion", Zero.Keep), Str(1, "kind", Zero.Keep), Str(3, "name", Zero.Keep), Str(4, "uid", Zero.Keep),
        Bool(6, "controller", Zero.Keep), Bool(7, "blockOwnerDeletion", Zero.Keep));

    public static readonly ProtoMessage ManagedFieldsEntry = new(Meta + "ManagedFieldsEntry",
        Str(1, "manager"), Str(2, "operation"), Str(3, "apiVersion"), Msg(4, "time", Time), Str(6, "fieldsType"),
        Msg(7, "fieldsV1", FieldsV1), Str(8, "subresource"));

    public static readonly ProtoMessage ObjectMeta = new(Meta + "ObjectMeta",
        Str(1, "name"), Str(2, "generateName"), Str(3, "namespace"), Str(4, "selfLink"), Str(5, "uid"), Str(6, "resourceVersion"),
        Int64(7, "generation"), Msg(8, "creationTimestamp", Time), Msg(9, "deletionTimestamp", Time),
        Int64(10, "deletionGracePeriodSeconds", Zero.Keep), StrMap(11, "labels"), StrMap(12, "annotations"),
        Msgs(13, "ownerReferences", OwnerReference), Strs(14, "finalizers"), Msgs(17, "managedFields", ManagedFieldsEntry));

    public static readonly ProtoMessage LabelSelectorRequirement = new(Meta + "LabelSelectorRequirement",
        Str(1, "key", Zero.Keep), Str(2, "operator", Zero.Keep), Strs(3, "values"));

    public static readonly ProtoMessage LabelSelector = new(Meta + "LabelSelector",
        StrMap(1, "matchLabels"), Msgs(2, "matchExpressions", LabelSelectorRequirement));

    public static readonly ProtoMessage Condition = new(Meta + "Condition",
        Str(1, "type", Zero.Keep), Str(2, "status", Zero.Keep), Int64(3, "observedGeneration"), Msg(4, "lastTransitionTime", Time),
        Str(5, "reason", Zero.Keep), Str(6, "message", Zero.Keep));

    public static readonly ProtoMessage Preconditions = new(Meta + "Preconditions",
        Str(1, "uid", Zero.Keep), Str(2, "resourceVersion", Zero.Keep));

    public static readonly ProtoMessage DeleteOptions = new(Meta + "DeleteOptions",
        Int64(1, "gracePeriodSeconds", Zero.Keep), Msg(2, "preconditions", Preconditions), Bool(3, "orphanDependents", Zero.Keep),
        Str(4, "propagationPolicy", Zero.Keep), Strs(5, "dryRun"), Bool(6, "ignoreStoreReadErrorWithClusterBreakingPotential", Zero.Keep));
}
