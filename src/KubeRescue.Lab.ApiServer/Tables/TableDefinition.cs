using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Tables;

/// <summary>
/// How one resource is rendered as a Table: its columns and, for an object at a given instant,
/// its cells (string, long, bool or null, one per column: the server always prints wide rows).
/// </summary>
public sealed class TableDefinition
{
    public TableDefinition(
        IReadOnlyList<TableColumn> columns,
        Func<JsonObject, DateTimeOffset, IReadOnlyList<object?>> row,
        Func<JsonObject, IReadOnlyList<TableRowCondition>?>? conditions = null)
    {
        Columns = columns;
        Row = row;
        Conditions = conditions;
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public Func<JsonObject, DateTimeOffset, IReadOnlyList<object?>> Row { get; }

    /// <summary>Row conditions for an object, or null when it has none.</summary>
    public Func<JsonObject, IReadOnlyList<TableRowCondition>?>? Conditions { get; }

    /// <summary>
    /// The default convertor builds its rows by appending to a nil slice, so an empty list
    /// serialises as "rows":null; the printers pre-allocate and give "rows":[].
    /// </summary>
    public bool NullRowsWhenEmpty { get; init; }
}
