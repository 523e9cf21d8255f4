using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Lab.ApiServer.Selectors;

/// <summary>
/// An object's labels and the values of its resource's selectable fields, read once from its stored bytes: what
/// the real watch cache keeps beside every object (its GetAttrs), so that label and field selectors over many
/// objects and many watchers never parse an object again.
/// </summary>
public sealed class SelectorAttributes
{
    readonly string[] _values;

    SelectorAttributes(FieldSet fields, IReadOnlyDictionary<string, string> labels, string[] values)
    {
        Fields = fields;
        Labels = labels;
        _values = values;
    }

    /// <summary>The field set the values were read for.</summary>
    public FieldSet Fields { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>A selectable field's value; null for a field the resource does not expose.</summary>
    public string? Field(string name) => Fields.IndexOf(name) is var i and >= 0 ? _values[i] : null;

    public static SelectorAttributes Of(JsonObject obj, FieldSet fields)
    {
        var labels = LabelSelector.LabelsOf(obj);
        var pooled = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        // Label keys and values and field values repeat across objects (a node name, "Running", an app label):
        // pooled, the attributes of 150,000 pods stay small.
        foreach (var (k, v) in labels) pooled[StringPool.Share(k)] = StringPool.Share(v);
        var values = new string[fields.Count];
        for (var i = 0; i < values.Length; i++) values[i] = StringPool.Share(fields[fields.Names[i]](obj) ?? "");
        return new SelectorAttributes(fields, pooled, values);
    }
}
