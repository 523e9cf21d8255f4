// Mean time to recovery on the lab: kube-rescue against the manual runbook procedure (real kubectl and jq), and the
// floor no procedure can beat, for the scheduler, the controller-manager and both (see docs/benchmarks.md).
//
//   dotnet run -c Release --project bench/Mttr                 # full: real timings, 5 runs of each method per scenario
//                                                              # (with the native build too, if artifacts/native has it)
//   dotnet run -c Release --project bench/Mttr -- --quick      # small (CI): 5x faster lab, 1 run, kube-rescue and manual
//   ... -- --runs 3 --scenario both --json results.json        # fewer runs, one scenario; every run's figures as JSON
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using KubeRescue.Bench;
using KubeRescue.Bench.Mttr;

var quick = false;
int? runsAsked = null;
string? json = null;
var scenarios = Scenario.All;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": quick = true; break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n >= 1: runsAsked = n; i++; break;
        case "--json" when i + 1 < args.Length: json = args[++i]; break;
        case "--scenario" when i + 1 < args.Length && Scenario.All.FirstOrDefault(x => x.Name == args[i + 1]) is { } one: scenarios = [one]; i++; break;
        default: return Usage($"{args[i]}: not an option, or a missing or bad value");
    }
}
var runs = runsAsked ?? (quick ? 1 : 5);

// Quick runs the lab 5x faster, with kube-rescue's stability window and the operator's 2 s polling scaled alike.
var timeScale = quick ? 5.0 : 1.0;
// The full run adds --min-ready 0s (the mechanism's own overhead, without the safety window) and, if it is built,
// the native binary (start-up without the JIT).
IReadOnlyList<Method> methods = quick
    ? [new("kube-rescue", false, ["--min-ready", "1s"]), new("manual", true, [], Poll: 2 / timeScale)]
    : [new("kube-rescue", false, []), new("kube-rescue --min-ready 0s", false, ["--min-ready", "0s"]),
        .. Tools.Native is null ? Array.Empty<Method>() : [new("kube-rescue native", false, [], Native: true)], new("manual", true, [])];
using var interruption = new KubeRescue.Bench.Interruption();
var ct = interruption.Token;

void Say(string line) => Console.Error.WriteLine($"[{Clock.Now,7:F1}s] {line}");
Console.WriteLine($"# MTTR benchmark ({(quick ? "quick" : "full")}): {runs} run(s) per method, lab at {(timeScale == 1 ? "real timings" : $"{timeScale}x real time")}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average at start {LoadAverage()}; " +
    $"date {DateTime.UtcNow:yyyy-MM-dd}; kubectl {Path.GetFileName(Tools.Kubectl)}");
Console.WriteLine();

var results = new List<RunResult>();
var boots = new List<(string Scenario, double Seconds)>();
LabProcess? shared = null;
try
{
    foreach (var scenario in scenarios)
    {
        // A fresh lab per scenario; the quick run shares one (each run still starts from a settled, healthy cluster).
        var lab = shared ?? await WarmLab.StartAsync(timeScale, ct);
        if (quick) shared = lab;
        try
        {
            boots.Add((scenario.Name, lab.BootTime.TotalSeconds));
            Say($"{scenario.Name}: lab ready after {lab.BootTime.TotalSeconds:F1} s");
            using var client = lab.Client();
            for (var run = 1; run <= runs; run++)
                foreach (var method in methods)
                    results.Add(await Runs.RunAsync(lab, client, scenario, method, run, timeScale, Say, ct));
        }
        finally
        {
            if (!quick) await lab.DisposeAsync();
        }
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted: the labs are stopped, nothing is reported");
    return 130;
}
finally
{
    if (shared is not null) await shared.DisposeAsync();
}

Report.Write(Console.Out, results, boots, methods, quick);
if (json is not null)
    await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { timeScale, runs, boots = boots.Select(b => new { b.Scenario, b.Seconds }), results },
        new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }), ct);
return results.Any(x => x.Failure is not null) ? 1 : 0;

static int Usage(string error)
{
    Console.Error.WriteLine($"error: {error}\nusage: dotnet run -c Release --project bench/Mttr [-- [--quick] [--runs N (at least 1)] [--scenario scheduler|controller-manager|both] [--json FILE]]");
    return 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
