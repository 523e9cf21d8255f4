using System.Globalization;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// Log lines in klog's header format (<c>I0102 15:04:05.000000       1 file.go:123] msg</c>), as the real binary writes
/// them, stamped with the process's clock.
/// </summary>
sealed class Klog(TextWriter log, TimeProvider clock)
{
    readonly TextWriter _log = TextWriter.Synchronized(log);

    public void Info(string source, string message) => Write('I', source, message);
    public void Warning(string source, string message) => Write('W', source, message);
    public void Error(string source, string message) => Write('E', source, message);

    void Write(char severity, string source, string message)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{severity}{now:MMdd HH:mm:ss.ffffff}       1 {source}] {message}"));
    }

    /// <summary>Plain output, as cobra prints usage and errors before logging starts.</summary>
    public void Raw(string text) => _log.WriteLine(text);
}
