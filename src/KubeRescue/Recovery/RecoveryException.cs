namespace KubeRescue.Recovery;

/// <summary>The recovery was refused before anything changed: the component is healthy, the input is wrong, nothing can run the pod.</summary>
public sealed class RecoveryRefusedException(string message) : Exception(message);

/// <summary>A step could not be completed; what this run created has been removed or is named in the message.</summary>
public sealed class RecoveryFailedException(string message, Exception? inner = null) : Exception(message, inner);
