using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KubeRescue.Cli;

/// <summary>What this binary is: read from its own assembly and runtime, never from a cluster.</summary>
/// <param name="Version">The project's Version (the informational version without its <c>+commit</c> suffix).</param>
/// <param name="Build"><c>jit</c> or <c>native</c> (NativeAOT, which generates no code at run time).</param>
/// <param name="Runtime">The .NET runtime, e.g. <c>.NET 10.0.12</c>.</param>
/// <param name="Platform">The runtime identifier, e.g. <c>linux-x64</c>.</param>
/// <param name="GitCommit">The commit the build came from, when the build could read it from git.</param>
public sealed record BuildInfo(string Version, string Build, string Runtime, string Platform, string? GitCommit)
{
    public static BuildInfo Current { get; } = Read();

    static BuildInfo Read()
    {
        var informational = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var parts = informational.Split('+', 2);
        return new BuildInfo(parts[0], RuntimeFeature.IsDynamicCodeSupported ? "jit" : "native", RuntimeInformation.FrameworkDescription,
            RuntimeInformation.RuntimeIdentifier, parts.Length == 2 && parts[1].Length > 0 ? parts[1] : null);
    }
}
