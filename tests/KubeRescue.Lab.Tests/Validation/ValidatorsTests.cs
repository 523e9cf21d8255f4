using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.Tests.Validation;

public class ValidatorsTests
{
    private const string SubdomainMsg =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMsg =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private static JsonObject J(string json) => JsonNode.Parse(json)!.AsObject();

    private static string[] Strings(IReadOnlyList<FieldError> errs) => errs.Select(e => e.ToString()).ToArray();

    private static JsonObject ValidPod() => J("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"name":"http"}]}],"restartPolicy":"Always"}}
        """);

    private static JsonObject ValidDeployment() => J("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web","tier":"front"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
        """);

    [Fact]
    public void ValidObjectsHaveNoErrors()
    {
        Assert.Empty(Validators.Pod(ValidPod()));
        Assert.Empty(Validators.Deployment(ValidDeployment()));
        Assert.Empty(Validators.ReplicaSet(ValidDeployment()));
        Assert.Empty(Validators.DaemonSet(ValidDeployment()));
        Assert.Empty(Validators.Namespace(J("""{"metadata":{"name":"team-a"}}""")));
        Assert.Empty(Validators.Node(J("""{"metadata":{"name":"node-1.example.com"}}""")));
        Assert.Empty(Validators.ConfigMap(J("""{"metadata":{"name":"c","namespace":"d"},"data":{"app.conf":"x","KEY_1":"y"}}""")));
        Assert.Empty(Validators.Secret(J("""{"metadata":{"name":"s","namespace":"d"},"type":"kubernetes.io/tls","data":{"tls.crt":"YQ==","tls.key":"YQ=="}}""")));
        Assert.Empty(Validators.ServiceAccount(J("""{"metadata":{"name":"default","namespace":"d"}}""")));
        Assert.Empty(Validators.Endpoints(J("""{"metadata":{"name":"svc","namespace":"d"}}""")));
        Assert.Empty(Validators.Service(J("""{"metadata":{"name":"svc","namespace":"d"},"spec":{"ports":[{"port":80,"targetPort":"http"}]}}""")));
        Assert.Empty(Validators.Lease(J("""{"metadata":{"name":"l","namespace":"d"},"spec":{"leaseDurationSeconds":15}}""")));
        Assert.Empty(Validators.PodDisruptionBudget(J("""{"metadata":{"name":"p","namespace":"d"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"a":"b"}}}}""")));
        Assert.Empty(Validators.Event(J("""{"metadata":{"name":"e.1","namespace":"d"},"involvedObject":{"kind":"Pod","namespace":"d","name":"p"}}""")));
    }

    [Fact]
    public void NameRequired()
    {
        var errs = Validators.ObjectMeta(J("""{"metadata":{"namespace":"d"}}"""), true, NameRule.DnsSubdomain);
        var e = Assert.Single(errs);
        Assert.Equal(new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"), e);
    }

    [Fact]
    public void InvalidSubdomainName()
    {
        var e = Assert.Single(Validators.Pod(J("""{"metadata":{"name":"Foo","namespace":"d"},"spec":{"containers":[{"name":"c","image":"i"}]}}""")));
        Assert.Equal("FieldValueInvalid", e.Reason);
        Assert.Equal("metadata.name", e.Field);
        Assert.Equal("Invalid value: \"Foo\": " + SubdomainMsg, e.Message);
    }

    [Fact]
    public void NamespaceAndServiceNames()
    {
        var e = Assert.Single(Validators.Namespace(J("""{"metadata":{"name":"a.b"}}""")));
        Assert.Equal("metadata.name: Invalid value: \"a.b\": must not contain dots", e.ToString());

        e = Assert.Single(Validators.Service(J("""{"metadata":{"name":"1svc","namespace":"d"},"spec":{"ports":[{"port":80}]}}""")));
        Assert.Equal("metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')", e.ToString());

        var errs = Strings(Validators.Namespace(new JsonObject { ["metadata"] = new JsonObject { ["name"] = new string('a', 64) } }));
        Assert.Equal(["metadata.name: Invalid value: \"" + new string('a', 64) + "\": must be no more than 63 characters"], errs);
    }

    [Fact]
    public void GenerateNamePrefixMayEndWithDash()
    {
        Assert.Empty(Validators.ObjectMeta(J("""{"metadata":{"generateName":"web-","name":"web-x7k2p","namespace":"d"}}"""), true, NameRule.DnsSubdomain));
        var errs = Strings(Validators.ObjectMeta(J("""{"metadata":{"generateName":"Web-","name":"web-x7k2p","namespace":"d"}}"""), true, NameRule.DnsSubdomain));
        Assert.Equal(["metadata.generateName: Invalid value: \"Web-\": " + SubdomainMsg], errs);
    }

    [Fact]
    public void NamespaceRules()
    {
        Assert.Equal(["metadata.namespace: Required value"],
            Strings(Validators.ObjectMeta(J("""{"metadata":{"name":"x"}}"""), true, NameRule.DnsSubdomain)));
        Assert.Equal(["metadata.namespace: Forbidden: not allowed on this type"],
            Strings(Validators.ObjectMeta(J("""{"metadata":{"name":"x","namespace":"d"}}"""), false, NameRule.DnsSubdomain)));
    }

    [Fact]
    public void PathSegmentNames()
    {
        Assert.Empty(Validators.ObjectMeta(J("""{"metadata":{"name":"system:controller:x"}}"""), false, NameRule.PathSegment));
        Assert.Equal(["metadata.name: Invalid value: \"a/b%c\": may not contain '/'", "metadata.name: Invalid value: \"a/b%c\": may not contain '%'"],
            Strings(Validators.ObjectMeta(J("""{"metadata":{"name":"a/b%c"}}"""), false, NameRule.PathSegment)));
        Assert.Equal(["metadata.name: Invalid value: \"..\": may not be '..'"],
            Strings(Validators.ObjectMeta(J("""{"metadata":{"name":".."}}"""), false, NameRule.PathSegment)));
    }

    [Fact]
    public void LabelsAndAnnotations()
    {
        var errs = Strings(Validators.ObjectMeta(J("""
            {"metadata":{"name":"x","namespace":"d","labels":{"ok":"-bad"},"annotations":{"bad key":"v"},"generation":-1}}
            """), true, NameRule.DnsSubdomain));
        Assert.Equal([
            "metadata.generation: Invalid value: -1: must be greater than or equal to 0",
            "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            "metadata.annotations: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ], errs);

        var upper = Validators.ObjectMeta(J("""{"metadata":{"name":"x","namespace":"d","annotations":{"Example.COM/Key":"v"}}}"""), true, NameRule.DnsSubdomain);
        Assert.Empty(upper);

        var big = J("""{"metadata":{"name":"x","namespace":"d","annotations":{}}}""");
        big["metadata"]!["annotations"]!["a"] = new string('x', 256 * 1024);
        var e = Assert.Single(Validators.ObjectMeta(big, true, NameRule.DnsSubdomain));
        Assert.Equal(new FieldError("FieldValueTooLong", "metadata.annotations", "Too long: may not be more than 262144 bytes"), e);
    }

    [Fact]
    public void LabelKeyPrefixErrors()
    {
        var errs = Strings(Validators.ObjectMeta(J("""{"metadata":{"name":"x","namespace":"d","labels":{"/a":"b"}}}"""), true, NameRule.DnsSubdomain));
        Assert.Equal(["metadata.labels: Invalid value: \"/a\": prefix part must be non-empty"], errs);
    }

    [Fact]
    public void OwnerReferencesAndFinalizers()
    {
        var errs = Strings(Validators.ObjectMeta(J("""
            {"metadata":{"name":"x","namespace":"d","finalizers":["orphan","foregroundDeletion"],
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},
                                {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"","controller":true}]}}
            """), true, NameRule.DnsSubdomain));
        Assert.Equal([
            "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty",
            "metadata.ownerReferences: Invalid value: [{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"a\",\"uid\":\"1\",\"controller\":true},{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"b\",\"uid\":\"\",\"controller\":true}]: Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/a and ReplicaSet/b",
            "metadata.finalizers: Invalid value: [\"orphan\",\"foregroundDeletion\"]: finalizer orphan and foregroundDeletion cannot be both set",
        ], errs);
    }

    [Fact]
    public void PodRequiresContainers()
    {
        Assert.Equal(["spec.containers: Required value"],
            Strings(Validators.Pod(J("""{"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[]}}"""))));
        Assert.Equal(["spec.containers: Required value"],
            Strings(Validators.Pod(J("""{"metadata":{"name":"p","namespace":"d"}}"""))));
    }

    [Fact]
    public void PodContainerRules()
    {
        var errs = Validators.Pod(J("""
            {"metadata":{"name":"p","namespace":"d"},"spec":{"restartPolicy":"Sometimes",
              "initContainers":[{"name":"a","image":"busybox"}],
              "containers":[{"name":"a","image":""},{"name":"B_1","image":"x"},{"image":"y"},
                            {"name":"a","image":"z","ports":[{"containerPort":70000,"protocol":"ICMP","name":"http"},{"containerPort":0,"hostPort":-1,"name":"http"},{"containerPort":1,"name":"Bad--"}]}]}}
            """));
        Assert.Equal([
            "spec.containers[0].image: Required value",
            "spec.containers[1].name: Invalid value: \"B_1\": " + LabelMsg,
            "spec.containers[2].name: Required value",
            "spec.containers[3].name: Duplicate value: \"a\"",
            "spec.containers[3].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[3].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[3].ports[1].name: Duplicate value: \"http\"",
            "spec.containers[3].ports[1].containerPort: Required value",
            "spec.containers[3].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive",
            "spec.containers[3].ports[2].name: Invalid value: \"Bad--\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "spec.containers[3].ports[2].name: Invalid value: \"Bad--\": must not contain consecutive hyphens",
            "spec.containers[3].ports[2].name: Invalid value: \"Bad--\": must not begin or end with a hyphen",
            "spec.initContainers[0].name: Duplicate value: \"a\"",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
        ], Strings(errs));
        Assert.Equal("FieldValueDuplicate", errs[3].Reason);
        Assert.Equal("FieldValueNotSupported", errs[5].Reason);
    }

    [Fact]
    public void DeploymentSelectorMismatch()
    {
        var d = ValidDeployment();
        d["spec"]!["selector"] = J("""{"matchLabels":{"app":"db"}}""");
        var e = Assert.Single(Validators.Deployment(d));
        Assert.Equal("spec.template.metadata.labels: Invalid value: {\"app\":\"web\",\"tier\":\"front\"}: `selector` does not match template `labels`", e.ToString());
        Assert.Equal("Deployment.apps \"web\" is invalid: " + e, ApiException.InvalidMessage("Deployment", "apps", "web", [e]));
    }

    [Fact]
    public void DeploymentMissingAndEmptySelector()
    {
        var d = ValidDeployment();
        d["spec"]!.AsObject().Remove("selector");
        d["spec"]!["replicas"] = -1;
        Assert.Equal([
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.selector: Required value",
            "spec.template.metadata.labels: Invalid value: {\"app\":\"web\",\"tier\":\"front\"}: `selector` does not match template `labels`",
        ], Strings(Validators.Deployment(d)));

        d = ValidDeployment();
        d["spec"]!["selector"] = new JsonObject();
        Assert.Equal(["spec.selector: Invalid value: {}: empty selector is invalid for deployment"], Strings(Validators.Deployment(d)));
        Assert.Equal(["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"], Strings(Validators.DaemonSet(d)));
    }

    [Fact]
    public void WorkloadTemplateRules()
    {
        var d = ValidDeployment();
        d["spec"]!["selector"] = J("""{"matchExpressions":[{"key":"app","operator":"In","values":["web"]},{"key":"x","operator":"Exists","values":["a"]}]}""");
        d["spec"]!["template"]!["spec"] = J("""{"restartPolicy":"Never","containers":[{"name":"c"}]}""");
        Assert.Equal([
            "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            "spec.selector: Invalid value: {\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\",\"values\":[\"web\"]},{\"key\":\"x\",\"operator\":\"Exists\",\"values\":[\"a\"]}]}: invalid label selector",
            "spec.template.spec.containers[0].image: Required value",
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
        ], Strings(Validators.ReplicaSet(d)));
    }

    [Fact]
    public void InvalidMessageFormats()
    {
        Assert.Equal("Pod \"x\" is invalid", ApiException.InvalidMessage("Pod", "", "x", []));
        var errs = Validators.Pod(J("""{"metadata":{"name":"x","namespace":"d"},"spec":{"containers":[{"name":"c"}],"restartPolicy":"No"}}"""));
        Assert.Equal(
            "Pod \"x\" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: \"No\": supported values: \"Always\", \"OnFailure\", \"Never\"]",
            ApiException.InvalidMessage("Pod", null, "x", errs));
        var dup = new FieldError("FieldValueRequired", "a", "Required value");
        Assert.Equal("Lease.coordination.k8s.io \"l\" is invalid: a: Required value",
            ApiException.InvalidMessage("Lease", "coordination.k8s.io", "l", [dup, dup]));
    }

    [Fact]
    public void ServiceRules()
    {
        Assert.Equal(["spec.ports: Required value"],
            Strings(Validators.Service(J("""{"metadata":{"name":"s","namespace":"d"},"spec":{}}"""))));
        Assert.Empty(Validators.Service(J("""{"metadata":{"name":"s","namespace":"d"},"spec":{"clusterIP":"None"}}""")));
        Assert.Empty(Validators.Service(J("""{"metadata":{"name":"s","namespace":"d"},"spec":{"type":"ExternalName","externalName":"a.b"}}""")));
        Assert.Equal([
            "spec.ports[0].name: Required value",
            "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        ], Strings(Validators.Service(J("""
            {"metadata":{"name":"s","namespace":"d"},"spec":{"type":"Magic","ports":[{"port":0},{"name":"b","port":80,"targetPort":70000}]}}
            """))));
        Assert.Equal(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
            Strings(Validators.Service(J("""{"metadata":{"name":"s","namespace":"d"},"spec":{"ports":[{"port":80,"nodePort":30000}]}}"""))));
    }

    [Fact]
    public void LeaseAndPdb()
    {
        Assert.Equal(["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"],
            Strings(Validators.Lease(J("""{"metadata":{"name":"l","namespace":"d"},"spec":{"leaseDurationSeconds":0}}"""))));
        Assert.Equal([
            "spec: Invalid value: {\"MinAvailable\":1,\"Selector\":{\"matchLabels\":{\"a\":\"b\"}},\"MaxUnavailable\":\"50%\",\"UnhealthyPodEvictionPolicy\":null}: minAvailable and maxUnavailable cannot be both set",
        ], Strings(Validators.PodDisruptionBudget(J("""
            {"metadata":{"name":"p","namespace":"d"},"spec":{"maxUnavailable":"50%","minAvailable":1,"selector":{"matchLabels":{"a":"b"}}}}
            """))));
    }

    [Fact]
    public void ConfigMapAndSecretKeys()
    {
        Assert.Equal([
            "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "data[..x]: Invalid value: \"..x\": must not start with '..'",
            "data[k]: Invalid value: \"k\": duplicate of key present in binaryData",
        ], Strings(Validators.ConfigMap(J("""{"metadata":{"name":"c","namespace":"d"},"data":{"a b":"1","..x":"2","k":"3"},"binaryData":{"k":"YQ=="}}"""))));

        Assert.Equal([
            "data[tls.key]: Required value",
        ], Strings(Validators.Secret(J("""{"metadata":{"name":"s","namespace":"d"},"type":"kubernetes.io/tls","data":{"tls.crt":"YQ=="}}"""))));
        Assert.Empty(Validators.Secret(J("""{"metadata":{"name":"s","namespace":"d"},"type":"kubernetes.io/tls","data":{"tls.crt":"YQ=="},"stringData":{"tls.key":"k"}}""")));
        Assert.Equal(["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
            Strings(Validators.Secret(J("""{"metadata":{"name":"s","namespace":"d"},"type":"kubernetes.io/service-account-token"}"""))));
    }

    [Theory]
    [InlineData("YWJj", null)]
    [InlineData("YQ==", null)]
    [InlineData("YWI=", null)]
    [InlineData("YW\nJj", null)]
    [InlineData("YW!j", 2)]
    [InlineData("YWJjZ", 4)]
    [InlineData("YQ=", 3)]
    [InlineData("Y===", 1)]
    [InlineData("YQ==YQ==", 4)]
    public void SecretBase64(string value, int? offset)
    {
        var secret = J("""{"metadata":{"name":"s","namespace":"d"},"data":{}}""");
        secret["data"]!["k"] = value;
        var expected = offset is null ? null : $"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte {offset}";
        Assert.Equal(expected, Validators.SecretDataDecodeError(secret));
    }

    [Fact]
    public void EventNamespaceMustMatch()
    {
        Assert.Equal(["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"],
            Strings(Validators.Event(J("""{"metadata":{"name":"e","namespace":"d"},"involvedObject":{"kind":"Pod","namespace":"other"}}"""))));
        Assert.Empty(Validators.Event(J("""{"metadata":{"name":"e","namespace":"default"},"involvedObject":{"kind":"Node","name":"n"}}""")));
        Assert.Equal(["involvedObject.namespace: Invalid value: \"\": does not match event.namespace"],
            Strings(Validators.Event(J("""{"metadata":{"name":"e","namespace":"d"},"involvedObject":{"kind":"Node","name":"n"}}"""))));
    }
}
