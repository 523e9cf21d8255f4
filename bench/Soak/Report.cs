using System.Globalization;

namespace KubeRescue.Bench.Soak;

/// <summary>The soak's figures as Markdown tables (docs/reliability.md quotes them).</summary>
static class Report
{
    public static void Write(TextWriter o, IReadOnlyList<DrillRun> drills, IReadOnlyList<KillRun> kills, IReadOnlyList<string> killOverlaps, int killLeaseWrites)
    {
        if (drills.Count > 0)
        {
            o.WriteLine("## Drills");
            o.WriteLine();
            o.WriteLine("| API faults | component | drills | passed | drill s, median (min-max) | recovery s, median (min-max) | requests | retried | Lease writes | leader overlaps | rescue pods left |");
            o.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var byFaults in drills.GroupBy(d => d.Faults))
            {
                foreach (var g in byFaults.GroupBy(d => d.Component).Append(byFaults.GroupBy(_ => "all").Single()))
                {
                    var list = g.ToList();
                    o.WriteLine($"| {byFaults.Key} | {g.Key} | {list.Count} | {list.Count(d => d.Passed)} | {Spread(list.Select(d => d.Seconds))} | {Spread(list.Select(d => d.RecoverySeconds))} | " +
                        $"{list.Sum(d => d.Requests)} | {list.Sum(d => d.Retries)} ({Percent(list.Sum(d => d.Retries), list.Sum(d => d.Requests))}) | {list.Sum(d => d.LeaseWrites)} | " +
                        $"{list.Sum(d => d.Overlaps.Count)} | {list.Sum(d => d.RescuePodsLeft.Count)} |");
                }
            }
            o.WriteLine();
            foreach (var d in drills.Where(d => !d.Passed)) o.WriteLine($"- drill {d.Run} ({d.Component}, faults {d.Faults}) failed: {d.Failure}");
            if (drills.Any(d => !d.Passed)) o.WriteLine();
        }
        if (kills.Count > 0)
        {
            o.WriteLine("## SIGKILL at a random point of `recover`, then `recover` again");
            o.WriteLine();
            o.WriteLine("| run | component | killed | during | second run | second run s | healed | rescue pods left |");
            o.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var k in kills)
                o.WriteLine($"| {k.Run} | {k.Component} | {(k.KillAtStep is { } step ? $"as {step} starts" : $"at {k.KillAfter?.ToString("F1", CultureInfo.InvariantCulture)} s")} | {(k.Killed ? k.KilledDuring : "(had ended)")} | " +
                    $"exit {k.SecondExit} | {k.SecondRunSeconds.ToString("F1", CultureInfo.InvariantCulture)} | {(k.Healed ? "yes" : $"**no**: {k.Failure}")} | {k.RescuePodsLeft.Count} |");
            o.WriteLine();
            var during = kills.Where(k => k.Killed).GroupBy(k => k.KilledDuring).Select(g => $"{g.Key} {g.Count()}");
            o.WriteLine($"{kills.Count(k => k.Healed)} of {kills.Count} healed; {kills.Count(k => k.Killed)} killed mid-run ({string.Join(", ", during)}); " +
                $"{kills.Sum(k => k.RescuePodsLeft.Count)} rescue pods left; {killLeaseWrites} Lease writes over the series, {killOverlaps.Count} leader overlaps.");
            foreach (var overlap in killOverlaps) o.WriteLine($"- {overlap}");
            o.WriteLine();
        }
    }

    static string Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return "-";
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{median:F1} ({sorted[0]:F1}-{sorted[^1]:F1})");
    }

    static string Percent(int part, int whole) => whole == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole:F1}%");
}
