using System.Runtime.InteropServices;

namespace KubeRescue.Bench;

/// <summary>
/// Ctrl-C or SIGTERM cancels the run in progress instead of killing the process, so that the benchmark still stops
/// the labs and processes it started (finally blocks do not run when the signal kills the process).
/// </summary>
sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource _cancel = new();
    readonly PosixSignalRegistration _sigint, _sigterm;

    public Interruption()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => _cancel.Token;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _cancel.Cancel();
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _cancel.Dispose();
    }
}
