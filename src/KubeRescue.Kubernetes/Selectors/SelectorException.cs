namespace KubeRescue.Kubernetes.Selectors;

/// <summary>
/// A label or field selector the API server would reject. <see cref="Exception.Message"/> is exactly the
/// text the real server puts in the 400 BadRequest Status message.
/// </summary>
public sealed class SelectorException(string message) : Exception(message);
