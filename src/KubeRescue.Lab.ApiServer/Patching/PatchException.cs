namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>
/// A patch the API server refuses, carrying what it would put in the failure Status:
/// the HTTP code, the metav1 StatusReason (empty for StatusReasonUnknown, which the
/// server uses for errors it does not classify) and the message.
/// </summary>
public sealed class PatchException(int statusCode, string reason, string message) : Exception(message)
{
    public const string ReasonBadRequest = "BadRequest";
    public const string ReasonInvalid = "Invalid";
    public const string ReasonUnsupportedMediaType = "UnsupportedMediaType";
    public const string ReasonRequestEntityTooLarge = "RequestEntityTooLarge";
    public const string ReasonUnknown = "";

    public int StatusCode { get; } = statusCode;

    public string Reason { get; } = reason;

    /// <summary>
    /// The underlying library error when the server replaces it with a generic message
    /// (a failed JSON patch operation answers 422 with a fixed text); for logs and tests,
    /// never sent to clients.
    /// </summary>
    public string? Detail { get; init; }

    internal static PatchException BadRequest(string message) => new(400, ReasonBadRequest, message);

    // Errors strategicpatch returns unclassified: the server answers 500 with reason Unknown.
    internal static PatchException Internal(string message) => new(500, ReasonUnknown, message);
}
