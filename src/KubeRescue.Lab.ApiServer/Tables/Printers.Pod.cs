using System.Globalization;
using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Lab.ApiServer.Objects;

namespace KubeRescue.Lab.ApiServer.Tables;

internal static partial class Printers
{
    private static readonly TableRowCondition[] PodSucceeded =
        [new("Completed", "True", "Succeeded", "The pod has completed successfully.")];

    private static readonly TableRowCondition[] PodFailed =
        [new("Completed", "True", "Failed", "The pod failed.")];

    public static IReadOnlyList<TableRowCondition>? PodConditions(JsonObject pod) => Json.Str(pod, "status", "phase") switch
    {
        "Succeeded" => PodSucceeded,
        "Failed" => PodFailed,
        _ => null,
    };

    // printPod: READY counts ready containers (and started restartable init containers), STATUS is
    // the most specific reason found walking init containers, then containers from last to first.
    public static IReadOnlyList<object?> Pod(JsonObject pod, DateTimeOffset now)
    {
        var spec = Json.Obj(pod, "spec");
        var status = Json.Obj(pod, "status");

        long restarts = 0;
        long sidecarRestarts = 0;
        var totalContainers = Json.Count(spec, "containers");
        var readyContainers = 0;
        DateTimeOffset? lastRestart = null;
        DateTimeOffset? lastSidecarRestart = null;

        var phase = Json.Str(status, "phase") ?? "";
        var statusReason = Json.Str(status, "reason") ?? "";
        var reason = statusReason.Length > 0 ? statusReason : phase;

        foreach (var condition in Json.Objs(status, "conditions"))
        {
            if (Json.Str(condition, "type") == "PodScheduled" && Json.Str(condition, "reason") == "SchedulingGated")
                reason = "SchedulingGated";
        }

        // Sidecars (init containers with restartPolicy Always) count as regular containers.
        var initSpecs = Json.Objs(spec, "initContainers").ToList();
        var restartableInit = new Dictionary<string, bool>();
        foreach (var c in initSpecs)
        {
            var restartable = Json.Str(c, "restartPolicy") == "Always";
            restartableInit[Json.Str(c, "name") ?? ""] = restartable;
            if (restartable)
                totalContainers++;
        }

        var initializing = false;
        var initStatuses = Json.Objs(status, "initContainerStatuses").ToList();
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var restartCount = (Json.Long(container, "restartCount") ?? 0);
            var finishedAt = LastTerminationFinishedAt(container);
            restarts += restartCount;
            lastRestart = Later(lastRestart, finishedAt);
            var isSidecar = restartableInit.TryGetValue(Json.Str(container, "name") ?? "", out var r) && r;
            if (isSidecar)
            {
                sidecarRestarts += restartCount;
                lastSidecarRestart = Later(lastSidecarRestart, finishedAt);
            }

            var terminated = Json.Obj(container, "state", "terminated");
            var waiting = Json.Obj(container, "state", "waiting");
            if (terminated is not null && (Json.Long(terminated, "exitCode") ?? 0) == 0)
                continue;
            if (isSidecar && Json.Bool(container, "started") == true)
            {
                if (Json.Bool(container, "ready") == true)
                    readyContainers++;
                continue;
            }

            if (terminated is not null)
            {
                // Initialization failed.
                var terminatedReason = Json.Str(terminated, "reason") ?? "";
                reason = terminatedReason.Length > 0 ? "Init:" + terminatedReason : "Init:" + ExitDescription(terminated);
            }
            else if (waiting is not null && Json.Str(waiting, "reason") is { Length: > 0 } waitingReason && waitingReason != "PodInitializing")
            {
                reason = "Init:" + waitingReason;
            }
            else
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"Init:{i}/{initSpecs.Count}");
            }
            initializing = true;
            break;
        }

        if (!initializing || IsPodInitialized(status))
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            var statuses = Json.Objs(status, "containerStatuses").ToList();
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += (Json.Long(container, "restartCount") ?? 0);
                lastRestart = Later(lastRestart, LastTerminationFinishedAt(container));

                var terminated = Json.Obj(container, "state", "terminated");
                var waitingReason = Json.Str(container, "state", "waiting", "reason") ?? "";
                if (waitingReason.Length > 0)
                    reason = waitingReason;
                else if (terminated is not null)
                    reason = Json.Str(terminated, "reason") is { Length: > 0 } tr ? tr : ExitDescription(terminated);
                else if (Json.Bool(container, "ready") == true && Json.Has(container, "state", "running"))
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            // A pod whose last container finished but another still runs is not "Completed".
            if (reason == "Completed" && hasRunning)
                reason = HasCondition(status, "Ready") ? "Running" : "NotReady";
        }

        if (Json.Has(pod, "metadata", "deletionTimestamp"))
        {
            if (statusReason == "NodeLost")
                reason = "Unknown";
            else if (phase is not ("Succeeded" or "Failed"))
                reason = "Terminating";
        }

        var restartsText = Format.Int(restarts);
        if (restarts != 0 && lastRestart is not null)
            restartsText = $"{restartsText} ({HumanDuration.Since(lastRestart, now)} ago)";

        var podIP = Json.Str(status, "podIP") ?? "";
        if (podIP.Length == 0)
            podIP = Json.Objs(status, "podIPs").Select(ip => Json.Str(ip, "ip") ?? "").FirstOrDefault() ?? "";

        var readinessGates = "<none>";
        var gates = Json.Objs(spec, "readinessGates").ToList();
        if (gates.Count > 0)
        {
            var conditions = Json.Objs(status, "conditions").ToList();
            var satisfied = gates.Count(gate =>
                conditions.FirstOrDefault(c => Json.Str(c, "type") == Json.Str(gate, "conditionType")) is { } c
                && Json.Str(c, "status") == "True");
            readinessGates = string.Create(CultureInfo.InvariantCulture, $"{satisfied}/{gates.Count}");
        }

        return
        [
            Json.Str(pod, "metadata", "name") ?? "",
            string.Create(CultureInfo.InvariantCulture, $"{readyContainers}/{totalContainers}"),
            reason,
            restartsText,
            Age(pod, now),
            Format.OrNone(podIP),
            Format.OrNone(Json.Str(spec, "nodeName") ?? ""),
            Format.OrNone(Json.Str(status, "nominatedNodeName") ?? ""),
            readinessGates,
        ];
    }

    private static DateTimeOffset? LastTerminationFinishedAt(JsonObject containerStatus) =>
        Json.Time(containerStatus, "lastState", "terminated", "finishedAt");

    private static DateTimeOffset? Later(DateTimeOffset? current, DateTimeOffset? candidate) =>
        candidate is { } c && (current is not { } cur || cur < c) ? c : current;

    private static string ExitDescription(JsonObject terminated)
    {
        var signal = (Json.Long(terminated, "signal") ?? 0);
        return signal != 0
            ? "Signal:" + Format.Int(signal)
            : "ExitCode:" + Format.Int((Json.Long(terminated, "exitCode") ?? 0));
    }

    private static bool IsPodInitialized(JsonObject? status) =>
        Json.Objs(status, "conditions").FirstOrDefault(c => Json.Str(c, "type") == "Initialized") is { } c
        && Json.Str(c, "status") == "True";

    private static bool HasCondition(JsonObject? status, string type) =>
        Json.Objs(status, "conditions").Any(c => Json.Str(c, "type") == type && Json.Str(c, "status") == "True");
}
