using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Lab.ApiServer.Errors;

/// <summary>
/// One field-level validation failure, shaped like apimachinery's field.Error.
/// <see cref="Reason"/> is the metav1 CauseType (e.g. <c>FieldValueRequired</c>), <see cref="Field"/> the path
/// (e.g. <c>spec.containers[0].name</c>) and <see cref="Message"/> the text field.Error.ErrorBody() prints,
/// i.e. without the "field: " prefix. Together they are a Status cause.
/// </summary>
public sealed record FieldError(string Reason, string Field, string Message)
{
    /// <summary>The text upstream's field.Error.Error() prints: "field: message".</summary>
    public override string ToString() => $"{Field}: {Message}";

    internal static FieldError Required(string field, string detail = "") =>
        new("FieldValueRequired", field, WithDetail("Required value", detail));

    internal static FieldError Forbidden(string field, string detail) =>
        new("FieldValueForbidden", field, WithDetail("Forbidden", detail));

    /// <param name="renderedValue">The bad value already rendered the way Go prints it (see <see cref="GoFormat"/>).</param>
    internal static FieldError Invalid(string field, string renderedValue, string detail) =>
        new("FieldValueInvalid", field, WithDetail("Invalid value: " + renderedValue, detail));

    internal static FieldError Duplicate(string field, string renderedValue) =>
        new("FieldValueDuplicate", field, "Duplicate value: " + renderedValue);

    internal static FieldError NotSupported(string field, string renderedValue, IEnumerable<string> supported)
    {
        var quoted = string.Join(", ", supported.Select(GoFormat.Quote));
        return new("FieldValueNotSupported", field,
            WithDetail("Unsupported value: " + renderedValue, quoted.Length == 0 ? "" : "supported values: " + quoted));
    }

    internal static FieldError TooLong(string field, int maxBytes) =>
        new("FieldValueTooLong", field, $"Too long: may not be more than {maxBytes} {(maxBytes == 1 ? "byte" : "bytes")}");

    private static string WithDetail(string body, string detail) => detail.Length == 0 ? body : body + ": " + detail;
}
