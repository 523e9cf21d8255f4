using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>A benchmark under bench/ run in its small version against the tests' CLI, and the rows of the table it prints.</summary>
sealed class QuickBench
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    QuickBench(string stdout) => Stdout = stdout;

    public string Stdout { get; }

    /// <summary>Runs <c>bench/&lt;project&gt; --quick --cli &lt;the tests' CLI&gt;</c>; it must exit 0.</summary>
    public static async Task<QuickBench> RunAsync(string project, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { "run", "--project", Path.Combine(Repository.Root, "bench", project), "-c", Configuration, "--", "--quick", "--cli", KubeRescueCli.BesideThisProgram })
            psi.ArgumentList.Add(a);
        var bench = await Processes.RunAsync(psi, timeout: timeout);
        Assert.True(bench.ExitCode == 0, bench.Output);
        return new QuickBench(bench.Stdout);
    }

    /// <summary>A measure's result, found by the start of its name (rows may end with what they read).</summary>
    public string Row(string measure)
    {
        var row = Regex.Match(Stdout, $@"^\| {Regex.Escape(measure)}[^|]* \| (?<result>[^|]+) \|", RegexOptions.Multiline);
        Assert.True(row.Success, $"no row '{measure}' in:\n{Stdout}");
        return row.Groups["result"].Value;
    }
}
