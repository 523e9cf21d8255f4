using System.Text.Json;
using System.Text.Json.Serialization;
using KubeRescue.Diagnosis;
using KubeRescue.Recovery;

namespace KubeRescue.Cli.Output;

/// <summary>
/// The documents kube-rescue prints with <c>-o json|yaml</c>, in their documented shape (docs/status.md,
/// docs/recover.md): camelCase names, enums as kebab-case strings, absent values left out. Source-generated: the
/// native build has no reflection-based serializer.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    Converters = [typeof(KebabCaseEnumConverter<Verdict>)])]
[JsonSerializable(typeof(ControlPlaneStatus))]
[JsonSerializable(typeof(RecoveryResult))]
[JsonSerializable(typeof(PlanDocument))]
[JsonSerializable(typeof(DrillReport))]
[JsonSerializable(typeof(BuildInfo))]
public sealed partial class DocumentJson : JsonSerializerContext;

/// <summary>An enum as its member's name in kebab-case (<c>Healthy</c> is <c>healthy</c>), as <c>JsonStringEnumConverter</c> with that policy writes it.</summary>
public sealed class KebabCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.KebabCaseLower) where TEnum : struct, Enum;
