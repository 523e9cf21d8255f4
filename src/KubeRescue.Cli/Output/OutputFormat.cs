using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace KubeRescue.Cli.Output;

/// <summary><c>-o table|json|yaml</c> for every command that reports: the table for people, JSON and YAML for scripts.</summary>
public static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Yaml = "yaml";

    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o") { Description = "Output format: table, json or yaml.", DefaultValueFactory = _ => Table };
        option.AcceptOnlyFromAmong(Table, Json, Yaml);
        return option;
    }

    /// <summary>Where a command tells what it does: stdout for the table, stderr when stdout carries a document for scripts.</summary>
    public static TextWriter Story(Streams streams, string format) => format == Table ? streams.Out : streams.Error;

    /// <summary>
    /// Writes a report as JSON or YAML (the same document); the table is the command's own. The type's contract comes
    /// from <see cref="DocumentJson"/>, generated at compile time, so that the native build needs no reflection.
    /// </summary>
    public static void WriteDocument<T>(TextWriter output, T report, JsonTypeInfo<T> type, string format)
    {
        var node = JsonSerializer.SerializeToNode(report, type);
        if (format == Yaml) output.Write(YamlEmitter.Emit(node));
        else output.WriteLine(node?.ToJsonString(type.Options) ?? "null");
    }
}
