using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace KubeRescue.Cli.Output;

/// <summary><c>-o table|json|yaml</c> for every command that reports: the table for people, JSON and YAML for scripts.</summary>
public static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Yaml = "yaml";

    /// <summary>The documented JSON shape: camelCase names, enums as lower-case strings, absent values left out.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        WriteIndented = true,
    };

    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o") { Description = "Output format: table, json or yaml.", DefaultValueFactory = _ => Table };
        option.AcceptOnlyFromAmong(Table, Json, Yaml);
        return option;
    }

    /// <summary>Writes a report as JSON or YAML (the same document); the table is the command's own.</summary>
    public static void WriteDocument<T>(TextWriter output, T report, string format)
    {
        var node = JsonSerializer.SerializeToNode(report, JsonOptions);
        if (format == Yaml) output.Write(YamlEmitter.Emit(node));
        else output.WriteLine(node?.ToJsonString(JsonOptions) ?? "null");
    }
}
