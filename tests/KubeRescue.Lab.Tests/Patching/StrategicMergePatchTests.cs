using k8s.Models;
using KubeRescue.Lab.ApiServer.Patching;
using static KubeRescue.Lab.Tests.Patching.Json;

namespace KubeRescue.Lab.Tests.Patching;

public class StrategicMergePatchTests
{
    // A Deployment as the server stores it after a first `kubectl apply`: defaults filled in, status written.
    private const string LiveDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"default","uid":"d-1","resourceVersion":"7","generation":1,
           "annotations":{"deployment.kubernetes.io/revision":"1",
             "kubectl.kubernetes.io/last-applied-configuration":"{\"old\":true}\n"},
           "labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
           "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
           "template":{"metadata":{"labels":{"app":"web"}},
             "spec":{"containers":[{"name":"app","image":"nginx:1.25","imagePullPolicy":"IfNotPresent",
                 "env":[{"name":"A","value":"1"}],
                 "ports":[{"containerPort":80,"protocol":"TCP"}],
                 "resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
               "restartPolicy":"Always","dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler",
               "tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}}},
         "status":{"replicas":2,"conditions":[{"type":"Available","status":"True"},{"type":"Progressing","status":"True"}]}}
        """;

    private static JsonObjectAssertion Patch(string original, string patch, Type type) =>
        new(StrategicMergePatch.Apply(Obj(original), Obj(patch), type));

    private static JsonObjectAssertion PatchDeployment(string patch) => Patch(LiveDeployment, patch, typeof(V1Deployment));

    [Fact]
    public void Second_kubectl_apply_with_a_new_image_and_an_added_env_var()
    {
        // What kubectl apply sends (CreateThreeWayMergePatch) after the manifest changed image and added env B.
        var result = PatchDeployment("""
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":true}\n"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
               "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],
                 "env":[{"name":"B","value":"2"}],"image":"nginx:1.26","name":"app"}]}}}}
            """);

        var expected = Obj(LiveDeployment);
        expected["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"] = "{\"new\":true}\n";
        var container = expected["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["image"] = "nginx:1.26";
        container["env"] = Arr("""[{"name":"A","value":"1"},{"name":"B","value":"2"}]""");
        result.Is(expected.ToJsonString());
    }

    [Fact]
    public void Kubectl_apply_removing_an_env_var()
    {
        PatchDeployment("""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
              "containers":[{"$setElementOrder/env":[{"name":"C"}],"env":[{"$patch":"delete","name":"A"},{"name":"C","value":"3"}],"name":"app"}]}}}}
            """)
            .At("spec", "template", "spec", "containers", 0, "env").Is("""[{"name":"C","value":"3"}]""");
    }

    [Fact]
    public void Kubectl_apply_switching_deployment_strategy_clears_rolling_update_through_retain_keys()
    {
        PatchDeployment("""{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}""")
            .At("spec", "strategy").Is("""{"type":"Recreate"}""");
    }

    [Fact]
    public void Retain_keys_clears_fields_the_patch_does_not_name()
    {
        const string pod = """{"spec":{"volumes":[{"name":"v","emptyDir":{}}],"containers":[]}}""";
        Patch(pod, """{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"v","configMap":{"name":"cm"}}]}}""", typeof(V1Pod))
            .At("spec", "volumes").Is("""[{"name":"v","configMap":{"name":"cm"}}]""");
    }

    [Fact]
    public void A_patch_field_missing_from_retain_keys_is_a_bad_request()
    {
        var e = Assert.Throws<PatchException>(() =>
            StrategicMergePatch.Apply(Obj(LiveDeployment), Obj("""{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"""), typeof(V1Deployment)));

        Assert.Equal((400, "BadRequest", "invalid patch format of retainKeys"), (e.StatusCode, e.Reason, e.Message));
    }

    [Fact]
    public void Kubectl_patch_of_one_container_image_leaves_the_others()
    {
        const string pod = """
            {"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"x","image":"x:1","args":["--v"]},{"name":"c","image":"c:1"}]}}
            """;
        Patch(pod, """{"spec":{"containers":[{"name":"x","image":"y"}]}}""", typeof(V1Pod))
            .At("spec", "containers").Is("""[{"name":"a","image":"a:1"},{"name":"x","image":"y","args":["--v"]},{"name":"c","image":"c:1"}]""");
    }

    [Fact]
    public void Deployment_template_container_patch_goes_through_nested_types()
    {
        PatchDeployment("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"y"}]}}}}""")
            .At("spec", "template", "spec", "containers", 0).Is("""
                {"name":"app","image":"y","imagePullPolicy":"IfNotPresent","env":[{"name":"A","value":"1"}],
                 "ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},
                 "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}
                """);
    }

    [Fact]
    public void Patch_delete_directive_removes_an_env_var()
    {
        PatchDeployment("""{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}]}]}}}}""")
            .At("spec", "template", "spec", "containers", 0, "env").Is("[]");
    }

    [Fact]
    public void Null_deletes_a_field_and_list_items_merge_by_key()
    {
        PatchDeployment("""{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":null,"valueFrom":{"fieldRef":{"fieldPath":"x"}}}]}]}}}}""")
            .At("spec", "template", "spec", "containers", 0, "env").Is("""[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"x"}}}]""");
    }

    [Fact]
    public void Tolerations_have_no_strategy_and_are_replaced()
    {
        PatchDeployment("""{"spec":{"template":{"spec":{"tolerations":[{"key":"c","operator":"Exists"}]}}}}""")
            .At("spec", "template", "spec", "tolerations").Is("""[{"key":"c","operator":"Exists"}]""");
    }

    [Fact]
    public void Owner_references_merge_by_uid_and_new_ones_come_first()
    {
        const string cm = """{"metadata":{"name":"c","ownerReferences":[{"uid":"u1","name":"a","kind":"X","apiVersion":"v1"}]}}""";
        Patch(cm, """{"metadata":{"ownerReferences":[{"uid":"u2","name":"b","kind":"X","apiVersion":"v1"},{"uid":"u1","controller":true}]}}""", typeof(V1ConfigMap))
            .At("metadata", "ownerReferences").Is("""
                [{"uid":"u2","name":"b","kind":"X","apiVersion":"v1"},{"uid":"u1","name":"a","kind":"X","apiVersion":"v1","controller":true}]
                """);
    }

    [Fact]
    public void Finalizers_merge_as_a_set_and_delete_from_primitive_list_removes()
    {
        const string ns = """{"metadata":{"name":"n","finalizers":["a","b"]}}""";
        Patch(ns, """{"metadata":{"finalizers":["c","a"]}}""", typeof(V1Namespace)).At("metadata", "finalizers").Is("""["c","a","b"]""");
        Patch(ns, """{"metadata":{"finalizers":["c"]}}""", typeof(V1Namespace)).At("metadata", "finalizers").Is("""["c","a","b"]""");
        Patch(ns, """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a","zz"]}}""", typeof(V1Namespace)).At("metadata", "finalizers").Is("""["b"]""");
    }

    [Fact]
    public void Delete_from_primitive_list_never_creates_the_list()
    {
        Patch("""{"metadata":{"name":"n"}}""", """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}""", typeof(V1Namespace))
            .Is("""{"metadata":{"name":"n"}}""");
    }

    [Fact]
    public void Lists_without_strategy_drop_nothing_but_replace_whole()
    {
        Patch("""{"metadata":{"finalizers":["a"]}}""", """{"metadata":{"finalizers":[]}}""", typeof(V1Namespace)).At("metadata", "finalizers").Is("[\"a\"]");
        Patch("""{"spec":{"containers":[{"name":"a","args":["1","2"]}]}}""", """{"spec":{"containers":[{"name":"a","args":["3"]}]}}""", typeof(V1Pod))
            .At("spec", "containers", 0, "args").Is("""["3"]""");
    }

    [Fact]
    public void Patch_order_is_kept_and_server_only_items_stay_where_they_were()
    {
        const string pod = """{"spec":{"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"3"}]}}""";
        Patch(pod, """{"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]}}""", typeof(V1Pod))
            .At("spec", "containers").Is("""[{"name":"2","image":"b"},{"name":"3","image":"c"},{"name":"1","image":"a"}]""");
    }

    // Cases of upstream's "set elements order in a list with server-only items" tests, on container env.
    [Theory]
    [InlineData("""[{"name":"1"},{"name":"3","value":"3"},{"name":"4","value":"4"},{"name":"2","value":"2"},{"name":"9"}]""",
        """[{"name":"4"},{"name":"2"},{"name":"3"},{"name":"1"}]""",
        """[{"name":"4","value":"4"},{"name":"2","value":"2"},{"name":"3","value":"3"},{"name":"1"},{"name":"9"}]""")]
    [InlineData("""[{"name":"1"},{"name":"2","value":"2"},{"name":"9"},{"name":"3","value":"3"},{"name":"4","value":"4"}]""",
        """[{"name":"2"},{"name":"1"},{"name":"4"},{"name":"3"}]""",
        """[{"name":"2","value":"2"},{"name":"1"},{"name":"9"},{"name":"4","value":"4"},{"name":"3","value":"3"}]""")]
    [InlineData("""[{"name":"1"},{"name":"2","value":"2"},{"name":"7"},{"name":"9"},{"name":"8"},{"name":"3","value":"3"},{"name":"4","value":"4"}]""",
        """[{"name":"2"},{"name":"1"},{"name":"4"},{"name":"3"}]""",
        """[{"name":"2","value":"2"},{"name":"1"},{"name":"7"},{"name":"9"},{"name":"8"},{"name":"4","value":"4"},{"name":"3","value":"3"}]""")]
    public void Set_element_order_interleaves_server_only_items(string liveEnv, string order, string expected)
    {
        var pod = """{"spec":{"containers":[{"name":"c","env":ENV}]}}""".Replace("ENV", liveEnv, StringComparison.Ordinal);
        var patch = """{"spec":{"containers":[{"name":"c","$setElementOrder/env":ORDER}]}}""".Replace("ORDER", order, StringComparison.Ordinal);
        Patch(pod, patch, typeof(V1Pod)).At("spec", "containers", 0, "env").Is(expected);
    }

    [Fact]
    public void Set_element_order_may_name_items_the_list_lacks()
    {
        Patch("""{"metadata":{"finalizers":["1","3"]}}""", """{"metadata":{"$setElementOrder/finalizers":["3","2","1"]}}""", typeof(V1Pod))
            .At("metadata", "finalizers").Is("""["3","1"]""");
    }

    [Fact]
    public void Set_element_order_that_contradicts_the_patch_list_is_an_error()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(
            Obj("""{"spec":{"containers":[{"name":"1"},{"name":"3"},{"name":"2"}]}}"""),
            Obj("""{"spec":{"$setElementOrder/containers":[{"name":"1"},{"name":"2"},{"name":"3"}],"containers":[{"name":"3","image":"x"},{"name":"1","image":"y"}]}}"""),
            typeof(V1Pod)));

        Assert.Equal(500, e.StatusCode);
        Assert.Equal("", e.Reason);
        Assert.Equal("The order in patch list:\n[map[image:x name:3] map[image:y name:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n", e.Message);
    }

    [Fact]
    public void A_list_item_without_its_merge_key_is_the_upstream_500()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(
            Obj("""{"spec":{"containers":[{"name":"x","image":"a"}]}}"""),
            Obj("""{"spec":{"containers":[{"image":"y"}]}}"""),
            typeof(V1Pod)));

        Assert.Equal((500, "", "map: map[image:y] does not contain declared merge key: name"), (e.StatusCode, e.Reason, e.Message));
    }

    [Fact]
    public void Map_directives()
    {
        const string cm = """{"metadata":{"name":"c","labels":{"a":"1","b":"2"}},"data":{"k":"v"}}""";
        Patch(cm, """{"metadata":{"labels":{"$patch":"replace","c":"3"}}}""", typeof(V1ConfigMap)).At("metadata", "labels").Is("""{"c":"3"}""");
        Patch(cm, """{"metadata":{"labels":{"$patch":"delete"}}}""", typeof(V1ConfigMap)).At("metadata", "labels").Is("{}");
        Patch(cm, """{"data":{"$patch":"replace","n":"m"}}""", typeof(V1ConfigMap)).At("data").Is("""{"n":"m"}""");

        var e = Assert.Throws<PatchException>(() =>
            StrategicMergePatch.Apply(Obj(cm), Obj("""{"metadata":{"labels":{"$patch":"merge","c":"3"}}}"""), typeof(V1ConfigMap)));
        Assert.Equal((500, "unknown patch type: merge in map: map[$patch:merge c:3]"), (e.StatusCode, e.Message));
    }

    [Fact]
    public void A_directive_map_for_an_absent_field_adds_nothing()
    {
        Patch("""{"metadata":{"name":"c"}}""", """{"metadata":{"labels":{"$patch":"delete"}},"data":{"a":{"$patch":"delete"},"b":"1"}}""", typeof(V1ConfigMap))
            .Is("""{"metadata":{"name":"c"},"data":{"b":"1"}}""");
    }

    [Fact]
    public void Replace_directive_in_a_list_replaces_the_whole_list()
    {
        PatchDeployment("""{"spec":{"template":{"spec":{"containers":[{"name":"new","image":"n"},{"$patch":"replace"}]}}}}""")
            .At("spec", "template", "spec", "containers").Is("""[{"name":"new","image":"n"}]""");
    }

    [Fact]
    public void Merge_directive_in_a_list_is_rejected_like_upstream()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(
            Obj(LiveDeployment), Obj("""{"spec":{"template":{"spec":{"containers":[{"$patch":"merge"}]}}}}"""), typeof(V1Deployment)));

        Assert.Equal((500, "merging lists cannot yet be specified in the patch"), (e.StatusCode, e.Message));
    }

    [Fact]
    public void Status_conditions_merge_by_type()
    {
        PatchDeployment("""{"status":{"conditions":[{"type":"Progressing","status":"False","reason":"Stuck"}]}}""")
            .At("status", "conditions").Is("""[{"type":"Available","status":"True"},{"type":"Progressing","status":"False","reason":"Stuck"}]""");
    }

    [Fact]
    public void Service_ports_merge_by_port_number()
    {
        const string svc = """{"spec":{"ports":[{"port":80,"targetPort":8080,"protocol":"TCP"},{"port":443,"targetPort":8443}]}}""";
        Patch(svc, """{"spec":{"ports":[{"port":443,"targetPort":9443}]}}""", typeof(V1Service))
            .At("spec", "ports").Is("""[{"port":80,"targetPort":8080,"protocol":"TCP"},{"port":443,"targetPort":9443}]""");
    }

    [Fact]
    public void Node_addresses_merge_by_type_and_taints_are_replaced()
    {
        const string node = """
            {"spec":{"taints":[{"key":"a","effect":"NoSchedule"}]},
             "status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}]}}
            """;
        var result = Patch(node, """
            {"spec":{"taints":[{"key":"b","effect":"NoExecute"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}}
            """, typeof(V1Node));

        result.At("spec", "taints").Is("""[{"key":"b","effect":"NoExecute"}]""");
        result.At("status", "addresses").Is("""[{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"n1"}]""");
    }

    [Fact]
    public void Unknown_fields_survive_and_patch_without_metadata()
    {
        const string pod = """{"spec":{"futureField":{"a":1,"list":[1,2]},"containers":[{"name":"x","futureList":[{"k":1}]}]}}""";
        var result = Patch(pod, """{"spec":{"futureField":{"b":2,"list":[3]},"containers":[{"name":"x","futureList":[{"k":2}]}]}}""", typeof(V1Pod));

        result.At("spec", "futureField").Is("""{"a":1,"b":2,"list":[3]}""");
        result.At("spec", "containers").Is("""[{"name":"x","futureList":[{"k":2}]}]""");
    }

    [Fact]
    public void Directive_keys_never_reach_the_stored_object()
    {
        Patch("""{"metadata":{"name":"p"}}""", """
            {"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"a","$setElementOrder/env":[{"name":"E"}],"env":[{"name":"E","value":null}]}]}}
            """, typeof(V1Pod))
            .Is("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","env":[{"name":"E"}]}]}}""");
    }

    [Fact]
    public void Type_changes_replace_and_scalars_overwrite()
    {
        Patch("""{"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}}}}""", """{"spec":{"replicas":"3","selector":"x"}}""", typeof(V1Deployment))
            .Is("""{"spec":{"replicas":"3","selector":"x"}}""");
    }

    [Fact]
    public void Pdb_selector_is_replaced_not_merged()
    {
        Patch("""{"spec":{"selector":{"matchLabels":{"a":"1"}},"minAvailable":1}}""", """{"spec":{"selector":{"matchLabels":{"b":"2"}}}}""", typeof(V1PodDisruptionBudget))
            .At("spec", "selector").Is("""{"matchLabels":{"b":"2"}}""");
    }

    [Fact]
    public void Malformed_directives_are_bad_requests()
    {
        AssertBadRequest("""{"metadata":{"$deleteFromPrimitiveListX":["a"]}}""", "invalid patch format of primitive list");
        AssertBadRequest("""{"metadata":{"$setElementOrder":["a"]}}""", "invalid patch format of setElementOrder list");
        AssertBadRequest("""{"metadata":{"$retainKeys":"name"}}""", "invalid patch format of retainKeys");

        static void AssertBadRequest(string patch, string message)
        {
            var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(Obj("""{"metadata":{"finalizers":["a"]}}"""), Obj(patch), typeof(V1Pod)));
            Assert.Equal((400, "BadRequest", message), (e.StatusCode, e.Reason, e.Message));
        }
    }

    [Fact]
    public void Lists_of_lists_are_422()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(
            Obj("""{"metadata":{"finalizers":[["a"]]}}"""), Obj("""{"metadata":{"finalizers":[["b"]]}}"""), typeof(V1Pod)));

        Assert.Equal((422, "Invalid", "lists of lists are not supported"), (e.StatusCode, e.Reason, e.Message));
    }

    [Fact]
    public void Does_not_modify_its_inputs()
    {
        var original = Obj(LiveDeployment);
        var patch = Obj("""{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"app","image":"y"}]}}}}""");
        StrategicMergePatch.Apply(original, patch, typeof(V1Deployment));

        Equal(LiveDeployment, original);
        Equal("""{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"app","image":"y"}]}}}}""", patch);
    }

    private sealed class JsonObjectAssertion(System.Text.Json.Nodes.JsonNode? node)
    {
        public JsonObjectAssertion At(params object[] path)
        {
            var current = node;
            foreach (var step in path)
            {
                current = step is int index ? current?[index] : current?[(string)step];
            }

            return new(current);
        }

        public void Is(string expected) => Equal(expected, node);
    }
}
