using System.Diagnostics;
using KubeRescue.Recovery;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KubeRescue.Cli.Output;

/// <summary>
/// A recovery as people watch it, for <c>recover</c> and <c>drill</c>: the plan, then on a terminal a live table of
/// the steps (a spinner and a running clock on the current one, then ok or FAILED with the time it took, and the
/// latest word from each), elsewhere one plain line per event; then the summary.
/// </summary>
public static class RecoveryView
{
    /// <summary>How often the live table redraws (its clocks tick at this rate).</summary>
    static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);

    public static void WritePlan(IAnsiConsole console, RecoveryPlan plan, string indent = "")
    {
        foreach (var note in plan.Notes) console.WriteLine($"{indent}note: {note}", Yellow);
        foreach (var p in plan.Components) console.WriteLine($"{indent}{p.Component.Name}: {p.Before.Verdict.ToString().ToLowerInvariant()}: {p.Before.Summary}");
        console.WriteLine($"{indent}plan:");
        for (var i = 0; i < plan.Steps.Count; i++) console.WriteLine($"{indent}  {i + 1}. {plan.Steps[i].Name,-18} {plan.Steps[i].Description}");
    }

    /// <summary>
    /// Runs <paramref name="run"/> (the engine, given where to report) and shows its events: live on a terminal
    /// (<paramref name="live"/>), as plain lines elsewhere.
    /// </summary>
    public static async Task<RecoveryResult> RunAsync(IAnsiConsole console, bool live, RecoveryPlan plan, string indent,
        Func<Action<RecoveryEvent>, Task<RecoveryResult>> run)
    {
        if (!live)
        {
            var gate = new object();
            return await run(e => { lock (gate) console.WriteLine(indent + Line(e), e.Kind switch { RecoveryEventKind.Failed => Red, RecoveryEventKind.Warning => Yellow, _ => Style.Plain }); });
        }

        var board = new Board(plan);
        RecoveryResult? result = null;
        await console.Live(board.Render(indent)).AutoClear(false).StartAsync(async ctx =>
        {
            var task = run(board.Apply);
            while (!task.IsCompleted)
            {
                ctx.UpdateTarget(board.Render(indent));
                await Task.WhenAny(task, Task.Delay(Refresh));
            }
            ctx.UpdateTarget(board.Render(indent));
            result = await task;
        });
        return result!;
    }

    /// <summary>The summary: each step run, whether it succeeded, how long it took, what it found or did.</summary>
    public static void WriteSteps(IAnsiConsole console, IEnumerable<StepResult> steps, string indent)
    {
        foreach (var s in steps)
            console.WriteLine($"{indent}{(s.Succeeded ? "ok  " : "FAIL")}  {ElapsedTime.Format(s.Elapsed),7}  {s.Step,-18} {s.Component ?? "",-24} {s.Outcome}",
                s.Succeeded ? Style.Plain : Red);
    }

    /// <summary>One event as a line of the story: the time since the start, the step, the component, what happened.</summary>
    public static string Line(RecoveryEvent e)
    {
        var prefix = $"[{ElapsedTime.Format(e.Elapsed),7}] {e.Step}{(e.Component is null ? "" : " " + e.Component)}";
        return e.Kind switch
        {
            RecoveryEventKind.Started => $"{prefix}: {e.Message}",
            RecoveryEventKind.Finished => $"{prefix}: done in {ElapsedTime.Format(e.StepElapsed ?? TimeSpan.Zero)}: {e.Message}",
            RecoveryEventKind.Failed => $"{prefix}: FAILED after {ElapsedTime.Format(e.StepElapsed ?? TimeSpan.Zero)}: {e.Message}",
            RecoveryEventKind.Warning => $"{prefix}: warning: {e.Message}",
            _ => $"{prefix}: {e.Message}",
        };
    }

    static readonly Style Red = new(Color.Red), Yellow = new(Color.Yellow), Green = new(Color.Green), Dim = new(decoration: Decoration.Dim);

    /// <summary>The live table's state: one row per planned step, fed by the engine's events from any thread.</summary>
    sealed class Board(RecoveryPlan plan)
    {
        enum State { Waiting, Running, Done, Failed }

        sealed class Row(string step, string? component)
        {
            public string Step { get; } = step;
            public string? Component { get; } = component;
            public State State { get; set; }
            public TimeSpan Started { get; set; }
            public TimeSpan? Took { get; set; }
            public string Detail { get; set; } = "";
        }

        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly List<Row> rows = [.. plan.Steps.Select(s => new Row(s.Name, s.Component?.Name))];
        readonly List<string> warnings = [];

        public void Apply(RecoveryEvent e)
        {
            lock (rows)
            {
                if (e.Kind == RecoveryEventKind.Warning) warnings.Add($"[{ElapsedTime.Format(e.Elapsed)}] {e.Step}: {e.Message}");
                if (rows.FirstOrDefault(r => r.Step == e.Step && r.Component == e.Component) is not { } row)
                {
                    // An event outside the planned steps (the plan itself, say) gets a row of its own.
                    row = new Row(e.Step, e.Component);
                    rows.Add(row);
                }
                switch (e.Kind)
                {
                    case RecoveryEventKind.Started:
                        row.State = State.Running;
                        row.Started = clock.Elapsed;
                        break;
                    case RecoveryEventKind.Finished:
                        row.State = State.Done;
                        row.Took = e.StepElapsed;
                        break;
                    case RecoveryEventKind.Failed:
                        row.State = State.Failed;
                        row.Took = e.StepElapsed;
                        break;
                }
                if (e.Kind != RecoveryEventKind.Warning) row.Detail = e.Message;
            }
        }

        public IRenderable Render(string indent)
        {
            var table = new Table { Border = TableBorder.Rounded };
            table.AddColumn("");
            table.AddColumn(new TableColumn("STEP"));
            table.AddColumn(new TableColumn("COMPONENT"));
            table.AddColumn(new TableColumn("TIME").RightAligned());
            table.AddColumn(new TableColumn("DETAIL"));
            var frames = Spinner.Known.Dots.Frames;
            var frame = frames[(int)(clock.Elapsed / Spinner.Known.Dots.Interval) % frames.Count];
            lock (rows)
            {
                foreach (var r in rows)
                {
                    var (mark, style) = r.State switch
                    {
                        State.Running => (frame, Yellow),
                        State.Done => ("ok", Green),
                        State.Failed => ("FAILED", Red),
                        _ => ("·", Dim),
                    };
                    var time = r.State switch
                    {
                        State.Running => ElapsedTime.Format(clock.Elapsed - r.Started),
                        State.Done or State.Failed => ElapsedTime.Format(r.Took ?? TimeSpan.Zero),
                        _ => "",
                    };
                    table.AddRow(new Text(mark, style), new Text(r.Step, r.State == State.Waiting ? Dim : Style.Plain), new Text(r.Component ?? ""),
                        new Text(time), new Text(r.Detail, r.State == State.Failed ? Red : Style.Plain));
                }
                var lines = new List<IRenderable> { table };
                lines.AddRange(warnings.Select(w => new Text($"warning: {w}", Yellow)));
                return new Padder(new Rows(lines), new Padding(indent.Length, 0, 0, 0));
            }
        }
    }
}
