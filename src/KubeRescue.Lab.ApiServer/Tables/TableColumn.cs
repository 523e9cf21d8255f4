namespace KubeRescue.Lab.ApiServer.Tables;

/// <summary>One metav1.TableColumnDefinition. Priority 0 columns are always shown; kubectl shows priority 1 columns only with -o wide.</summary>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority);

/// <summary>One metav1.TableRowCondition (upstream sets them only on finished pods).</summary>
public sealed record TableRowCondition(string Type, string Status, string Reason, string Message);
