namespace KubeRescue.Tests;

/// <summary>Shared by every test project (linked, not referenced): waiting on a condition, never sleeping.</summary>
public static class Wait
{
    /// <summary>
    /// Polls a condition until it holds or the timeout passes; for state the test cannot subscribe to. Conditions
    /// that run a process (kubectl) pass a longer <paramref name="interval"/>.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? what = null, TimeSpan? interval = null)
    {
        // Generous by default: a condition that holds returns at once; the bound only matters on a busy 2-core machine.
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what ?? "condition"}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20));
        }
    }
}
