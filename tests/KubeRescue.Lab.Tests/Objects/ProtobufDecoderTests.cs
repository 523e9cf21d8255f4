using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects.Protobuf;
using static KubeRescue.Lab.Tests.Objects.Pb;

namespace KubeRescue.Lab.Tests.Objects;

public class ProtobufDecoderTests
{
    static string Decode(byte[] body, string expectedKind = "Namespace") => ProtobufDecoder.Decode(body, expectedKind).ToJsonString();

    // Bodies kubectl 1.33.1 sent to the lab, captured with -v=9.
    const string KubectlCreateNamespace =
        "6B3873000A0F0A02763112094E616D657370616365121A0A120A02783112001A0022002A00320038004200120" +
        "01A020A001A002200";

    const string KubectlCreateSecret =
        "6B3873000A0C0A0276311206536563726574121D0A110A017312001A0022002A0032003800420012060A016B1" +
        "201761A001A002200";

    const string KubectlCreateDeployment =
        "6B3873000A150A07617070732F7631120A4465706C6F796D656E7412BA010A1F0A0377656212001A0022002A0" +
        "03200380042005A0A0A0361707012037765621288010802120C0A0A0A0361707012037765621A6E0A1C0A0012" +
        "001A0022002A003200380042005A0A0A036170701203776562124E12300A056E67696E7812076E67696E783A3" +
        "12A00320A0A001000185022002A0042006A007200800100880100900100A201001A00320042004A0052005800" +
        "600068008201008A01009A0100C2010022020A00280038001A0C0800100018002000280038001A002200";

    const string KubectlDrainDeleteOptions = "6B3873000A130A027631120D44656C6574654F7074696F6E7312001A002200";

    // Captured from kubectl with -v=9: create rolebinding bob-edit --clusterrole=edit --user=bob --serviceaccount=kube-system:default -n kube-system
    const string KubectlCreateRoleBinding =
        "6B3873000A2B0A1C726261632E617574686F72697A6174696F6E2E6B38732E696F2F7631120B526F6C6542696E64696E6712A9010A230A08626F622D" +
        "6564697412001A0B6B7562652D73797374656D22002A0032003800420012280A04557365721219726261632E617574686F72697A6174696F6E2E6B38" +
        "732E696F1A03626F62220012280A0E536572766963654163636F756E7412001A0764656661756C74220B6B7562652D73797374656D1A2E0A1972626163" +
        "2E617574686F72697A6174696F6E2E6B38732E696F120B436C7573746572526F6C651A04656469741A002200";

    // create clusterrole pod-reader --verb=get,list --resource=pods --resource-name=web
    const string KubectlCreateClusterRole =
        "6B3873000A2B0A1C726261632E617574686F72697A6174696F6E2E6B38732E696F2F7631120B436C7573746572526F6C6512360A1A0A0A706F642D72" +
        "656164657212001A0022002A0032003800420012180A036765740A046C69737412001A04706F647322037765621A002200";

    // auth can-i delete pods/kube-scheduler-rescue -n kube-system
    const string KubectlCanIDeletePod =
        "6B3873000A320A17617574686F72697A6174696F6E2E6B38732E696F2F7631121753656C665375626A65637441636365737352657669657712580A10" +
        "0A0012001A0022002A00320038004200123A0A380A0B6B7562652D73797374656D120664656C6574651A0022002A04706F647332003A156B7562652D" +
        "7363686564756C65722D7265736375651A08080012001A0020001A002200";

    // auth can-i get /livez
    const string KubectlCanIGetLivez =
        "6B3873000A320A17617574686F72697A6174696F6E2E6B38732E696F2F7631121753656C665375626A656374416363657373526576696577122D0A10" +
        "0A0012001A0022002A00320038004200120F120D0A062F6C6976657A12036765741A08080012001A0020001A002200";

    [Fact]
    public void Kubectl_create_rolebinding_and_clusterrole_keep_the_roleRef_and_subject_strings_Go_always_writes()
    {
        Assert.Equal(
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"bob-edit","namespace":"kube-system"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bob"},{"kind":"ServiceAccount","name":"default","namespace":"kube-system"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}}""",
            Decode(Convert.FromHexString(KubectlCreateRoleBinding), "RoleBinding"));
        Assert.Equal(
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"pod-reader"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"],"resourceNames":["web"]}]}""",
            Decode(Convert.FromHexString(KubectlCreateClusterRole), "ClusterRole"));
    }

    [Fact]
    public void Kubectl_auth_can_i_sends_a_SelfSubjectAccessReview_for_a_resource_or_a_path()
    {
        Assert.Equal(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{},"spec":{"resourceAttributes":{"namespace":"kube-system","verb":"delete","resource":"pods","name":"kube-scheduler-rescue"}},"status":{"allowed":false}}""",
            Decode(Convert.FromHexString(KubectlCanIDeletePod), "SelfSubjectAccessReview"));
        Assert.Equal(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{},"spec":{"nonResourceAttributes":{"path":"/livez","verb":"get"}},"status":{"allowed":false}}""",
            Decode(Convert.FromHexString(KubectlCanIGetLivez), "SelfSubjectAccessReview"));
    }

    [Fact]
    public void Kubectl_create_namespace_decodes_to_what_it_would_send_as_JSON()
    {
        Assert.Equal("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x1"},"spec":{},"status":{}}""",
            Decode(Convert.FromHexString(KubectlCreateNamespace)));
    }

    [Fact]
    public void Kubectl_create_secret_data_is_base64_as_in_JSON()
    {
        Assert.Equal("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"dg=="}}""",
            Decode(Convert.FromHexString(KubectlCreateSecret), "Secret"));
    }

    [Fact]
    public void Kubectl_create_deployment_keeps_the_structs_Go_always_writes_and_drops_zero_scalars()
    {
        Assert.Equal(
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}}""",
            Decode(Convert.FromHexString(KubectlCreateDeployment), "Deployment"));
    }

    [Fact]
    public void DeleteOptions_is_decoded_under_any_group_version()
    {
        Assert.Equal("""{"apiVersion":"v1","kind":"DeleteOptions"}""", Decode(Convert.FromHexString(KubectlDrainDeleteOptions), "DeleteOptions"));
        var options = new Pb().Int(1, 0).Msg(2, new Pb().Str(1, "u-1")).Bool(3, false).Str(4, "Foreground").Str(5, "All");
        Assert.Equal(
            """{"apiVersion":"apps/v1","kind":"DeleteOptions","gracePeriodSeconds":0,"preconditions":{"uid":"u-1"},"orphanDependents":false,"propagationPolicy":"Foreground","dryRun":["All"]}""",
            Decode(Envelope("apps/v1", "DeleteOptions", options), "DeleteOptions"));
    }

    [Fact]
    public void Eviction_carries_its_delete_options_with_pointer_zeros_kept()
    {
        var eviction = new Pb().Msg(1, Meta("web-1", "prod")).Msg(2, new Pb().Int(1, 0).Msg(2, new Pb().Str(2, "")).Str(5, "All"));
        Assert.Equal(
            """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-1","namespace":"prod"},"deleteOptions":{"gracePeriodSeconds":0,"preconditions":{"resourceVersion":""},"dryRun":["All"]}}""",
            Decode(Envelope("policy/v1", "Eviction", eviction), "Eviction"));
    }

    [Fact]
    public void Secret_bytes_are_base64_and_string_data_and_type_are_kept()
    {
        var secret = new Pb().Msg(1, Meta("tls")).Entry(2, "key", "")
            .Msg(2, new Pb().Str(1, "bin").Bytes(2, [0, 1, 2, 0xff])).Entry(4, "plain", "text").Str(3, "Opaque").Bool(5, false);
        Assert.Equal(
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls"},"immutable":false,"data":{"key":"","bin":"AAEC/w=="},"stringData":{"plain":"text"},"type":"Opaque"}""",
            Decode(Envelope("v1", "Secret", secret), "Secret"));
    }

    [Fact]
    public void ObjectMeta_decodes_every_field()
    {
        var meta = new Pb().Str(1, "team-a").Str(2, "team-").Str(4, "").Str(5, "0b6e").Str(6, "42").Int(7, 3)
            .Msg(8, Time(1767225600)).Msg(9, Time(1767225660, 999)).Int(10, 0)
            .Entry(11, "env", "prod").Entry(12, "note", "").Entry(12, "owner", "ops")
            .Msg(13, new Pb().Str(1, "Deployment").Str(3, "web").Str(4, "u-1").Str(5, "apps/v1").Bool(6, true).Bool(7, false))
            .Str(14, "kubernetes").Str(14, "example.com/hold")
            .Msg(17, new Pb().Str(1, "kubectl-create").Str(2, "Update").Str(3, "v1").Msg(4, Time(1767225600)).Str(6, "FieldsV1")
                .Msg(7, new Pb().Bytes(1, """{"f:metadata":{"f:labels":{}}}"""u8.ToArray())).Str(8, ""));
        Assert.Equal(
            """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","generateName":"team-","uid":"0b6e","resourceVersion":"42","generation":3,"creationTimestamp":"2026-01-01T00:00:00Z","deletionTimestamp":"2026-01-01T00:01:00Z","deletionGracePeriodSeconds":0,"labels":{"env":"prod"},"annotations":{"note":"","owner":"ops"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"u-1","controller":true,"blockOwnerDeletion":false}],"finalizers":["kubernetes","example.com/hold"],"managedFields":[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{}}}}]}}""",
            Decode(Envelope("v1", "Namespace", new Pb().Msg(1, meta))));
    }

    [Fact]
    public void Lease_times_are_MicroTime_truncated_to_microseconds()
    {
        var spec = new Pb().Str(1, "node-1").Int(2, 40).Msg(3, new Pb()).Msg(4, Time(1767225600, 123456789)).Int(5, 0);
        Assert.Equal(
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"node-1"},"spec":{"holderIdentity":"node-1","leaseDurationSeconds":40,"renewTime":"2026-01-01T00:00:00.123456Z","leaseTransitions":0}}""",
            Decode(Envelope("coordination.k8s.io/v1", "Lease", new Pb().Msg(1, Meta("node-1")).Msg(2, spec)), "Lease"));
    }

    [Fact]
    public void PodDisruptionBudget_keeps_the_status_counts_Go_always_writes()
    {
        var pdb = new Pb().Msg(1, Meta("web")).Msg(2, new Pb().Msg(1, IntOrString("50%")).Msg(2, new Pb().Entry(1, "app", "web")))
            .Msg(3, new Pb().Int(1, 0).Int(3, 0).Int(4, 0).Int(5, 0).Int(6, 0));
        Assert.Equal(
            """{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web"},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}""",
            Decode(Envelope("policy/v1", "PodDisruptionBudget", pdb), "PodDisruptionBudget"));
    }

    static Pb Container() => new Pb().Str(1, "web").Str(2, "nginx:1.27").Str(3, "nginx").Str(4, "-g").Str(4, "daemon off;").Str(5, "")
        .Msg(6, new Pb().Str(1, "http").Int(2, 0).Int(3, 80).Str(4, "TCP").Str(5, ""))
        .Msg(7, new Pb().Str(1, "MODE").Str(2, "prod"))
        .Msg(7, new Pb().Str(1, "NODE").Str(2, "").Msg(3, new Pb().Msg(1, new Pb().Str(1, "v1").Str(2, "spec.nodeName"))))
        .Msg(7, new Pb().Str(1, "PASSWORD").Msg(3, new Pb().Msg(4, new Pb().Msg(1, new Pb().Str(1, "db")).Str(2, "password"))))
        .Msg(8, new Pb().Entry(1, "cpu", Quantity("500m")).Entry(1, "memory", Quantity("128Mi")).Entry(2, "cpu", Quantity("100m")))
        .Msg(9, new Pb().Str(1, "config").Bool(2, true).Str(3, "/etc/web").Str(4, "").Str(6, ""))
        .Msg(10, new Pb().Msg(1, new Pb().Msg(3, new Pb().Msg(1, IntOrString(8080)).Str(2, ""))).Int(2, 10).Int(3, 0).Int(4, 0).Int(5, 0).Int(6, 0))
        .Msg(11, new Pb().Msg(1, new Pb().Msg(2, new Pb().Str(1, "/healthz").Msg(2, IntOrString("http")).Str(3, "").Str(4, "HTTP"))).Int(4, 5))
        .Str(13, "/dev/termination-log").Str(14, "IfNotPresent")
        .Msg(15, new Pb().Msg(1, new Pb().Str(2, "ALL")).Int(4, 1000).Bool(5, true).Bool(7, false))
        .Bool(16, false).Bool(17, false).Bool(18, false).Str(20, "File");

    static Pb PodSpec() => new Pb()
        .Msg(1, new Pb().Str(1, "config").Msg(2, new Pb().Msg(19, new Pb().Msg(1, new Pb().Str(1, "web-config")).Int(3, 420))))
        .Msg(1, new Pb().Str(1, "cache").Msg(2, new Pb().Msg(2, new Pb().Str(1, "Memory").Msg(2, Quantity("1Gi")))))
        .Msg(1, new Pb().Str(1, "host").Msg(2, new Pb().Msg(1, new Pb().Str(1, "/var/log").Str(2, "Directory"))))
        .Msg(1, new Pb().Str(1, "token").Msg(2, new Pb().Msg(26, new Pb()
            .Msg(1, new Pb().Msg(4, new Pb().Str(1, "").Int(2, 3600).Str(3, "token")))
            .Msg(1, new Pb().Msg(1, new Pb().Msg(1, new Pb().Str(1, "db")).Msg(2, new Pb().Str(1, "password").Str(2, "pw")))))))
        .Msg(2, Container())
        .Str(3, "Always").Int(4, 30).Str(6, "ClusterFirst").Entry(7, "disktype", "ssd").Str(8, "web").Str(9, "").Str(10, "")
        .Bool(11, false).Bool(12, false).Bool(13, false).Str(16, "").Str(17, "")
        .Msg(18, new Pb()
            .Msg(1, new Pb().Msg(1, new Pb().Msg(1, new Pb().Msg(1, new Pb().Str(1, "kubernetes.io/os").Str(2, "In").Str(3, "linux")))))
            .Msg(3, new Pb().Msg(2, new Pb().Int(1, 100).Msg(2, new Pb().Msg(1, new Pb().Entry(1, "app", "web")).Str(3, "kubernetes.io/hostname")))))
        .Str(19, "default-scheduler")
        .Msg(22, new Pb().Str(1, "node.kubernetes.io/unreachable").Str(2, "Exists").Str(3, "").Str(4, "NoExecute").Int(5, 300))
        .Msg(22, new Pb().Str(1, "").Str(2, "Exists").Str(3, "").Str(4, ""))
        .Str(24, "high");

    [Fact]
    public void Deployment_with_a_realistic_pod_template_decodes_as_its_JSON()
    {
        var spec = new Pb().Int(1, 0)
            .Msg(2, new Pb().Entry(1, "app", "web").Msg(2, new Pb().Str(1, "tier").Str(2, "NotIn").Str(3, "db").Str(3, "cache")))
            .Msg(3, new Pb().Msg(1, Meta("").Entry(11, "app", "web")).Msg(2, PodSpec()))
            .Msg(4, new Pb().Str(1, "RollingUpdate").Msg(2, new Pb().Msg(1, IntOrString(0)).Msg(2, IntOrString("25%"))))
            .Int(5, 5).Int(6, 10).Bool(7, false).Int(9, 600);
        var status = new Pb().Int(1, 0).Int(2, 0).Int(3, 0).Int(4, 0).Int(5, 0).Int(7, 0);
        var json = Decode(Envelope("apps/v1", "Deployment", new Pb().Msg(1, Meta("web", "prod")).Msg(2, spec).Msg(3, status)), "Deployment");
        const string container =
            """{"name":"web","image":"nginx:1.27","command":["nginx"],"args":["-g","daemon off;"],"ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],"env":[{"name":"MODE","value":"prod"},{"name":"NODE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.nodeName"}}},{"name":"PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],"resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m"}},"volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/web"}],"livenessProbe":{"tcpSocket":{"port":8080},"initialDelaySeconds":10},"readinessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"periodSeconds":5},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"runAsUser":1000,"runAsNonRoot":true,"allowPrivilegeEscalation":false}}""";
        const string volumes =
            """[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"cache","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"}},{"name":"host","hostPath":{"path":"/var/log","type":"Directory"}},{"name":"token","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3600,"path":"token"}},{"secret":{"name":"db","items":[{"key":"password","path":"pw"}]}}]}}]""";
        const string affinity =
            """{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]}]}]}},"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}}""";
        Assert.Equal(
            $$$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod"},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"NotIn","values":["db","cache"]}]},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"volumes":{{{volumes}}},"containers":[{{{container}}}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","nodeSelector":{"disktype":"ssd"},"serviceAccountName":"web","affinity":{{{affinity}}},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"operator":"Exists"}],"priorityClassName":"high"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}},"minReadySeconds":5,"revisionHistoryLimit":10,"progressDeadlineSeconds":600},"status":{}}""",
            json);
    }

    [Fact]
    public void Repeated_integers_decode_packed_or_not_and_a_negative_int32_keeps_its_sign()
    {
        var packed = new Pb().Bytes(4, [0xe8, 0x07, 0xd0, 0x0f]);
        var unpacked = new Pb().Int(4, 1000).Int(4, 2000);
        foreach (var groups in new[] { packed, unpacked })
        {
            var pod = new Pb().Msg(1, Meta("p")).Msg(2, new Pb().Msg(14, groups).Int(25, -5));
            Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"securityContext":{"supplementalGroups":[1000,2000]},"priority":-5}}""",
                Decode(Envelope("v1", "Pod", pod), "Pod"));
        }
    }

    [Fact]
    public void A_TypeMeta_without_kind_or_version_means_the_endpoints()
    {
        var body = "k8s\0"u8.ToArray().Concat(new Pb().Msg(1, new Pb().Str(1, "").Str(2, "")).Msg(2, new Pb().Msg(1, Meta("cm")).Entry(2, "a", "b")).ToArray()).ToArray();
        Assert.Equal("""{"kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"b"}}""", Decode(body, "ConfigMap"));
    }

    [Theory]
    [InlineData(23, "protobuf field 23 of k8s.io.api.core.v1.PodSpec is not known to the lab")]
    [InlineData(42, "protobuf field 42 of k8s.io.api.core.v1.PodSpec is not known to the lab")]
    public void An_unknown_field_is_415_naming_the_message_and_number_not_dropped(int field, string message)
    {
        var template = new Pb().Msg(2, new Pb().Msg(2, Container()).Msg(field, new Pb().Str(1, "10.0.0.1")));
        var deployment = new Pb().Msg(1, Meta("web")).Msg(2, new Pb().Msg(3, template));
        var e = Assert.Throws<ApiException>(() => Decode(Envelope("apps/v1", "Deployment", deployment), "Deployment"));
        Assert.Equal(415, e.Code);
        Assert.Equal("UnsupportedMediaType", e.Reason);
        Assert.StartsWith(message, e.Message);
        Assert.Contains("application/json", e.Message);
    }

    [Fact]
    public void Unknown_kinds_map_entry_fields_and_envelope_encodings_are_415()
    {
        Assert.Equal(415, Assert.Throws<ApiException>(() => Decode(Envelope("v1", "Service", new Pb().Msg(1, Meta("s"))), "Service")).Code);
        var badEntry = new Pb().Msg(1, Meta("cm")).Msg(2, new Pb().Str(1, "a").Str(2, "b").Str(3, "c"));
        Assert.Contains("field 3 of k8s.io.api.core.v1.ConfigMap.data (a map entry)",
            Assert.Throws<ApiException>(() => Decode(Envelope("v1", "ConfigMap", badEntry), "ConfigMap")).Message);
        var gzipped = "k8s\0"u8.ToArray().Concat(new Pb().Msg(1, new Pb().Str(1, "v1").Str(2, "ConfigMap")).Str(3, "gzip").ToArray()).ToArray();
        Assert.Equal(415, Assert.Throws<ApiException>(() => Decode(gzipped, "ConfigMap")).Code);
    }

    [Theory]
    [InlineData("6B387301", "prefix")] // wrong magic
    [InlineData("6B38", "prefix")]
    [InlineData("6B3873000A", "truncated varint")]
    [InlineData("6B3873000A7F0A02", "runs past the end")]
    [InlineData("6B387300128080808080808080808001", "varint longer than 10 bytes")]
    [InlineData("6B3873000A0F0A02763112094E616D65737061636512020801", "wire type 0")] // Namespace.metadata as a varint
    [InlineData("6B3873000B", "invalid wire type 3")]
    [InlineData("6B3873000200", "invalid field number 0")]
    [InlineData("6B3873000A0F0A02763112094E616D65737061636512050D01020304", "wire type 5")]
    public void Malformed_bodies_are_format_errors(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Decode(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Time_beyond_year_9999_is_a_format_error()
    {
        var ns = new Pb().Msg(1, new Pb().Str(1, "x").Msg(8, Time(long.MaxValue)));
        Assert.Contains("outside the years", Assert.Throws<FormatException>(() => Decode(Envelope("v1", "Namespace", ns))).Message);
    }

    [Fact]
    public void Mutated_bodies_decode_or_fail_as_format_errors_or_415_and_nothing_else()
    {
        var seed = Convert.FromHexString(KubectlCreateDeployment);
        var random = new Random(20261127);
        for (var i = 0; i < 20_000; i++)
        {
            var body = seed.ToList();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(4, body.Count);
                switch (random.Next(3))
                {
                    case 0: body[at] = (byte)random.Next(256); break;
                    case 1: body.RemoveAt(at); break;
                    default: body.Insert(at, (byte)random.Next(256)); break;
                }
            }
            try
            {
                ProtobufDecoder.Decode(body.ToArray(), "Deployment");
            }
            catch (FormatException)
            {
            }
            catch (ApiException e) when (e.Code == 415)
            {
            }
        }
    }
}
