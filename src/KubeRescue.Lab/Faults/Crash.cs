using k8s.Models;

namespace KubeRescue.Lab.Faults;

static class Crash
{
    /// <summary>How a pod's container last crashed ("exit code 1 (Error)"), or null when none has exited non-zero.</summary>
    public static string? Of(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(s => s.State?.Terminated ?? s.LastState?.Terminated).FirstOrDefault(t => t is { ExitCode: not 0 }) is { } t
            ? $"exit code {t.ExitCode} ({t.Reason})"
            : null;
}
