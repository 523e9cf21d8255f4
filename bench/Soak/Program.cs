// The reliability soak (docs/reliability.md): drills under a flaky API server, and recoveries killed with SIGKILL at
// random points and run again.
//
//   dotnet run -c Release --project bench/Soak                  # full: 50 drills, 20 random kills and one as each step starts, real timings
//   dotnet run -c Release --project bench/Soak -- --quick       # small (CI): 2 drills, 3 kills, lab 5x faster
//   ... -- --drills 6 --kills 0 --compare                      # each drill with the faults and then without: their cost side by side
//   ... -- --drills 10 --kills 0 --faults error-rate=0.2,reset-rate=0.02,watch-drop=5s --json soak.json
using System.Globalization;
using System.Text.Json;
using KubeRescue.Bench.Soak;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.Faults;

var quick = false;
// Each drill also run without faults, right after the one with them: the faults' cost, side by side.
var compare = false;
int? drillsAsked = null, killsAsked = null;
string? json = null;
var faults = ApiFaults.Parse("error-rate=0.1,watch-drop=5s");
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": quick = true; break;
        case "--compare": compare = true; break;
        case "--drills" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n >= 0: drillsAsked = n; i++; break;
        case "--kills" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var k) && k >= 0: killsAsked = k; i++; break;
        case "--faults" when i + 1 < args.Length:
            try { faults = ApiFaults.Parse(args[++i]); }
            catch (FormatException e) { return Usage($"--faults: {e.Message}"); }
            break;
        case "--json" when i + 1 < args.Length: json = args[++i]; break;
        default: return Usage($"{args[i]}: not an option, or a missing or bad value");
    }
}
var (drills, kills, timeScale) = (drillsAsked ?? (quick ? 2 : 50), killsAsked ?? (quick ? 3 : 20), quick ? 5.0 : 1.0);

using var interruption = new KubeRescue.Bench.Interruption();
var ct = interruption.Token;

void Say(string line) => Console.Error.WriteLine($"[{Clock.Now,7:F1}s] {line}");
Console.WriteLine($"# Reliability soak ({(quick ? "quick" : "full")}): {drills} drills with API faults {faults}, {kills} SIGKILL-and-resume runs; " +
    $"lab at {(timeScale == 1 ? "real timings" : $"{timeScale}x real time")}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd}");
Console.WriteLine();

var drillResults = new List<DrillRun>();
for (var i = 0; i < drills; i++)
{
    var component = Components.Keys[i % Components.Keys.Length];
    foreach (var spec in compare ? [faults, ApiFaults.None] : new[] { faults })
    {
        var run = await DrillRun.RunAsync(i + 1, component, spec, timeScale, ct);
        drillResults.Add(run);
        Say($"drill {i + 1}/{drills} {component}, faults {spec}: {(run.Passed ? "passed" : $"FAILED: {run.Failure}")} in {run.Seconds:F1} s " +
            $"(recovery {run.RecoverySeconds:F1} s, {run.LeaseWrites} Lease writes, {run.Overlaps.Count} overlaps, {run.RescuePodsLeft.Count} rescue pods left)");
    }
}

var killResults = new List<KillRun>();
IReadOnlyList<string> killOverlaps = [];
var killLeaseWrites = 0;
if (kills > 0)
{
    await using var lab = await KillLab.StartAsync(timeScale, Say, ct);
    // An uninterrupted recovery of each kind first: the kill points are drawn over its length.
    var lengths = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var component in Components.Keys)
    {
        var calibration = await lab.RunAsync(0, component, killAfter: null, ct);
        if (!calibration.Healed) throw new InvalidOperationException($"the uninterrupted recovery of {component} did not heal the lab: {calibration.Failure}");
        lengths[component] = calibration.FirstRunSeconds;
        Say($"calibration {component}: recover took {calibration.FirstRunSeconds:F1} s");
    }
    for (var i = 0; i < kills; i++)
    {
        var component = Components.Keys[i % Components.Keys.Length];
        var at = Random.Shared.NextDouble() * lengths[component];
        var run = await lab.RunAsync(i + 1, component, at, ct);
        killResults.Add(run);
        Say($"kill {i + 1}/{kills} {component} at {at:F1} s ({run.KilledDuring ?? "after it ended"}): second run exit {run.SecondExit} in {run.SecondRunSeconds:F1} s, " +
            $"{(run.Healed ? "healed" : $"NOT HEALED: {run.Failure}")}");
    }
    // Then at the start of every step of a recovery of both (where the random points rarely land: the steps after
    // the rescue pod's start take a second or less), so that every point of the procedure is covered.
    if (!quick)
    {
        // A recovery's steps, in the order they run (docs/recover.md).
        foreach (var step in new[] { "ensure-rescue-pod", "await-replacement", "remove-rescue-pod", "await-leader", "verify" })
        {
            var run = await lab.RunAsync(killResults.Count + 1, "both", null, ct, killAtStep: step);
            killResults.Add(run);
            Say($"kill {run.Run} both as {step} starts ({run.KilledDuring ?? "after it ended"}): second run exit {run.SecondExit} in {run.SecondRunSeconds:F1} s, " +
                $"{(run.Healed ? "healed" : $"NOT HEALED: {run.Failure}")}");
        }
    }
    (killOverlaps, killLeaseWrites) = (lab.Overlaps(), lab.LeaseWrites);
}

Report.Write(Console.Out, drillResults, killResults, killOverlaps, killLeaseWrites);
if (json is not null)
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { drills = drillResults, kills = killResults, killOverlaps }, new JsonSerializerOptions { WriteIndented = true }), ct);
return drillResults.All(d => d.Passed) && killResults.All(k => k.Healed) && killOverlaps.Count == 0 ? 0 : 1;

static int Usage(string error)
{
    Console.Error.WriteLine($"error: {error}\nusage: Soak [--quick] [--drills N] [--kills N] [--faults SPEC] [--json FILE]");
    return 2;
}
