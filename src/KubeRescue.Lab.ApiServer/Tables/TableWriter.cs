using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Tables;

/// <summary>
/// Writes the meta.k8s.io Table a server returns for Accept: application/json;as=Table;g=meta.k8s.io;v=v1
/// (apiserver handlers/response.go asTable), for a list, a single object, or one watch event.
/// </summary>
public static class TableWriter
{
    public const string DefaultApiVersion = "meta.k8s.io/v1";

    /// <summary>
    /// Parses the includeObject query parameter: absent or empty means Metadata; values are case-sensitive.
    /// On false the server answers 400 BadRequest "unrecognized includeObject value: \"x\"".
    /// </summary>
    public static bool TryParseIncludeObject(string? value, out IncludeObject include)
    {
        switch (value)
        {
            case null or "" or "Metadata":
                include = IncludeObject.Metadata;
                return true;
            case "Object":
                include = IncludeObject.Object;
                return true;
            case "None":
                include = IncludeObject.None;
                return true;
            default:
                include = IncludeObject.Metadata;
                return false;
        }
    }

    /// <summary>
    /// Writes one Table. <paramref name="resourceVersion"/> is the list's (or, for a single object or
    /// watch event, the object's). A watch sends column definitions only with its first event; later
    /// events pass <paramref name="includeColumnDefinitions"/> false and get "columnDefinitions":null.
    /// <paramref name="apiVersion"/> is meta.k8s.io/v1beta1 when the client negotiated v1beta1; the
    /// PartialObjectMetadata rows follow it. Objects are written as given, already in the requested version.
    /// </summary>
    public static void WriteTable(
        Utf8JsonWriter w,
        TableDefinition def,
        IEnumerable<JsonObject> items,
        string resourceVersion,
        string? continueToken,
        IncludeObject include,
        DateTimeOffset now,
        bool includeColumnDefinitions = true,
        long? remainingItemCount = null,
        string apiVersion = DefaultApiVersion)
    {
        w.WriteStartObject();
        w.WriteString("kind", "Table");
        w.WriteString("apiVersion", apiVersion);

        w.WriteStartObject("metadata");
        if (!string.IsNullOrEmpty(resourceVersion))
            w.WriteString("resourceVersion", resourceVersion);
        if (!string.IsNullOrEmpty(continueToken))
            w.WriteString("continue", continueToken);
        if (remainingItemCount is { } remaining)
            w.WriteNumber("remainingItemCount", remaining);
        w.WriteEndObject();

        if (includeColumnDefinitions)
        {
            w.WriteStartArray("columnDefinitions");
            foreach (var column in def.Columns)
            {
                w.WriteStartObject();
                w.WriteString("name", column.Name);
                w.WriteString("type", column.Type);
                w.WriteString("format", column.Format);
                w.WriteString("description", column.Description);
                w.WriteNumber("priority", column.Priority);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("columnDefinitions");
        }

        var wroteRows = false;
        foreach (var item in items)
        {
            if (!wroteRows)
            {
                w.WriteStartArray("rows");
                wroteRows = true;
            }
            WriteRow(w, def, item, include, now, apiVersion);
        }
        if (wroteRows)
            w.WriteEndArray();
        else if (def.NullRowsWhenEmpty)
            w.WriteNull("rows");
        else
        {
            w.WriteStartArray("rows");
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter w, TableDefinition def, JsonObject item, IncludeObject include, DateTimeOffset now, string apiVersion)
    {
        w.WriteStartObject();
        w.WriteStartArray("cells");
        foreach (var cell in def.Row(item, now))
            WriteCell(w, cell);
        w.WriteEndArray();

        if (def.Conditions?.Invoke(item) is { Count: > 0 } conditions)
        {
            w.WriteStartArray("conditions");
            foreach (var condition in conditions)
            {
                w.WriteStartObject();
                w.WriteString("type", condition.Type);
                w.WriteString("status", condition.Status);
                w.WriteString("reason", condition.Reason);
                w.WriteString("message", condition.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        w.WritePropertyName("object");
        switch (include)
        {
            case IncludeObject.None:
                w.WriteNullValue();
                break;
            case IncludeObject.Object:
                item.WriteTo(w);
                break;
            default:
                w.WriteStartObject();
                w.WriteString("kind", "PartialObjectMetadata");
                w.WriteString("apiVersion", apiVersion);
                w.WritePropertyName("metadata");
                if (item["metadata"] is JsonObject metadata)
                    metadata.WriteTo(w);
                else
                {
                    w.WriteStartObject();
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteCell(Utf8JsonWriter w, object? cell)
    {
        switch (cell)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            default:
                throw new ArgumentException($"Unsupported table cell type {cell.GetType()}.", nameof(cell));
        }
    }
}
