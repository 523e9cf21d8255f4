using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>Debian's headless Chromium, to render a report as a browser does.</summary>
static class Chromium
{
    const string Binary = "/usr/bin/chromium";

    /// <summary>Runs it once with a profile of its own under <paramref name="scratch"/>, offline, for a file:// page.</summary>
    public static async Task<ProcessResult> RunAsync(string scratch, params string[] args)
    {
        // Not installed is a failure with the fix, never a silent skip: the page is only proven by rendering it.
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install it (apt-get install -y chromium); the report tests render the page in it");
        var psi = new ProcessStartInfo(Binary);
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Directory.CreateDirectory(Path.Combine(scratch, $"chromium-{Guid.NewGuid():N}")).FullName}", .. args])
            psi.ArgumentList.Add(a);
        var result = await Processes.RunAsync(psi, timeout: TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }
}

/// <summary><c>drill --report</c>: one drill, its page opened in headless Chromium; bad paths refused before a lab starts.</summary>
public class ReportTests
{
    [Fact]
    public async Task A_drill_s_report_renders_in_chromium_with_its_chart_and_holds_no_credential()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-report-").FullName;
        try
        {
            var report = Path.Combine(dir, "drill.html");
            var kubeconfig = Path.Combine(dir, "kubeconfig");
            var drill = await Processes.RunAsync(Processes.Cli("drill", "--time-scale", "5", "--report", report, "--kubeconfig", kubeconfig), timeout: TimeSpan.FromMinutes(5));
            Assert.True(drill.ExitCode == 0, drill.Output);
            Assert.Contains($"report: {report}\n", drill.Stdout);

            var html = await File.ReadAllTextAsync(report);
            var config = await File.ReadAllTextAsync(kubeconfig);
            foreach (var secret in new[] { "token", "server", "certificate-authority-data" }.Select(key => Regex.Match(config, $@"{key}: (\S+)").Groups[1].Value))
            {
                Assert.True(secret.Length > 10, config);
                Assert.DoesNotContain(secret, html);
            }
            Assert.Contains("<dd>the embedded lab of the drill (3 masters, 2 workers; kube-scheduler broken by delete-pods)</dd>", html);

            // The DOM as Chromium built it from the file: the chart, with its lanes and steps.
            var uri = new Uri(report).AbsoluteUri;
            var dom = (await Chromium.RunAsync(dir, "--dump-dom", uri)).Stdout;
            Assert.Single(Regex.Matches(dom, "<svg id=\"timeline\""));
            var podLanes = Regex.Matches(dom, "<g class=\"lane pod( rescue)?\" data-pod=\"([^\"]+)\"").Select(m => (Rescue: m.Groups[1].Success, Name: m.Groups[2].Value)).ToList();
            Assert.Equal([(true, "kube-scheduler-rescue")], podLanes.Where(p => p.Rescue));
            Assert.True(podLanes.Count(p => !p.Rescue) >= 2, dom);
            Assert.Single(Regex.Matches(dom, "<g class=\"lane lease\" data-lease=\"kube-system/kube-scheduler\""));
            Assert.Equal(["ensure-rescue-pod", "await-replacement", "remove-rescue-pod", "await-leader", "verify"],
                Regex.Matches(dom, "<g class=\"step succeeded\" data-step=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
            Assert.Contains("<rect class=\"seg ready\"", dom);
            Assert.Contains("<rect class=\"hold rescue\"", dom);
            Assert.Contains("<rect class=\"hold permanent\"", dom);

            // Drawn: a screenshot of the size asked for, with far more in it than one colour compresses to (about 5 KB).
            var png = Path.Combine(dir, "drill.png");
            await Chromium.RunAsync(dir, $"--screenshot={png}", "--window-size=1400,1000", uri);
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a], bytes[..8]);
            Assert.Equal((1400, 1000), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
            Assert.True(bytes.Length > 50_000, $"{bytes.Length} bytes");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("/nonexistent/dir/r.html", "the directory /nonexistent/dir does not exist")]
    [InlineData("/tmp", "--report \"/tmp\" is not a file name")]
    public async Task A_report_path_that_cannot_be_written_is_refused_before_the_lab_starts(string path, string error)
    {
        var result = await Processes.RunAsync(Processes.Cli("drill", "--report", path));
        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Contains(error, result.Stderr);
        Assert.DoesNotContain("starting the lab", result.Stdout);
    }
}

/// <summary><c>recover --report</c> on a lab of its own: the page of a failed recovery (bad --report options: RecoverRefusalTests).</summary>
public class RecoverReportTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Fact]
    public async Task A_failed_recovery_writes_its_report_with_the_failed_step_and_no_credential()
    {
        var broken = await Processes.RunAsync(Processes.Cli("lab", "break", "scheduler", "--kubeconfig", lab.Kubeconfig, "--settle", "2"), timeout: TimeSpan.FromMinutes(2));
        Assert.True(broken.ExitCode == 0, broken.Output);

        // A deadline shorter than --min-ready: the rescue pod cannot count as started in time, so the first step fails.
        var report = Path.Combine(lab.Directory, "failed.html");
        var run = await Processes.RunAsync(Processes.Cli("recover", "scheduler", "--yes", "--timeout", "3s", "--min-ready", "5s", "--report", report, "--kubeconfig", lab.Kubeconfig),
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 1, run.Output);
        Assert.EndsWith($"report: {report}\n", run.Stdout);

        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("<h1>Recovery of kube-scheduler failed</h1>", html);
        Assert.Contains("<dd>context kube-rescue-lab</dd>", html);
        Assert.Matches("<strong>Failed at</strong> ensure-rescue-pod \\(kube-scheduler\\): ", html);
        Assert.Single(Regex.Matches(html, "<g class=\"step failed\" data-step=\"ensure-rescue-pod\""));
        Assert.Equal(["await-replacement", "remove-rescue-pod", "await-leader", "verify"],
            Regex.Matches(html, "<g class=\"step not-run\" data-step=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("<g class=\"lane pod rescue\" data-pod=\"kube-scheduler-rescue\"", html);
        Assert.Contains("<article class=\"component before down\" data-component=\"kube-scheduler\">", html);
        var config = await File.ReadAllTextAsync(lab.Kubeconfig);
        foreach (var secret in new[] { "token", "server", "certificate-authority-data" }.Select(key => Regex.Match(config, $@"{key}: (\S+)").Groups[1].Value))
            Assert.DoesNotContain(secret, html);
    }
}
