using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using KubeRescue.Lab.ApiServer.OpenApi;

namespace KubeRescue.Lab.Tests.OpenApi;

public class FieldValidationTests
{
    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","foo":1,
         "metadata":{"name":"d","labels":{"any":"thing"},"bar":true},
         "spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},
           "template":{"metadata":{"labels":{"a":"b"}},
             "spec":{"containers":[{"name":"c","image":"i"},{"name":"c2","image":"i","imagePullPolicyy":"Always",
               "resources":{"limits":{"cpu":"1"}},"env":[{"name":"x","valueFrom":{"fieldRef":{"fieldPath":"p","nope":1}}}]}]}}}}
        """;

    [Fact]
    public void UnknownFieldsUseUpstreamPaths() =>
        Assert.Equal(
            ["foo", "metadata.bar", "spec.template.spec.containers[1].imagePullPolicyy", "spec.template.spec.containers[1].env[0].valueFrom.fieldRef.nope"],
            FieldValidation.UnknownFields(JsonNode.Parse(Deployment)!.AsObject(), typeof(V1Deployment)));

    [Fact]
    public void MapsAndOpaqueValuesAreNotChecked()
    {
        var obj = JsonNode.Parse("""{"data":{"anything":"x"},"metadata":{"annotations":{"k":"v"},"managedFields":[{"fieldsV1":{"f:x":{}}}]}}""")!.AsObject();
        Assert.Empty(FieldValidation.UnknownFields(obj, typeof(V1ConfigMap)));
    }

    [Fact]
    public void FieldNamesAreCaseSensitive() =>
        Assert.Equal(["Spec"], FieldValidation.UnknownFields(JsonNode.Parse("""{"Spec":{}}""")!.AsObject(), typeof(V1Pod)));

    [Fact]
    public void DuplicateFieldsAreFoundInRawBytes() =>
        Assert.Equal(["metadata.name", "spec.containers[0].image"],
            FieldValidation.DuplicateFields("""{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"image":"x","image":"y"}]}}"""u8));

    [Fact]
    public void StrictDecodingErrorsKeepDocumentOrder() =>
        Assert.Equal(["unknown field \"spec.foo\"", "duplicate field \"spec.replicas\"", "unknown field \"zzz\""],
            FieldValidation.StrictDecodingErrors("""{"spec":{"foo":1,"replicas":1,"replicas":2},"zzz":0}"""u8, typeof(V1Deployment)));

    [Fact]
    public void StrictDecodingErrorsMatchUnknownFields() =>
        Assert.Equal(
            FieldValidation.UnknownFields(JsonNode.Parse(Deployment)!.AsObject(), typeof(V1Deployment)).Select(p => $"unknown field \"{p}\""),
            FieldValidation.StrictDecodingErrors(Encoding.UTF8.GetBytes(Deployment), typeof(V1Deployment)));

    [Fact]
    public void StrictFailsWithTheApiserverMessage()
    {
        var outcome = FieldValidation.Evaluate(FieldValidationDirective.Strict, ["unknown field \"spec.replica\"", "unknown field \"spec.foo\""], "Deployment", "v1");
        Assert.Equal("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", unknown field \"spec.foo\"",
            outcome.ErrorMessage);
        Assert.Empty(outcome.Warnings);
    }

    [Fact]
    public void WarnAddsOneWarningHeaderPerError()
    {
        var outcome = FieldValidation.Evaluate(FieldValidationDirective.Warn, ["unknown field \"spec.foo\"", "duplicate field \"a\""], "Pod", "v1");
        Assert.Null(outcome.ErrorMessage);
        Assert.Equal(["299 - \"unknown field \\\"spec.foo\\\"\"", "299 - \"duplicate field \\\"a\\\"\""], outcome.Warnings);
    }

    [Fact]
    public void IgnoreAndCleanBodiesSayNothing()
    {
        Assert.Equal(new FieldValidationOutcome(null, []).ErrorMessage, FieldValidation.Evaluate(FieldValidationDirective.Ignore, ["unknown field \"x\""], "Pod", "v1").ErrorMessage);
        Assert.Empty(FieldValidation.Evaluate(FieldValidationDirective.Ignore, ["unknown field \"x\""], "Pod", "v1").Warnings);
        Assert.Null(FieldValidation.Evaluate(FieldValidationDirective.Strict, [], "Pod", "v1").ErrorMessage);
    }

    [Theory]
    [InlineData(null, FieldValidationDirective.Warn)]
    [InlineData("", FieldValidationDirective.Warn)]
    [InlineData("Warn", FieldValidationDirective.Warn)]
    [InlineData("Strict", FieldValidationDirective.Strict)]
    [InlineData("Ignore", FieldValidationDirective.Ignore)]
    [InlineData("strict", null)]
    public void ParseDefaultsToWarn(string? value, FieldValidationDirective? expected) => Assert.Equal(expected, FieldValidation.Parse(value));

    [Fact]
    public void ErrorsAreCappedAtOneHundred()
    {
        var json = "{" + string.Join(",", Enumerable.Range(0, 150).Select(i => $"\"f{i}\":0")) + "}";
        Assert.Equal(100, FieldValidation.StrictDecodingErrors(Encoding.UTF8.GetBytes(json), typeof(V1Pod)).Count);
    }
}
