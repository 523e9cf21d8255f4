using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Storage;

namespace KubeRescue.Lab.ApiServer.Http;

/// <summary>A request's labelSelector and fieldSelector, checked against the resource's selectable fields.</summary>
public sealed class ObjectFilter
{
    readonly LabelSelector? _labels;
    readonly FieldSelector? _fields;
    readonly FieldSet _fieldSet;

    ObjectFilter(LabelSelector? labels, FieldSelector? fields, FieldSet fieldSet)
    {
        _labels = labels;
        _fields = fields;
        _fieldSet = fieldSet;
    }

    public bool IsEmpty => _labels is null && _fields is null;

    public static ObjectFilter From(ApiRequest req) => From(req.Resource.FieldSelectors, req.Query("labelSelector"), req.Query("fieldSelector"), req.Info.Name);

    /// <param name="name">A watch on a single object is a watch with metadata.name=name.</param>
    public static ObjectFilter From(FieldSet fieldSet, string? labelSelector, string? fieldSelector, string? name = null)
    {
        try
        {
            var labels = string.IsNullOrWhiteSpace(labelSelector) ? null : LabelSelector.Parse(labelSelector);
            if (name is not null) fieldSelector = string.IsNullOrEmpty(fieldSelector) ? $"metadata.name={name}" : $"{fieldSelector},metadata.name={name}";
            var fields = string.IsNullOrWhiteSpace(fieldSelector) ? null : FieldSelector.Parse(fieldSelector);
            if (fields is not null && fieldSet.Validate(fields) is { } message) throw ApiException.BadRequest(message);
            return new ObjectFilter(labels, fields, fieldSet);
        }
        catch (SelectorException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    /// <summary>Matches a stored object by its attributes, read from its bytes the first time anyone asks.</summary>
    public bool Matches(KeyValue kv)
    {
        if (IsEmpty) return true;
        if (kv.Derived is not SelectorAttributes attributes || attributes.Fields != _fieldSet)
            kv.Derived = attributes = SelectorAttributes.Of(JsonNode.Parse(kv.Value)!.AsObject(), _fieldSet);
        return Matches(attributes);
    }

    bool Matches(SelectorAttributes attributes)
    {
        if (_labels is not null && !_labels.Matches(attributes.Labels)) return false;
        return _fields is null || _fields.Matches(attributes.Field);
    }
}
