using System.Globalization;
using System.Text;
using KubeRescue.Recovery;
using KubeRescue.Recovery.Timeline;

namespace KubeRescue.Cli.Output.Report;

/// <summary>
/// The timeline as an inline SVG drawn here, with no script: a row per step, a lane per pod coloured by its state, a
/// lane per leader-election record coloured by its holder, and a time axis. Every element a reader (or a test) looks
/// for carries a class: <c>lane pod</c>, <c>lane lease</c>, <c>step</c>, <c>axis</c>; every string is escaped.
/// </summary>
static class TimelineSvg
{
    const double Width = 1200, LabelWidth = 300, RightMargin = 36, RowHeight = 24, BarHeight = 16, GroupHeight = 30, AxisHeight = 34;
    const double PlotLeft = LabelWidth, PlotWidth = Width - LabelWidth - RightMargin;

    /// <summary>An 11px sans-serif character is about this wide; text is drawn only where it fits.</summary>
    const double CharWidth = 6.4;

    static readonly double[] TickSteps = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

    public static string Render(RecoveryTimeline t)
    {
        var span = Math.Max(t.Duration.TotalSeconds, 1);
        double X(TimeSpan at) => PlotLeft + Math.Clamp(at.TotalSeconds / span, 0, 1) * PlotWidth;

        var body = new StringBuilder();
        var y = 6.0;

        Group(body, ref y, "Steps", "step-group");
        var index = 0;
        foreach (var step in t.Steps)
        {
            index++;
            var notes = t.Notes.Where(n => n.Step == step.Name && n.Component == step.Component).ToList();
            StepRow(body, y, index, step, notes, t.Duration, X);
            y += RowHeight;
        }

        foreach (var component in t.Components)
        {
            var pods = t.Pods.Where(p => p.Component == component).ToList();
            Group(body, ref y, $"Pods of {component}", "pod-group");
            foreach (var pod in pods)
            {
                PodLaneRow(body, y, pod, X);
                y += RowHeight;
            }
            if (pods.Count == 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<text class=\"empty\" x=\"{N(PlotLeft)}\" y=\"{N(y + 16)}\">no pod seen</text>");
                y += RowHeight;
            }
        }

        Group(body, ref y, "Leader election", "lease-group");
        foreach (var lease in t.Leases)
        {
            LeaseLaneRow(body, y, lease, X);
            y += RowHeight;
        }

        var lanesBottom = y + 4;
        if (t.RecordedUntil < t.Duration)
        {
            var x = X(t.RecordedUntil);
            body.Append(CultureInfo.InvariantCulture,
                $"<g class=\"record-stops\"><line x1=\"{N(x)}\" y1=\"6\" x2=\"{N(x)}\" y2=\"{N(lanesBottom)}\"/><text x=\"{N(x + 4)}\" y=\"{N(lanesBottom - 4)}\">record stops</text></g>");
        }
        var height = lanesBottom + AxisHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" width=\"100%\" role=\"img\" aria-labelledby=\"timeline-title\">");
        svg.Append("<title id=\"timeline-title\">Timeline of the recovery: steps, pods and lease holders over time</title>");
        svg.Append("""
            <defs>
            <pattern id="hatch-terminating" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#c3cad4"/><rect width="3" height="6" fill="#9aa4b1"/></pattern>
            <pattern id="hatch-expired" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef0f3"/><rect width="2" height="6" fill="#b9c0ca"/></pattern>
            </defs>
            """);
        Axis(svg, span, lanesBottom);
        svg.Append(body);
        svg.Append("</svg>");
        return svg.ToString();
    }

    static void Group(StringBuilder b, ref double y, string title, string cls)
    {
        b.Append(CultureInfo.InvariantCulture,
            $"<g class=\"group {cls}\"><line class=\"group-rule\" x1=\"0\" y1=\"{N(y + GroupHeight - 4)}\" x2=\"{N(Width - RightMargin)}\" y2=\"{N(y + GroupHeight - 4)}\"/>" +
            $"<text class=\"group-title\" x=\"4\" y=\"{N(y + GroupHeight - 10)}\">{E(title)}</text></g>");
        y += GroupHeight;
    }

    static void StepRow(StringBuilder b, double y, int index, TimelineStep step, List<TimelineNote> notes, TimeSpan end, Func<TimeSpan, double> x)
    {
        var state = step.State switch
        {
            StepState.Succeeded => "succeeded",
            StepState.Failed => "failed",
            StepState.Interrupted => "interrupted",
            _ => "not-run",
        };
        b.Append(CultureInfo.InvariantCulture, $"<g class=\"step {state}\" data-step=\"{E(step.Name)}\" data-component=\"{E(step.Component ?? "")}\">");
        b.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"8\" y=\"{N(y + 16)}\">{index}. {E(step.Name)}");
        if (step.Component is not null) b.Append(CultureInfo.InvariantCulture, $"<tspan class=\"sub\" dx=\"6\">{E(step.Component)}</tspan>");
        b.Append("</text>");
        if (step.Started is { } started)
        {
            var stopped = step.Ended ?? end;
            var (x1, x2) = (x(started), Math.Max(x(stopped), x(started) + 3));
            var took = ElapsedTime.Format(stopped - started);
            var verdict = step.State switch { StepState.Failed => "failed", StepState.Interrupted => "interrupted", _ => "done" };
            b.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"bar\" x=\"{N(x1)}\" y=\"{N(y + 4)}\" width=\"{N(x2 - x1)}\" height=\"{N(BarHeight)}\" rx=\"3\">" +
                $"<title>{E($"{step.Name}{(step.Component is null ? "" : " " + step.Component)}: {step.Description}\n+{ElapsedTime.Format(started)} to +{ElapsedTime.Format(stopped)} ({took}), {verdict}{(step.Outcome is null ? "" : ": " + step.Outcome)}")}</title></rect>");
            var text = step.State == StepState.Failed ? $"FAILED after {took}" : took;
            // The duration right of the bar; inside its end when the bar reaches the edge; else left of it.
            var width = text.Length * CharWidth;
            var (tx, cls) = x2 + 6 + width <= Width ? (x2 + 6, "took")
                : x2 - x1 >= width + 12 ? (x2 - 6 - width, "took inside")
                : (Math.Max(PlotLeft, x1 - 6 - width), "took");
            b.Append(CultureInfo.InvariantCulture, $"<text class=\"{cls}\" x=\"{N(tx)}\" y=\"{N(y + 16)}\">{E(text)}</text>");
        }
        else b.Append(CultureInfo.InvariantCulture, $"<text class=\"took\" x=\"{N(PlotLeft + 4)}\" y=\"{N(y + 16)}\">not run</text>");
        foreach (var n in notes)
        {
            var cls = n.Kind == RecoveryEventKind.Warning ? "note warning" : "note";
            b.Append(CultureInfo.InvariantCulture,
                $"<circle class=\"{cls}\" cx=\"{N(x(n.At))}\" cy=\"{N(y + 12)}\" r=\"3.5\"><title>{E($"+{ElapsedTime.Format(n.At)} {(n.Kind == RecoveryEventKind.Warning ? "warning: " : "")}{n.Message}")}</title></circle>");
        }
        b.Append("</g>");
    }

    static void PodLaneRow(StringBuilder b, double y, PodLane pod, Func<TimeSpan, double> x)
    {
        b.Append(CultureInfo.InvariantCulture,
            $"<g class=\"lane pod{(pod.IsRescue ? " rescue" : "")}\" data-pod=\"{E(pod.Name)}\" data-namespace=\"{E(pod.Namespace)}\">");
        b.Append(CultureInfo.InvariantCulture, $"<title>{E($"pod {pod.Namespace}/{pod.Name}{(pod.IsRescue ? " (rescue pod)" : "")}")}</title>");
        var labelRoom = LabelWidth - 16 - (pod.IsRescue ? 52 : 0);
        b.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"8\" y=\"{N(y + 16)}\">{E(Fit(pod.Name, labelRoom))}</text>");
        if (pod.IsRescue)
            b.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"tag\" x=\"{N(LabelWidth - 58)}\" y=\"{N(y + 5)}\" width=\"46\" height=\"14\" rx=\"7\"/><text class=\"tag-text\" x=\"{N(LabelWidth - 35)}\" y=\"{N(y + 15.5)}\">rescue</text>");
        string? lastText = null;
        foreach (var i in pod.Intervals)
        {
            var (x1, x2) = (x(i.From), Math.Max(x(i.To), x(i.From) + 1));
            var state = StateClass(i.State);
            b.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"seg {state}\" x=\"{N(x1)}\" y=\"{N(y + 4)}\" width=\"{N(x2 - x1)}\" height=\"{N(BarHeight)}\"><title>{E(Describe(pod, i))}</title></rect>");
            var text = SegmentText(i);
            if (text != lastText && Fits(text, x2 - x1))
            {
                b.Append(CultureInfo.InvariantCulture, $"<text class=\"seg-text {state}\" x=\"{N(x1 + 4)}\" y=\"{N(y + 15.5)}\">{E(text)}</text>");
                lastText = text;
            }
        }
        if (pod.Gone is { } gone)
        {
            var gx = x(gone);
            b.Append(CultureInfo.InvariantCulture,
                $"<g class=\"deleted\"><path d=\"M{N(gx - 4)} {N(y + 8)} l8 8 m0 -8 l-8 8\"/><title>{E($"deleted at +{ElapsedTime.Format(gone)}")}</title></g>");
            // A lane too short to name its node names it here.
            var text = lastText is null && pod.Intervals.LastOrDefault(i => i.Node is not null)?.Node is { } node ? $"deleted (was on {node})" : "deleted";
            if (gx + 10 + text.Length * CharWidth <= Width)
                b.Append(CultureInfo.InvariantCulture, $"<text class=\"gone\" x=\"{N(gx + 8)}\" y=\"{N(y + 16)}\">{E(text)}</text>");
        }
        b.Append("</g>");
    }

    static void LeaseLaneRow(StringBuilder b, double y, LeaseLane lease, Func<TimeSpan, double> x)
    {
        b.Append(CultureInfo.InvariantCulture, $"<g class=\"lane lease\" data-lease=\"{E(lease.Namespace + "/" + lease.Name)}\" data-source=\"{E(lease.Source)}\">");
        b.Append(CultureInfo.InvariantCulture, $"<title>{E($"{lease.Source} {lease.Namespace}/{lease.Name}")}</title>");
        b.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"8\" y=\"{N(y + 16)}\">{E(Fit($"{lease.Source} {lease.Name}", LabelWidth - 16))}</text>");
        string? lastText = null;
        foreach (var h in lease.Holdings)
        {
            var (x1, x2) = (x(h.From), Math.Max(x(h.To), x(h.From) + 1));
            var kind = h.Holder is null ? "none" : h.Expired ? "expired" : h.HolderIsRescue ? "rescue" : h.HolderPod is not null ? "permanent" : "other";
            var who = h.HolderPod ?? h.Holder?.Split('_', 2)[0];
            var text = who is null ? "no holder" : h.Expired ? $"{who} (expired)" : who;
            var title = h.Holder is null ? "no holder" : $"holder {h.Holder}{(h.HolderIsRescue ? " (the rescue pod)" : h.HolderPod is null ? " (not a pod seen here)" : "")}{(h.Expired ? ", expired: not renewed in time" : "")}";
            b.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"hold {kind}\" x=\"{N(x1)}\" y=\"{N(y + 4)}\" width=\"{N(x2 - x1)}\" height=\"{N(BarHeight)}\">" +
                $"<title>{E($"{title}\n+{ElapsedTime.Format(h.From)} to +{ElapsedTime.Format(h.To)}")}</title></rect>");
            if (text != lastText && Fits(text, x2 - x1))
            {
                b.Append(CultureInfo.InvariantCulture, $"<text class=\"seg-text {kind}\" x=\"{N(x1 + 4)}\" y=\"{N(y + 15.5)}\">{E(text)}</text>");
                lastText = text;
            }
        }
        b.Append("</g>");
    }

    static void Axis(StringBuilder b, double span, double bottom)
    {
        var step = TickSteps.FirstOrDefault(s => span / s <= 12, TickSteps[^1]);
        b.Append("<g class=\"axis\">");
        b.Append(CultureInfo.InvariantCulture, $"<line class=\"axis-line\" x1=\"{N(PlotLeft)}\" y1=\"{N(bottom)}\" x2=\"{N(PlotLeft + PlotWidth)}\" y2=\"{N(bottom)}\"/>");
        for (var s = 0.0; s <= span + 1e-9; s += step)
        {
            var x = PlotLeft + s / span * PlotWidth;
            b.Append(CultureInfo.InvariantCulture,
                $"<g class=\"tick\"><line class=\"grid\" x1=\"{N(x)}\" y1=\"6\" x2=\"{N(x)}\" y2=\"{N(bottom)}\"/><line x1=\"{N(x)}\" y1=\"{N(bottom)}\" x2=\"{N(x)}\" y2=\"{N(bottom + 5)}\"/>" +
                $"<text x=\"{N(x)}\" y=\"{N(bottom + 18)}\">{E(TickLabel(s))}</text></g>");
        }
        b.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-caption\" x=\"{N(PlotLeft - 8)}\" y=\"{N(bottom + 18)}\">time since the start</text>");
        b.Append("</g>");
    }

    static string TickLabel(double seconds) => seconds switch
    {
        0 => "0",
        < 60 => seconds.ToString("0.#", CultureInfo.InvariantCulture) + "s",
        _ when seconds % 60 == 0 => $"{seconds / 60:0}m",
        _ => $"{Math.Floor(seconds / 60):0}m{seconds % 60:0}s",
    };

    static string StateClass(PodLaneState state) => state switch
    {
        PodLaneState.Pending => "pending",
        PodLaneState.Running => "running",
        PodLaneState.Ready => "ready",
        PodLaneState.Failing => "failing",
        _ => "terminating",
    };

    /// <summary>The node, and what is wrong where something is.</summary>
    static string SegmentText(PodInterval i)
    {
        var where = i.Node ?? "unscheduled";
        return i.Reason is { } reason && i.State is PodLaneState.Failing or PodLaneState.Pending && i.Node is not null ? $"{where} · {reason}"
            : i.State == PodLaneState.Terminating ? $"{where} · terminating" : where;
    }

    static string Describe(PodLane pod, PodInterval i)
    {
        var state = i.State switch
        {
            PodLaneState.Ready => "Ready",
            PodLaneState.Running => "Running, not Ready",
            PodLaneState.Pending => "Pending",
            PodLaneState.Failing => i.Crashing ? "crashing" : i.Phase,
            _ => "terminating",
        };
        var text = new StringBuilder($"{pod.Name}: {state} {(i.Node is null ? "with no node" : "on " + i.Node)}");
        text.Append(CultureInfo.InvariantCulture, $", phase {i.Phase}, {i.Restarts} restarts");
        if (i.Reason is not null) text.Append(", ").Append(i.Reason);
        if (i.Message is not null) text.Append(": ").Append(i.Message);
        text.Append(CultureInfo.InvariantCulture, $"\n+{ElapsedTime.Format(i.From)} to +{ElapsedTime.Format(i.To)}");
        return text.ToString();
    }

    static bool Fits(string text, double width) => text.Length * CharWidth + 8 <= width;

    static string Fit(string text, double width)
    {
        var max = (int)(width / (CharWidth + 0.6));
        return text.Length <= max ? text : text[..Math.Max(1, max - 1)] + "…";
    }

    static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    static string E(string text) => HtmlReport.Escape(text);
}
