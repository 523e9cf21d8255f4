using System.Text.Json;
using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Tables;
using static KubeRescue.Lab.Tests.TableConversion.Fixtures;

namespace KubeRescue.Lab.Tests.TableConversion;

public class TableWriterTests
{
    private static readonly JsonObject RunningPod = Parse("""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web-1","namespace":"default","uid":"0b1c","resourceVersion":"812","creationTimestamp":"AGO(5m)","labels":{"app":"web"}},
         "spec":{"nodeName":"worker-1","containers":[{"name":"nginx","image":"nginx:1.25"}]},
         "status":{"phase":"Running","podIP":"10.244.1.7",
           "containerStatuses":[{"name":"nginx","ready":true,"restartCount":0,"state":{"running":{}}}]}}
        """);

    private static readonly JsonObject CompletedPod = Parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"job-1","namespace":"default","resourceVersion":"790"},
         "spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Succeeded","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}
        """);

    private static JsonObject Write(TableDefinition def, IEnumerable<JsonObject> items, string rv, string? continueToken,
        IncludeObject include, bool columns = true, long? remaining = null, string apiVersion = TableWriter.DefaultApiVersion)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
            TableWriter.WriteTable(w, def, items, rv, continueToken, include, Now, columns, remaining, apiVersion);
        return JsonNode.Parse(stream.ToArray())!.AsObject();
    }

    [Fact]
    public void List_table_with_default_metadata_rows()
    {
        var table = Write(Tables.Pods, [RunningPod, CompletedPod], "815", "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", IncludeObject.Metadata, remaining: 7);

        Assert.Equal(["kind", "apiVersion", "metadata", "columnDefinitions", "rows"], table.Select(kv => kv.Key));
        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)table["apiVersion"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"resourceVersion":"815","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":7}"""),
            table["metadata"]));

        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(9, columns.Count);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"name":"Ready","type":"string","format":"","description":"The aggregate readiness state of this pod for accepting traffic.","priority":0}"""),
            columns[1]));
        Assert.Equal(1, (int)columns[5]!["priority"]!);

        var rows = table["rows"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""["web-1","1/1","Running","0","5m","10.244.1.7","worker-1","<none>","<none>"]"""),
            rows[0]!["cells"]));
        Assert.Null(rows[0]!.AsObject()["conditions"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
                 "metadata":{"name":"web-1","namespace":"default","uid":"0b1c","resourceVersion":"812","creationTimestamp":"2024-05-01T11:55:00Z","labels":{"app":"web"}}}
                """),
            rows[0]!["object"]));

        Assert.Equal(["cells", "conditions", "object"], rows[1]!.AsObject().Select(kv => kv.Key));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"type":"Completed","status":"True","reason":"Succeeded","message":"The pod has completed successfully."}]"""),
            rows[1]!["conditions"]));
    }

    [Fact]
    public void Include_object_and_none()
    {
        var full = Write(Tables.Pods, [RunningPod], "812", null, IncludeObject.Object);
        Assert.True(JsonNode.DeepEquals(RunningPod, full["rows"]![0]!["object"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"resourceVersion":"812"}"""), full["metadata"]));

        var none = Write(Tables.Pods, [RunningPod], "812", null, IncludeObject.None);
        var row = none["rows"]![0]!.AsObject();
        Assert.True(row.ContainsKey("object"));
        Assert.Null(row["object"]);
    }

    [Fact]
    public void Integer_cells_are_json_numbers()
    {
        var table = Write(Tables.Deployments, [Parse("""
            {"metadata":{"name":"web","creationTimestamp":"AGO(1h)"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
             "template":{"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}},"status":{"updatedReplicas":2,"readyReplicas":1,"availableReplicas":1}}
            """)], "9", null, IncludeObject.None);
        Assert.Equal("""["web","1/2",2,1,"60m","nginx","nginx","app=web"]""", table["rows"]![0]!["cells"]!.ToJsonString());
    }

    [Fact]
    public void Later_watch_events_carry_no_column_definitions()
    {
        var first = Write(Tables.Pods, [RunningPod], "812", null, IncludeObject.Metadata);
        var later = Write(Tables.Pods, [RunningPod], "813", null, IncludeObject.Metadata, columns: false);
        Assert.Equal(9, first["columnDefinitions"]!.AsArray().Count);
        Assert.True(later.ContainsKey("columnDefinitions"));
        Assert.Null(later["columnDefinitions"]);
        Assert.Single(later["rows"]!.AsArray());
    }

    [Fact]
    public void Empty_lists()
    {
        var printed = Write(Tables.Pods, [], "100", null, IncludeObject.Metadata);
        Assert.Empty(printed["rows"]!.AsArray());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"resourceVersion":"100"}"""), printed["metadata"]));

        var fallback = Write(Tables.Default, [], "", null, IncludeObject.Metadata);
        Assert.True(fallback.ContainsKey("rows"));
        Assert.Null(fallback["rows"]);
        Assert.Empty(fallback["metadata"]!.AsObject());
    }

    [Fact]
    public void V1beta1_tables_and_partial_metadata()
    {
        var table = Write(Tables.Default, [Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"}}""")],
            "5", null, IncludeObject.Metadata, apiVersion: "meta.k8s.io/v1beta1");
        Assert.Equal("meta.k8s.io/v1beta1", (string?)table["apiVersion"]);
        Assert.Equal("meta.k8s.io/v1beta1", (string?)table["rows"]![0]!["object"]!["apiVersion"]);
    }

    [Theory]
    [InlineData(null, true, IncludeObject.Metadata)]
    [InlineData("", true, IncludeObject.Metadata)]
    [InlineData("Metadata", true, IncludeObject.Metadata)]
    [InlineData("Object", true, IncludeObject.Object)]
    [InlineData("None", true, IncludeObject.None)]
    [InlineData("object", false, IncludeObject.Metadata)]
    public void Parses_include_object(string? value, bool ok, IncludeObject expected)
    {
        Assert.Equal(ok, TableWriter.TryParseIncludeObject(value, out var include));
        Assert.Equal(expected, include);
    }
}
