using System.Text.RegularExpressions;
using System.Xml.Linq;
using KubeRescue.Cli.Output.Report;
using KubeRescue.Diagnosis;
using KubeRescue.Recovery;
using KubeRescue.Recovery.Timeline;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>The report page from timelines made here: escaping, a failed run, an incomplete record, nothing fetched from elsewhere.</summary>
public class HtmlReportTests
{
    static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    static ComponentStatus Component(string name, Verdict verdict, string summary, string pod, string? reason = null) => new(
        name, verdict, summary, new WorkloadEvidence("Deployment", name, 2, verdict == Verdict.Healthy ? 2 : 0, 2, "3"),
        [new PodEvidence(pod, "master-2", verdict == Verdict.Healthy ? "Running" : "Pending", reason, 0, verdict == Verdict.Healthy, false, false, "3", null)],
        new LeaseEvidence(pod + "_0f3c", DateTime.UtcNow, 15, 1, false, pod, true, false), null, [], verdict == Verdict.Healthy ? "none" : "kube-rescue recover scheduler");

    /// <summary>A scheduler recovery: the rescue pod on master-1, a replacement placed by it, the lease handed over.</summary>
    static RecoveryTimeline Recovered(string pod = "kube-scheduler-7d9f-abcde") => new(
        new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc), S(30), S(30), ["kube-scheduler"], TimelineOutcome.Succeeded, null,
        [
            new("ensure-rescue-pod", "kube-scheduler", "run pod kube-system/kube-scheduler-rescue", StepState.Succeeded, S(0), S(6), "kube-scheduler-rescue runs on master-1"),
            new("await-replacement", "kube-scheduler", "wait until 2 pods run", StepState.Succeeded, S(6), S(20), "2 of 2 run"),
            new("remove-rescue-pod", "kube-scheduler", "delete it", StepState.Succeeded, S(20), S(22), "removed"),
            new("await-leader", "kube-scheduler", "wait for a leader", StepState.Succeeded, S(22), S(29), "held by " + pod),
            new("verify", null, "verify", StepState.Succeeded, S(29), S(30), "healthy"),
        ],
        [new(S(0.2), RecoveryEventKind.Progress, "ensure-rescue-pod", "kube-scheduler", "created kube-scheduler-rescue on master-1")],
        [
            new("kube-system", "kube-scheduler-rescue", "kube-scheduler", true,
                [new(S(0), S(2), "Pending", false, "master-1", 0, false, false, "ContainerCreating", null), new(S(2), S(21), "Running", true, "master-1", 0, false, false, null, null),
                 new(S(21), S(22), "Running", false, "master-1", 0, true, false, null, null)], S(22)),
            new("kube-system", pod, "kube-scheduler", false,
                [new(S(0), S(8), "Pending", false, null, 0, false, false, null, null), new(S(8), S(30), "Running", true, "master-2", 0, false, false, null, null)], null),
        ],
        [new("kube-system", "kube-scheduler", "kube-scheduler", "Lease",
            [new(S(0), S(3), null, false, null, false), new(S(3), S(21), "kube-scheduler-rescue_1a2b", false, "kube-scheduler-rescue", true),
             new(S(21), S(30), pod + "_0f3c", false, pod, false)])],
        [Component("kube-scheduler", Verdict.Down, "no live pod", pod, "Unschedulable")],
        new ControlPlaneStatus(new DateTime(2025, 3, 4, 5, 6, 40, DateTimeKind.Utc), Verdict.Healthy, new ApiServerHealth(true, true, null),
            [Component("kube-scheduler", Verdict.Healthy, "2/2 pods ready", pod), Component("kube-controller-manager", Verdict.Healthy, "2/2 pods ready", "kube-controller-manager-1-x")], [], []),
        []);

    [Fact]
    public void A_recovered_run_has_its_header_chart_steps_and_status()
    {
        var html = HtmlReport.Render(Recovered(), "context prod-eu");
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<h1>kube-scheduler recovered</h1>", html);
        Assert.Contains("<dd>context prod-eu</dd>", html);
        Assert.Contains("<dd>30.0s</dd>", html);
        Assert.Contains("2025-03-04 05:06:07 UTC", html);
        Assert.Single(Regex.Matches(html, "<svg id=\"timeline\""));
        Assert.Equal(2, Regex.Matches(html, "<g class=\"lane pod").Count);
        Assert.Single(Regex.Matches(html, "<g class=\"lane pod rescue\" data-pod=\"kube-scheduler-rescue\""));
        Assert.Single(Regex.Matches(html, "<g class=\"lane lease\" data-lease=\"kube-system/kube-scheduler\""));
        Assert.Equal(5, Regex.Matches(html, "<g class=\"step succeeded\"").Count);
        Assert.Equal(3, Regex.Matches(html, "<rect class=\"hold ").Count);
        Assert.Contains("<rect class=\"hold rescue\"", html);
        Assert.Contains("<rect class=\"hold permanent\"", html);
        Assert.Contains("<rect class=\"seg terminating\"", html);
        Assert.Contains("<g class=\"deleted\">", html);
        Assert.Contains("<g class=\"tick\">", html);
        // The steps table, with the progress of each step under it.
        Assert.Contains("created kube-scheduler-rescue on master-1", html[html.IndexOf("id=\"steps\"", StringComparison.Ordinal)..]);
        // Before and after side by side; the component the run left alone has no "before".
        var status = html[html.IndexOf("id=\"status\"", StringComparison.Ordinal)..];
        Assert.Contains("<article class=\"component before down\" data-component=\"kube-scheduler\">", status);
        Assert.Contains("<article class=\"component after healthy\" data-component=\"kube-scheduler\">", status);
        Assert.Contains("not part of this recovery", status);
        Assert.Contains("<article class=\"component after healthy\" data-component=\"kube-controller-manager\">", status);
        Assert.DoesNotContain("id=\"gaps\"", html);
    }

    [Fact]
    public void Every_string_from_the_cluster_is_escaped_in_text_and_attributes()
    {
        const string evil = "x\"><script>alert(1)</script><img src=y onerror=alert(2)>&amp;'";
        var t = Recovered(pod: "pod" + evil);
        t = t with
        {
            Failure = "verify: " + evil,
            Outcome = TimelineOutcome.Failed,
            Steps = [.. t.Steps.Select(s => s with { Outcome = evil, Description = evil })],
            Notes = [.. t.Notes.Select(n => n with { Message = evil }), new(S(1), RecoveryEventKind.Warning, "plan", null, evil)],
            Pods = [.. t.Pods.Select(p => p with { Intervals = [.. p.Intervals.Select(i => i with { Node = "n" + evil, Reason = evil, Message = evil })] })],
            Gaps = [evil],
        };
        var html = HtmlReport.Render(t, "context " + evil);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", html);
        // The chart is well-formed XML with those strings in its text and attributes: nothing broke out.
        var svg = html[html.IndexOf("<svg id=\"timeline\"", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Contains(doc.Descendants(ns + "g"), g => (string?)g.Attribute("data-pod") == "pod" + evil);
        Assert.Contains(doc.Descendants(ns + "text"), e => e.Value.Contains("n" + evil[..5], StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_run_says_where_it_failed_and_what_did_not_run()
    {
        var t = Recovered();
        t = t with
        {
            Outcome = TimelineOutcome.Failed,
            Duration = S(200),
            RecordedUntil = S(200),
            Failure = "await-replacement (kube-scheduler): timed out waiting for Deployment/kube-system/kube-scheduler to run 2 pods",
            Steps =
            [
                t.Steps[0],
                t.Steps[1] with { State = StepState.Failed, Ended = S(196), Outcome = "timed out waiting for Deployment/kube-system/kube-scheduler to run 2 pods" },
                .. t.Steps.Skip(2).Select(s => s with { State = StepState.NotRun, Started = null, Ended = null, Outcome = null }),
            ],
            Pods = [.. t.Pods.Take(1), t.Pods[1] with { Intervals = [new(S(0), S(200), "Running", false, "master-2", 7, false, true, "CrashLoopBackOff", "last exit code 1")] }],
            After = null,
        };
        var html = HtmlReport.Render(t, null);
        Assert.Contains("<h1>Recovery of kube-scheduler failed</h1>", html);
        Assert.Contains("<header id=\"summary\" class=\"failed\">", html);
        Assert.Contains("<dd>3m20s</dd>", html);
        Assert.Contains("<dd>unknown</dd>", html);
        Assert.Contains("<strong>Failed at</strong> await-replacement (kube-scheduler): timed out waiting", html);
        Assert.Single(Regex.Matches(html, "<g class=\"step failed\" data-step=\"await-replacement\""));
        Assert.Contains("FAILED after 3m10s", html);
        Assert.Equal(3, Regex.Matches(html, "<g class=\"step not-run\"").Count);
        Assert.Equal(3, Regex.Matches(html, "<span class=\"badge not-run\">not run</span>").Count);
        Assert.Contains("<rect class=\"seg failing\"", html);
        Assert.Contains("master-2 &#183; CrashLoopBackOff", html);
        Assert.Contains("The status afterwards could not be read.", html);
        Assert.Contains("<article class=\"component after missing\"><p>could not be read</p></article>", html);
    }

    [Fact]
    public void An_incomplete_record_says_why_and_marks_where_it_stops()
    {
        var t = Recovered() with { RecordedUntil = S(12), Gaps = ["more than 10000 changes of pods and Leases: the record stops at 12.0s"] };
        var html = HtmlReport.Render(t, "context lab");
        Assert.Contains("<strong>This record is incomplete.</strong><ul><li>more than 10000 changes of pods and Leases: the record stops at 12.0s</li></ul>", html);
        Assert.Contains("<g class=\"record-stops\">", html);
        Assert.DoesNotContain("<g class=\"record-stops\">", HtmlReport.Render(Recovered(), "context lab"));
    }

    [Fact]
    public void The_page_is_self_contained_no_script_no_external_resource()
    {
        var html = HtmlReport.Render(Recovered(), "context lab");
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
        Assert.All(Regex.Matches(html, @"url\(([^)]*)\)"), m => Assert.StartsWith("#", m.Groups[1].Value, StringComparison.Ordinal));
        // The one URL is the SVG namespace, a name that is never fetched.
        Assert.Equal(["http://www.w3.org/2000/svg"], Regex.Matches(html, @"https?://[^""'\s)]+").Select(m => m.Value));
    }

    [Fact]
    public void The_file_is_written_whole_and_no_temporary_file_is_left()
    {
        var dir = Directory.CreateTempSubdirectory("report-").FullName;
        try
        {
            var path = Path.Combine(dir, "r.html");
            File.WriteAllText(path, "old");
            HtmlReport.Write(path, Recovered(), "context lab");
            Assert.Equal(HtmlReport.Render(Recovered(), "context lab"), File.ReadAllText(path));
            Assert.Equal(["r.html"], Directory.GetFiles(dir).Select(Path.GetFileName));
            Assert.Null(ReportRecording.Check(path));
            Assert.Contains("is not a file name", ReportRecording.Check(dir));
            Assert.Contains("does not exist", ReportRecording.Check(Path.Combine(dir, "no", "r.html")));
            Assert.Equal(["r.html"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
