namespace KubeRescue.Bench;

/// <summary>The checkout a benchmark or test was built in: where it finds scripts, docs and other builds.</summary>
public static class Repository
{
    static readonly Lazy<string> Found = new(Find);

    /// <summary>The first directory above this program's assembly that holds KubeRescue.slnx.</summary>
    public static string Root => Found.Value;

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KubeRescue.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no KubeRescue.slnx above {AppContext.BaseDirectory}: run from inside the repository");
    }
}
