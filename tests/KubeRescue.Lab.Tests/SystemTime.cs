namespace KubeRescue.Lab.Tests;

/// <summary>The system's time under an identity of its own, so that a test can tell which clock a component was handed.</summary>
sealed class SystemTime : TimeProvider;
