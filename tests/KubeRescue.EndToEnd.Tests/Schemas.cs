using System.Text.Json;
using Json.Schema;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>The JSON Schemas documented in docs/schemas, for checking what <c>-o json</c> prints against what the docs promise.</summary>
public static class Schemas
{
    static readonly Lazy<IReadOnlyDictionary<string, JsonSchema>> All = new(Load);

    public static string Directory => Path.Combine(Repository.Root, "docs", "schemas");

    static IReadOnlyDictionary<string, JsonSchema> Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var schemas = new Dictionary<string, JsonSchema>();
        // status first: the others refer to it.
        foreach (var name in new[] { "status", "recover", "recover-plan", "drill" }.Concat(
                     System.IO.Directory.GetFiles(Directory, "*.schema.json").Select(f => Path.GetFileName(f)[..^".schema.json".Length])).Distinct())
            schemas[name] = JsonSchema.FromFile(Path.Combine(Directory, $"{name}.schema.json"), options);
        return schemas;
    }

    /// <summary>Fails with every violation listed when <paramref name="json"/> does not match docs/schemas/<paramref name="name"/>.schema.json.</summary>
    public static void AssertValid(string name, string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = All.Value[name].Evaluate(document.RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return;
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"));
        Assert.Fail($"the output does not match docs/schemas/{name}.schema.json:\n{string.Join("\n", errors)}\n{json}");
    }
}
