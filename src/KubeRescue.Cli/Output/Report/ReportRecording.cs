using System.CommandLine;
using k8s;
using KubeRescue.Diagnosis;
using KubeRescue.Recovery;
using KubeRescue.Recovery.Timeline;

namespace KubeRescue.Cli.Output.Report;

/// <summary>
/// <c>--report FILE</c> for <c>recover</c> and <c>drill</c>: the path checked before anything changes, a
/// <see cref="TimelineRecorder"/> around the run, and the page written after it, whether it succeeded, failed or was
/// interrupted. Without <c>--report</c> (a null path) every member does nothing, so a command calls them unconditionally.
/// </summary>
public sealed class ReportRecording(string? path, string? cluster) : IAsyncDisposable
{
    TimelineRecorder? _recorder;
    RecoveryTimeline? _timeline;

    public static Option<string?> CreateOption() => new("--report")
    {
        Description = "Write an HTML report of the recovery to this file: the timeline of its steps, pods and leases, and the status before and after (also when it fails).",
        HelpName = "FILE.html",
    };

    /// <summary>Why the report could not be written there (a directory, a missing or unwritable directory), or null.</summary>
    public static string? Check(string path)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"--report {path}: not a usable file name: {e.Message}";
        }
        if (string.IsNullOrWhiteSpace(path) || Directory.Exists(full) || path.EndsWith(Path.DirectorySeparatorChar))
            return $"--report \"{path}\" is not a file name: give one such as recovery.html";
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) return $"--report {path}: the directory {directory} does not exist";
        // Only writing proves it can be written (permissions, a read-only mount): a probe file, deleted at once.
        try
        {
            using (File.Create(Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.probe"), 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--report {path}: cannot write in {directory}: {e.Message}";
        }
        return null;
    }

    /// <summary>Starts recording; call it just before <see cref="RecoveryRunner.RunAsync"/>.</summary>
    public async Task StartAsync(IKubernetes client, RecoveryPlan plan, CancellationToken ct)
    {
        if (path is not null) _recorder = await TimelineRecorder.StartAsync(client, plan, ct);
    }

    /// <summary>Pass every event of the run (from the runner's report callback).</summary>
    public void Record(RecoveryEvent e) => _recorder?.Record(e);

    /// <summary>Stops recording at the end of the run; <paramref name="result"/> is null when it was interrupted.</summary>
    public async Task FinishAsync(RecoveryResult? result)
    {
        if (_recorder is not null && _timeline is null) _timeline = await _recorder.FinishAsync(result);
    }

    /// <summary>
    /// Writes the page and says where on <paramref name="story"/>; <paramref name="after"/> replaces the status read at
    /// the end of the run (the drill's proof). A failure to write is an error on <paramref name="error"/>, not the run's outcome.
    /// </summary>
    public void Write(TextWriter story, TextWriter error, ControlPlaneStatus? after = null)
    {
        if (path is null || _timeline is null) return;
        try
        {
            HtmlReport.Write(path, after is null ? _timeline : _timeline with { After = after }, cluster);
            story.WriteLine($"report: {Path.GetFullPath(path)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: could not write the report {path}: {e.Message}");
        }
    }

    public ValueTask DisposeAsync() => _recorder?.DisposeAsync() ?? ValueTask.CompletedTask;
}
