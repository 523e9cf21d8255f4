using System.Globalization;
using KubeRescue.Cli.Output;
using KubeRescue.Diagnosis;
using KubeRescue.Kubernetes.Text;
using Spectre.Console.Rendering;
using Spectre.Console;

namespace KubeRescue.Cli.Commands.Status;

/// <summary>The status as tables, one per section, for people; colours only on a terminal and without NO_COLOR.</summary>
public static class StatusView
{
    public static void Write(IAnsiConsole console, ControlPlaneStatus status)
    {
        var ascii = !console.Profile.Capabilities.Ansi;
        Table NewTable(string title, params string[] columns)
        {
            var table = new Table { Border = ascii ? TableBorder.Ascii : TableBorder.Rounded, Title = new TableTitle(title, new Style(decoration: Decoration.Bold)) };
            foreach (var column in columns) table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
            return table;
        }

        console.Write(new Text("Control plane: "));
        console.Write(VerdictText(status.Overall));
        console.WriteLine($" (observed {status.ObservedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)})");
        console.WriteLine();

        var api = NewTable("API server", "VERDICT", "LIVEZ", "READYZ", "DETAIL");
        api.AddRow(VerdictText(status.ApiServer.Verdict), Plain(status.ApiServer.Live ? "ok" : "failed"), Plain(status.ApiServer.Ready ? "ok" : "failed"),
            Plain(status.ApiServer.Detail ?? ""));
        console.Write(api);

        var overview = NewTable("Components", "COMPONENT", "VERDICT", "SUMMARY");
        foreach (var c in status.Components) overview.AddRow(Plain(c.Name), VerdictText(c.Verdict), Plain(c.Summary));
        console.Write(overview);

        foreach (var c in status.Components)
        {
            console.WriteLine();
            console.Write(new Text($"{c.Name}: ", new Style(decoration: Decoration.Bold)));
            console.Write(VerdictText(c.Verdict));
            console.WriteLine();
            Line(console, "Workload", c.Workload is { } w
                ? $"{w.Kind} {w.Name}: {w.Desired} desired, {w.ReadyPods} ready by its pods"
                  + (w.ReportedAvailable is { } r ? $", {r} available by its own status" : "") + (w.Revision is { } rev ? $", revision {rev}" : "")
                : "none found (no Deployment, DaemonSet or static pod)");
            if (c.Pods.Count > 0)
            {
                var pods = NewTable($"{c.Name} pods", "NAME", "NODE", "PHASE", "REASON", "RESTARTS", "READY", "LIVE", "REVISION", "AGE");
                foreach (var p in c.Pods)
                    pods.AddRow(Plain(p.IsRescue ? $"{p.Name} (rescue)" : p.Name), Plain(p.Node ?? "<none>"), Plain(p.Phase), Plain(p.Reason ?? ""),
                        Plain(p.Restarts.ToString(CultureInfo.InvariantCulture)), Plain(p.Ready ? "yes" : "no"),
                        p.Live ? Plain("yes") : new Text("no", new Style(Color.Red)), Plain(p.Revision ?? ""),
                        Plain(p.Created is { } created ? HumanDuration.Format(status.ObservedAt - created) : ""));
                console.Write(pods);
            }
            else Line(console, "Pods", "none");
            Line(console, "Lease", LeaseLine(c.Lease));
            if (c.Pending is { } pending) Line(console, "Pending", PendingLine(pending));
            if (c.ShortReplicaSets.Count > 0)
            {
                var sets = NewTable($"{c.Name} ReplicaSets short of pods", "NAME", "DESIRED", "PODS", "REPORTED", "REVISION");
                foreach (var rs in c.ShortReplicaSets)
                    sets.AddRow(Plain(rs.Name), Plain(I(rs.Desired)), Plain(I(rs.Actual)), Plain(rs.ReportedReplicas is { } reported ? I(reported) : ""), Plain(rs.Revision ?? ""));
                console.Write(sets);
            }
            Line(console, "Next step", Plugin.AsTyped(c.NextStep));
        }

        console.WriteLine();
        var masters = NewTable("Masters", "NAME", "READY", "TAINTS", "UNSCHEDULABLE");
        foreach (var m in status.Masters)
            masters.AddRow(Plain(m.Name), m.Ready ? Plain("yes") : new Text("no", new Style(Color.Red)), Plain(m.Taints.Count == 0 ? "<none>" : string.Join(", ", m.Taints)),
                Plain(m.Unschedulable ? "yes" : "no"));
        if (status.Masters.Count == 0) masters.AddRow(Plain("<none found>"), Plain(""), Plain(""), Plain(""));
        console.Write(masters);

        var daemonSets = NewTable("Control-plane DaemonSets (their own status)", "NAME", "DESIRED", "READY", "AVAILABLE");
        foreach (var ds in status.DaemonSets) daemonSets.AddRow(Plain(ds.Name), Plain(I(ds.Desired)), Plain(I(ds.Ready)), Plain(I(ds.Available)));
        if (status.DaemonSets.Count == 0) daemonSets.AddRow(Plain("<none found>"), Plain(""), Plain(""), Plain(""));
        console.Write(daemonSets);

        console.WriteLine();
        var steps = status.Components.Where(c => c.NextStep != "none").Select(c => (c.Name, Plugin.AsTyped(c.NextStep))).ToList();
        if (status.ApiServer.Verdict != Verdict.Healthy)
            steps.Insert(0, ("the API server", $"read its failed checks: kubectl get --raw '/{(status.ApiServer.Live ? "readyz" : "livez")}?verbose'"));
        if (steps.Count == 0) console.WriteLine("Next step: none");
        foreach (var (name, step) in steps) console.WriteLine($"Next step for {name}: {step}");
    }

    /// <summary>"held by X, renewed 3s ago of 15s", as people say it.</summary>
    public static string LeaseLine(LeaseEvidence? lease)
    {
        if (lease is null) return "no leader-election record";
        var since = lease.SecondsSinceRenewal is { } s ? $"renewed {HumanDuration.Format(TimeSpan.FromSeconds(s))} ago" : "never renewed";
        var of = lease.DurationSeconds is { } d ? $" of {HumanDuration.Format(TimeSpan.FromSeconds(d))}" : "";
        var holder = lease.HolderPod ?? lease.Holder;
        var who = lease.HolderIsRescue ? $"{holder} (the rescue pod)" : lease.HolderIsLivePod || lease.Holder is null ? holder : $"{holder} (not a live pod)";
        var line = lease switch
        {
            { Holder: null } => $"released, {since}",
            { Expired: false } => $"held by {who}, {since}{of}",
            _ => $"expired: last held by {who}, {since}{of}",
        };
        return lease.Source == "Lease" ? line : $"{line} ({lease.Source} annotation)";
    }

    public static string PendingLine(PendingEvidence pending) => pending.Count == 0 && !pending.More
        ? "no pod waits for a scheduler"
        : $"{I(pending.Count)}{(pending.More ? "+" : "")} pods wait for a scheduler (Pending with no node)"
          + (pending.OldestPod is { } oldest ? $", the oldest {oldest} for {HumanDuration.Format(TimeSpan.FromSeconds(pending.OldestAgeSeconds))}" : "");

    static void Line(IAnsiConsole console, string label, string text)
    {
        console.Write(new Text($"  {label}: ", new Style(decoration: Decoration.Bold)));
        console.Write(new Text(text));
        console.WriteLine();
    }

    static IRenderable Plain(string text) => new Text(text);

    static Text VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => new Text("healthy", new Style(Color.Green, decoration: Decoration.Bold)),
        Verdict.Degraded => new Text("degraded", new Style(Color.Yellow, decoration: Decoration.Bold)),
        _ => new Text("down", new Style(Color.Red, decoration: Decoration.Bold)),
    };

    static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
