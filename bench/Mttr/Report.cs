using System.Globalization;

namespace KubeRescue.Bench.Mttr;

/// <summary>The results as markdown tables: median (min–max) of each measure, the floor, the ratios and goals, and where kube-rescue's time goes.</summary>
static class Report
{
    /// <summary>Issue 6's goals: at most this fraction of the manual procedure, and at most this many seconds over the floor.</summary>
    const double GoalOfManual = 0.2, GoalOverFloor = 2.0;

    public static void Write(TextWriter o, IReadOnlyList<RunResult> results, IReadOnlyList<(string Scenario, double Seconds)> boots, IReadOnlyList<Method> methods, bool quick)
    {
        var scenarios = results.Select(r => r.Scenario).Distinct().ToList();
        var tool = methods.First(m => !m.Manual).Name;
        var manual = methods.First(m => m.Manual).Name;
        IReadOnlyList<RunResult> Of(string scenario, string method) => [.. results.Where(r => r.Scenario == scenario && r.Method == method && r.Failure is null)];

        o.WriteLine("Seconds, median (min–max) over the runs. Healthy: each component Healthy by `kube-rescue status`'s rule and no rescue pod left.");
        o.WriteLine();
        o.WriteLine("| scenario | method | start → healthy | start → exit | fault → healthy | failed runs |");
        o.WriteLine("|---|---|---|---|---|---|");
        foreach (var s in scenarios)
        {
            foreach (var m in methods)
            {
                var ok = Of(s, m.Name);
                var failed = results.Count(r => r.Scenario == s && r.Method == m.Name && r.Failure is not null);
                o.WriteLine($"| {s} | {m.Name} | {Spread(ok.Select(r => r.ToHealthy))} | {Spread(ok.Select(r => r.ToExit))} | {Spread(ok.Select(r => r.FaultToHealthy))} | {failed} |");
            }
            o.WriteLine($"| {s} | floor (from the {tool} runs) | {Spread(Of(s, tool).Select(r => r.Floor?.Total))} | | | |");
        }
        o.WriteLine();

        o.WriteLine($"Ratios of the medians of start → healthy; over the floor, each run against its own floor. Goals: ≤ {GoalOfManual} of manual, ≤ {GoalOverFloor} s over the floor.");
        o.WriteLine();
        o.WriteLine("| scenario | method | ÷ manual | ÷ floor | − floor (s) | goals |");
        o.WriteLine("|---|---|---|---|---|---|");
        foreach (var s in scenarios)
        {
            var manualMedian = Runs.Median([.. Of(s, manual).Select(r => r.ToHealthy)]);
            foreach (var m in methods.Where(m => !m.Manual))
            {
                var ok = Of(s, m.Name).Where(r => r.Floor is not null).ToList();
                var ofManual = Runs.Median([.. Of(s, m.Name).Select(r => r.ToHealthy)]) / manualMedian;
                var overFloor = Runs.Median([.. ok.Select(r => r.ToHealthy - r.Floor!.Total)]);
                var goals = m.Name == tool
                    ? $"{(ofManual <= GoalOfManual ? "met" : "missed")} / {(overFloor <= GoalOverFloor ? "met" : "missed")}"
                    : "(analysis only)";
                o.WriteLine($"| {s} | {m.Name} | {F(ofManual, "F2")} | {F(Runs.Median([.. ok.Select(r => r.ToHealthy / r.Floor!.Total)]), "F1")} | {F(overFloor)} | {goals} |");
            }
        }
        o.WriteLine();

        o.WriteLine("The floor's parts (median seconds over the kube-rescue runs; see docs/benchmarks.md for the definition):");
        o.WriteLine();
        o.WriteLine("| scenario | start-up | replacement | hand-over | round trips | floor |");
        o.WriteLine("|---|---|---|---|---|---|");
        foreach (var s in scenarios)
        {
            var floors = Of(s, tool).Select(r => r.Floor).OfType<Floor>().ToList();
            if (floors.Count == 0) continue;
            o.WriteLine($"| {s} | {F(Runs.Median([.. floors.Select(f => f.StartUp)]))} | {F(Runs.Median([.. floors.Select(f => f.Replacement)]))} | " +
                $"{F(Runs.Median([.. floors.Select(f => f.HandOver)]))} | {floors[0].RoundTrips} × {F(Runs.Median([.. floors.Select(f => f.RoundTrip * 1000)]), "F1")} ms | " +
                $"{F(Runs.Median([.. floors.Select(f => f.Total)]))} |");
        }
        o.WriteLine();

        foreach (var m in methods.Where(m => !m.Manual))
        {
            o.WriteLine($"Where `{m.Name}`'s time goes (median seconds): start-up and plan (process start to its plan printed), the run (its own " +
                "`elapsed`: the steps and the status afterwards), each step (the ensure-rescue-pod steps of both run side by side), and the rest (output, exit):");
            o.WriteLine();
            o.WriteLine("| scenario | start-up and plan | run | steps | rest |");
            o.WriteLine("|---|---|---|---|---|");
            foreach (var s in scenarios)
            {
                var ok = Of(s, m.Name).Where(r => r.Steps is not null && r.Planned is not null).ToList();
                if (ok.Count == 0) continue;
                var steps = ok[0].Steps!.Select((step, i) => $"{step.Step}{(step.Component is null ? "" : " " + step.Component.Replace("kube-", ""))} " +
                    F(Runs.Median([.. ok.Select(r => r.Steps!.Count > i ? r.Steps[i].Seconds : double.NaN)])));
                var rest = Runs.Median([.. ok.Select(r => r.ToExit - r.Planned!.Value - r.ToolElapsed!.Value)]);
                o.WriteLine($"| {s} | {F(Runs.Median([.. ok.Select(r => r.Planned!.Value)]))} | {F(Runs.Median([.. ok.Select(r => r.ToolElapsed!.Value)]))} | " +
                    $"{string.Join(", ", steps)} | {F(rest)} |");
            }
            o.WriteLine();
        }

        o.WriteLine($"Lab boot (`lab up` to its ready line){(quick ? ", one lab shared by the scenarios" : ", one lab per scenario")}: " +
            string.Join(", ", boots.DistinctBy(b => b.Seconds).Select(b => $"{b.Seconds:F1} s")) + ".");
        foreach (var failed in results.Where(r => r.Failure is not null))
            o.WriteLine($"\nFAILED: {failed.Scenario} run {failed.Run}, {failed.Method}: {failed.Failure}");
    }

    static string Spread(IEnumerable<double?> values) => Spread(values.OfType<double>());

    static string Spread(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToList();
        return v.Count == 0 ? "–" : v.Count == 1 ? F(v[0]) : $"{F(Runs.Median(v))} ({F(v.Min())}–{F(v.Max())})";
    }

    static string F(double value, string format = "F1") => double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);
}
