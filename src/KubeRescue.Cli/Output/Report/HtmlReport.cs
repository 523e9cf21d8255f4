using System.Globalization;
using System.Net;
using System.Text;
using KubeRescue.Cli.Commands.Status;
using KubeRescue.Diagnosis;
using KubeRescue.Recovery;
using KubeRescue.Recovery.Timeline;

namespace KubeRescue.Cli.Output.Report;

/// <summary>
/// A recovery's report as one self-contained HTML page, for the operator after the incident: a header (what was
/// recovered, the result, the total time, when, on which cluster), the timeline drawn as SVG, the steps with what
/// each reported, and the status before and after. Inline CSS and SVG, no script, no external URL: it opens from a
/// file anywhere. It holds what the <see cref="RecoveryTimeline"/> holds (names, phases, times, holders, messages),
/// and of the cluster's configuration only the context's name: never a server address, token or certificate.
/// </summary>
public static class HtmlReport
{
    /// <summary>Escapes text for HTML and inline SVG, in content and in quoted attributes alike.</summary>
    internal static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The page. <paramref name="cluster"/> says where it ran, e.g. <c>context prod-eu</c>; null when unknown.</summary>
    public static string Render(RecoveryTimeline t, string? cluster)
    {
        var components = string.Join(" and ", t.Components);
        var (headline, cls) = t.Outcome switch
        {
            TimelineOutcome.Succeeded => ($"{components} recovered", "succeeded"),
            TimelineOutcome.Failed => ($"Recovery of {components} failed", "failed"),
            _ => ($"Recovery of {components} interrupted", "interrupted"),
        };
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append(CultureInfo.InvariantCulture, $"<title>{E($"kube-rescue: {headline} ({ElapsedTime.Format(t.Duration)})")}</title>\n");
        h.Append("<style>").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");

        h.Append(CultureInfo.InvariantCulture, $"<header id=\"summary\" class=\"{cls}\">\n<p class=\"kicker\">kube-rescue recovery report</p>\n<h1>{E(headline)}</h1>\n<dl class=\"facts\">\n");
        Fact(h, "Result", $"<span class=\"badge {cls}\">{E(cls)}</span>");
        Fact(h, "Components", E(components));
        Fact(h, "Total time", E(ElapsedTime.Format(t.Duration)));
        Fact(h, "Started", E(Time(t.StartedAt)));
        Fact(h, "Cluster", E(cluster ?? "unknown"));
        h.Append("</dl>\n");
        if (t.Failure is not null) h.Append(CultureInfo.InvariantCulture, $"<p class=\"failure\"><strong>Failed at</strong> {E(t.Failure)}</p>\n");
        if (t.Outcome == TimelineOutcome.Interrupted)
            h.Append("<p class=\"failure interrupted\">The run was interrupted (Ctrl-C): the pods it had created were removed.</p>\n");
        if (!t.Complete)
        {
            h.Append("<div id=\"gaps\" class=\"gaps\"><strong>This record is incomplete.</strong><ul>");
            foreach (var gap in t.Gaps) h.Append(CultureInfo.InvariantCulture, $"<li>{E(gap)}</li>");
            h.Append("</ul></div>\n");
        }
        h.Append("</header>\n");

        h.Append("<section id=\"chart\">\n<h2>Timeline</h2>\n");
        h.Append("<p class=\"hint\">Each step as a bar, each pod as a lane coloured by its state (with its node), each leader-election record as a lane coloured by its holder. Hover for details.</p>\n");
        h.Append(TimelineSvg.Render(t)).Append('\n');
        h.Append(Legend);
        h.Append("</section>\n");

        Steps(h, t);
        Status(h, t);

        h.Append(CultureInfo.InvariantCulture,
            $"<footer>Written by kube-rescue. Times are from the start of the run ({E(Time(t.StartedAt))}); lease expiry is judged on this machine's clock. " +
            $"This page holds names, phases, times, lease holders and messages: no credentials, no kubeconfig, no Secret.</footer>\n");
        h.Append("</main>\n</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>Writes the page whole or not at all: to a temporary file beside it, then renamed over it.</summary>
    public static void Write(string path, RecoveryTimeline timeline, string? cluster)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temporary, Render(timeline, cluster), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    static void Steps(StringBuilder h, RecoveryTimeline t)
    {
        h.Append("<section id=\"steps\">\n<h2>Steps</h2>\n<table class=\"steps\">\n<thead><tr><th>#</th><th>Step</th><th>Component</th><th>Start</th><th>Took</th><th>Result</th><th>What happened</th></tr></thead>\n<tbody>\n");
        var index = 0;
        foreach (var s in t.Steps)
        {
            index++;
            var (result, cls) = s.State switch
            {
                StepState.Succeeded => ("ok", "succeeded"),
                StepState.Failed => ("FAILED", "failed"),
                StepState.Interrupted => ("interrupted", "interrupted"),
                _ => ("not run", "not-run"),
            };
            var took = s.Started is { } from ? ElapsedTime.Format((s.Ended ?? t.Duration) - from) : "";
            h.Append(CultureInfo.InvariantCulture,
                $"<tr class=\"step-row {cls}\"><td>{index}</td><td><strong>{E(s.Name)}</strong><div class=\"desc\">{E(s.Description)}</div></td><td>{E(s.Component ?? "")}</td>" +
                $"<td class=\"num\">{(s.Started is { } st ? "+" + E(ElapsedTime.Format(st)) : "")}</td><td class=\"num\">{E(took)}</td>" +
                $"<td><span class=\"badge {cls}\">{E(result)}</span></td><td>{E(s.Outcome ?? "")}");
            var notes = t.Notes.Where(n => n.Step == s.Name && n.Component == s.Component).ToList();
            if (notes.Count > 0) NoteList(h, notes);
            h.Append("</td></tr>\n");
        }
        var others = t.Notes.Where(n => !t.Steps.Any(s => s.Name == n.Step && s.Component == n.Component)).ToList();
        if (others.Count > 0)
        {
            h.Append("<tr class=\"step-row other\"><td></td><td><strong>other messages</strong></td><td></td><td></td><td></td><td></td><td>");
            NoteList(h, others);
            h.Append("</td></tr>\n");
        }
        h.Append("</tbody>\n</table>\n</section>\n");
    }

    static void NoteList(StringBuilder h, List<TimelineNote> notes)
    {
        h.Append("<ul class=\"notes\">");
        foreach (var n in notes)
            h.Append(CultureInfo.InvariantCulture,
                $"<li class=\"{(n.Kind == RecoveryEventKind.Warning ? "warning" : "progress")}\"><span class=\"at\">+{E(ElapsedTime.Format(n.At))}</span> " +
                $"{(n.Kind == RecoveryEventKind.Warning ? "<strong>warning:</strong> " : "")}{E(n.Message)}</li>");
        h.Append("</ul>");
    }

    /// <summary>Each component side by side: as the plan found it, and as it was at the end.</summary>
    static void Status(StringBuilder h, RecoveryTimeline t)
    {
        h.Append("<section id=\"status\">\n<h2>Status before and after</h2>\n");
        if (t.After is { } after)
            h.Append(CultureInfo.InvariantCulture,
                $"<p class=\"overall\">Control plane afterwards: <span class=\"badge {V(after.Overall)}\">{V(after.Overall)}</span> " +
                $"(observed {E(Time(after.ObservedAt))}); API server <span class=\"badge {V(after.ApiServer.Verdict)}\">{V(after.ApiServer.Verdict)}</span>" +
                $"{(after.ApiServer.Detail is { } detail ? " " + E(detail) : "")}</p>\n");
        else h.Append("<p class=\"overall\">The status afterwards could not be read.</p>\n");
        h.Append("<div class=\"compare\">\n<h3>Before</h3><h3>After</h3>\n");
        var names = t.Before.Select(c => c.Name).Concat(t.After?.Components.Select(c => c.Name) ?? []).Distinct().ToList();
        foreach (var name in names)
        {
            var before = t.Before.FirstOrDefault(c => c.Name == name);
            Card(h, before, "before", before is null ? "not part of this recovery" : null);
            Card(h, t.After?.Components.FirstOrDefault(c => c.Name == name), "after", t.After is null ? "could not be read" : "not found");
        }
        h.Append("</div>\n</section>\n");
    }

    static void Card(StringBuilder h, ComponentStatus? c, string when, string? missing)
    {
        if (c is null)
        {
            h.Append(CultureInfo.InvariantCulture, $"<article class=\"component {when} missing\"><p>{E(missing ?? "")}</p></article>\n");
            return;
        }
        h.Append(CultureInfo.InvariantCulture,
            $"<article class=\"component {when} {V(c.Verdict)}\" data-component=\"{E(c.Name)}\">\n<h4>{E(c.Name)} <span class=\"badge {V(c.Verdict)}\">{V(c.Verdict)}</span></h4>\n" +
            $"<p class=\"summary\">{E(c.Summary)}</p>\n<dl>");
        if (c.Workload is { } w)
            Fact(h, "Workload", E($"{w.Kind} {w.Name}: {w.Desired} desired, {w.ReadyPods} ready by its pods" +
                (w.ReportedAvailable is { } r ? $", {r} available by its own status" : "") + (w.Revision is { } rev ? $", revision {rev}" : "")));
        Fact(h, "Lease", E(StatusView.LeaseLine(c.Lease)));
        if (c.Pending is { } pending) Fact(h, "Pending", E(StatusView.PendingLine(pending)));
        if (c.NextStep != "none") Fact(h, "Next step", $"<code>{E(c.NextStep)}</code>");
        h.Append("</dl>\n");
        if (c.Pods.Count > 0)
        {
            h.Append("<table class=\"pods\"><thead><tr><th>Pod</th><th>Node</th><th>Phase</th><th>Reason</th><th>Restarts</th><th>Ready</th></tr></thead><tbody>");
            foreach (var p in c.Pods)
                h.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{E(p.Name)}{(p.IsRescue ? " <span class=\"tag\">rescue</span>" : "")}</td><td>{E(p.Node ?? "none")}</td><td>{E(p.Phase)}</td>" +
                    $"<td>{E(p.Reason ?? "")}</td><td class=\"num\">{p.Restarts}</td><td>{(p.Ready ? "yes" : "no")}</td></tr>");
            h.Append("</tbody></table>\n");
        }
        else h.Append("<p class=\"none\">No pods.</p>\n");
        h.Append("</article>\n");
    }

    static void Fact(StringBuilder h, string term, string html) => h.Append(CultureInfo.InvariantCulture, $"<dt>{E(term)}</dt><dd>{html}</dd>");

    static string V(Verdict v) => v switch { Verdict.Healthy => "healthy", Verdict.Degraded => "degraded", _ => "down" };

    static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    static string E(string text) => Escape(text);

    const string Legend = """
        <div class="legend">
        <span class="key"><i class="sw pending"></i>Pending</span>
        <span class="key"><i class="sw running"></i>Running, not Ready</span>
        <span class="key"><i class="sw ready"></i>Ready</span>
        <span class="key"><i class="sw failing"></i>Failed or crashing</span>
        <span class="key"><i class="sw terminating"></i>Terminating</span>
        <span class="key"><b class="x">×</b>deleted</span>
        <span class="sep"></span>
        <span class="key"><i class="sw hold-rescue"></i>held by the rescue pod</span>
        <span class="key"><i class="sw hold-permanent"></i>held by a permanent pod</span>
        <span class="key"><i class="sw hold-other"></i>held by another</span>
        <span class="key"><i class="sw hold-expired"></i>expired</span>
        <span class="key"><i class="sw hold-none"></i>no holder</span>
        <span class="sep"></span>
        <span class="key"><i class="sw step-ok"></i>step</span>
        <span class="key"><i class="sw step-failed"></i>failed step</span>
        <span class="key"><i class="dot"></i>progress</span>
        <span class="key"><i class="dot warning"></i>warning</span>
        </div>

        """;

    const string Css = """
        :root { --ink:#1d2733; --muted:#5d6b7a; --line:#dde3ea; --bg:#f6f8fa; --pending:#f2b33d; --running:#68a8e8; --ready:#2c9a5f; --failing:#d6453d;
          --rescue:#7d5bd0; --permanent:#2c9a5f; --other:#71808f; --step:#3f6fb5; }
        * { box-sizing: border-box; }
        body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
        main { max-width:1280px; margin:0 auto; padding:24px 28px 40px; }
        h1 { font-size:26px; margin:2px 0 14px; }
        h2 { font-size:18px; margin:0 0 8px; }
        h3 { font-size:15px; margin:0; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
        h4 { font-size:15px; margin:0 0 6px; }
        section, header { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 22px; margin-bottom:18px; }
        header { border-top:6px solid var(--ready); }
        header.failed { border-top-color:var(--failing); }
        header.interrupted { border-top-color:var(--pending); }
        .kicker { margin:0; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.08em; }
        .facts { display:grid; grid-template-columns:repeat(5, auto); gap:2px 28px; justify-content:start; margin:0; }
        .facts dt { grid-row:1; color:var(--muted); font-size:12px; }
        .facts dd { grid-row:2; margin:0; font-weight:600; }
        .failure { background:#fdecea; border-left:4px solid var(--failing); padding:8px 12px; margin:14px 0 0; }
        .failure.interrupted { background:#fff6e0; border-left-color:var(--pending); }
        .gaps { background:#fff6e0; border-left:4px solid var(--pending); padding:8px 12px; margin:14px 0 0; }
        .gaps ul { margin:4px 0 0; padding-left:20px; }
        .hint { color:var(--muted); margin:0 0 10px; font-size:13px; }
        .badge { display:inline-block; white-space:nowrap; padding:1px 9px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--other); }
        .badge.succeeded, .badge.healthy { background:var(--ready); }
        .badge.failed, .badge.down { background:var(--failing); }
        .badge.interrupted, .badge.degraded { background:var(--pending); color:#3a2a00; }
        .badge.not-run { background:#c3cad4; color:#2b3642; }
        .tag { display:inline-block; padding:0 6px; border-radius:8px; font-size:11px; background:var(--rescue); color:#fff; }
        #timeline { display:block; font-family:system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; font-size:12px; }
        #timeline .label { fill:var(--ink); }
        #timeline .sub { fill:var(--muted); font-size:11px; }
        #timeline .group-title { font-weight:700; font-size:12px; fill:var(--muted); text-transform:uppercase; letter-spacing:.05em; }
        #timeline .group-rule { stroke:var(--line); }
        #timeline .empty { fill:var(--muted); font-style:italic; }
        #timeline .grid { stroke:#edf0f4; }
        #timeline .axis line { stroke:#9aa6b2; }
        #timeline .axis text { fill:var(--muted); font-size:11px; text-anchor:middle; }
        #timeline .axis .axis-caption { text-anchor:end; font-style:italic; }
        #timeline .step .bar { fill:var(--step); }
        #timeline .step.failed .bar { fill:var(--failing); }
        #timeline .step.interrupted .bar { fill:#a3acb9; }
        #timeline .step.not-run .label { fill:#9aa6b2; }
        #timeline .took { fill:var(--muted); font-size:11px; }
        #timeline .step.failed .took { fill:var(--failing); font-weight:700; }
        #timeline .step .took.inside { fill:#fff; }
        #timeline .note { fill:#fff; stroke:var(--ink); stroke-width:1.3; }
        #timeline .note.warning { fill:var(--pending); stroke:#8a5a00; }
        /* Adjacent intervals snap to whole pixels: no hairline seams between them. */
        #timeline .seg, #timeline .hold { shape-rendering:crispEdges; }
        #timeline .seg.pending { fill:var(--pending); }
        #timeline .seg.running { fill:var(--running); }
        #timeline .seg.ready { fill:var(--ready); }
        #timeline .seg.failing { fill:var(--failing); }
        #timeline .seg.terminating { fill:url(#hatch-terminating); }
        #timeline .hold.rescue { fill:var(--rescue); }
        #timeline .hold.permanent { fill:var(--permanent); }
        #timeline .hold.other { fill:var(--other); }
        #timeline .hold.expired { fill:url(#hatch-expired); }
        #timeline .hold.none { fill:#eef0f3; }
        #timeline .seg-text { font-size:11px; fill:#fff; pointer-events:none; }
        #timeline .seg-text.pending, #timeline .seg-text.running, #timeline .seg-text.terminating, #timeline .seg-text.expired, #timeline .seg-text.none { fill:#1d2733; }
        #timeline .lane.rescue .label { font-weight:600; }
        #timeline .tag { fill:var(--rescue); }
        #timeline .tag-text { fill:#fff; font-size:10px; text-anchor:middle; }
        #timeline .deleted path { stroke:var(--ink); stroke-width:2; }
        #timeline .gone { fill:var(--muted); font-size:11px; font-style:italic; }
        #timeline .record-stops line { stroke:var(--failing); stroke-dasharray:4 3; }
        #timeline .record-stops text { fill:var(--failing); font-size:11px; }
        .legend { display:flex; flex-wrap:wrap; gap:6px 16px; margin-top:10px; font-size:12px; color:var(--muted); align-items:center; }
        .legend .key { display:inline-flex; align-items:center; gap:6px; }
        .legend .sep { width:1px; height:14px; background:var(--line); }
        .sw { display:inline-block; width:22px; height:11px; border-radius:2px; }
        .sw.pending { background:var(--pending); } .sw.running { background:var(--running); } .sw.ready { background:var(--ready); } .sw.failing { background:var(--failing); }
        .sw.terminating { background:repeating-linear-gradient(45deg, #9aa4b1 0 2px, #c3cad4 2px 4px); }
        .sw.hold-rescue { background:var(--rescue); } .sw.hold-permanent { background:var(--permanent); } .sw.hold-other { background:var(--other); }
        .sw.hold-expired { background:repeating-linear-gradient(45deg, #b9c0ca 0 1.5px, #eef0f3 1.5px 4px); } .sw.hold-none { background:#eef0f3; border:1px solid var(--line); }
        .sw.step-ok { background:var(--step); } .sw.step-failed { background:var(--failing); }
        .dot { display:inline-block; width:9px; height:9px; border-radius:50%; border:1.3px solid var(--ink); background:#fff; }
        .dot.warning { background:var(--pending); border-color:#8a5a00; }
        .x { font-size:12px; color:var(--ink); }
        table { border-collapse:collapse; width:100%; }
        th { text-align:left; font-size:12px; color:var(--muted); font-weight:600; border-bottom:1px solid var(--line); padding:6px 8px; }
        td { border-bottom:1px solid #eef1f4; padding:6px 8px; vertical-align:top; }
        td.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
        .steps .desc { color:var(--muted); font-size:12px; }
        .steps tr.failed td { background:#fdf1f0; }
        .steps tr.not-run td { color:#9aa6b2; }
        .notes { list-style:none; margin:6px 0 0; padding:0; font-size:12px; color:var(--muted); }
        .notes li { padding:1px 0; }
        .notes li.warning { color:#8a5a00; }
        .notes .at { display:inline-block; min-width:52px; font-variant-numeric:tabular-nums; }
        .overall { margin:0 0 12px; }
        .compare { display:grid; grid-template-columns:1fr 1fr; gap:12px 18px; }
        .component { border:1px solid var(--line); border-left:5px solid var(--other); border-radius:8px; padding:10px 14px; background:#fff; min-width:0; }
        .component.healthy { border-left-color:var(--ready); } .component.degraded { border-left-color:var(--pending); } .component.down { border-left-color:var(--failing); }
        .component.missing { color:var(--muted); font-style:italic; border-left-color:var(--line); align-self:start; }
        .component .summary { margin:0 0 8px; }
        .component dl { display:grid; grid-template-columns:max-content 1fr; gap:3px 12px; margin:0 0 8px; font-size:13px; }
        .component dt { color:var(--muted); }
        .component dd { margin:0; overflow-wrap:anywhere; }
        .component table { font-size:12px; }
        .component .none { color:var(--muted); font-size:12px; margin:0; }
        code { font:12px ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; background:#f1f3f6; padding:1px 4px; border-radius:4px; overflow-wrap:anywhere; }
        footer { color:var(--muted); font-size:12px; margin-top:8px; }
        @media print { body { background:#fff; } section, header { break-inside:avoid; border-color:#ccc; } }
        """;
}
