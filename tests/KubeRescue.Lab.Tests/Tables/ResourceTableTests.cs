using KubeRescue.Lab.ApiServer.Tables;
using static KubeRescue.Lab.Tests.TableConversion.Fixtures;

namespace KubeRescue.Lab.Tests.TableConversion;

public class ResourceTableTests
{
    private static IReadOnlyList<object?> Row(TableDefinition def, string json) => def.Row(Parse(json), Now);

    private static void AssertColumns(TableDefinition def, params string[] expected) =>
        Assert.Equal(expected, def.Columns.Select(c => c.Priority == 0 ? c.Name : c.Name + "*"));

    [Fact]
    public void Cordoned_control_plane_node()
    {
        AssertColumns(Tables.Nodes, "Name", "Status", "Roles", "Age", "Version",
            "Internal-IP*", "External-IP*", "OS-Image*", "Kernel-Version*", "Container-Runtime*");
        var cells = Row(Tables.Nodes, """
        {"apiVersion":"v1","kind":"Node",
         "metadata":{"name":"cp-1","creationTimestamp":"AGO(20d)","labels":{
           "kubernetes.io/hostname":"cp-1","node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"",
           "node.kubernetes.io/exclude-from-external-load-balancers":""}},
         "spec":{"unschedulable":true,"taints":[
           {"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"},
           {"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule","timeAdded":"AGO(1h)"}]},
         "status":{
           "conditions":[{"type":"MemoryPressure","status":"False"},{"type":"DiskPressure","status":"False"},{"type":"Ready","status":"True","reason":"KubeletReady"}],
           "addresses":[{"type":"InternalIP","address":"192.168.10.11"},{"type":"Hostname","address":"cp-1"}],
           "nodeInfo":{"kubeletVersion":"v1.31.2","osImage":"Ubuntu 22.04.4 LTS","kernelVersion":"5.15.0-119-generic","containerRuntimeVersion":"containerd://1.7.22"}}}
        """);
        Assert.Equal<object?>(["cp-1", "Ready,SchedulingDisabled", "control-plane,master", "20d", "v1.31.2",
            "192.168.10.11", "<none>", "Ubuntu 22.04.4 LTS", "5.15.0-119-generic", "containerd://1.7.22"], cells);
    }

    [Fact]
    public void Node_status_and_roles_edge_cases()
    {
        Assert.Equal<object?>(["w", "NotReady", "worker", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"],
            Row(Tables.Nodes, """
            {"metadata":{"name":"w","labels":{"kubernetes.io/role":"worker","node-role.kubernetes.io/":""}},
             "status":{"conditions":[{"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown"}]}}
            """));
        Assert.Equal("Unknown", Row(Tables.Nodes, """{"metadata":{"name":"n"}}""")[1]);
    }

    [Fact]
    public void Deployment_half_ready()
    {
        AssertColumns(Tables.Deployments, "Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*");
        var cells = Row(Tables.Deployments, """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"shop","creationTimestamp":"AGO(7m3s)","generation":2},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web","tier":"frontend"}},
           "template":{"metadata":{"labels":{"app":"web","tier":"frontend"}},
             "spec":{"containers":[{"name":"nginx","image":"nginx:1.25"},{"name":"exporter","image":"nginx/nginx-prometheus-exporter:1.1"}]}}},
         "status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"readyReplicas":1,"availableReplicas":1,"unavailableReplicas":1}}
        """);
        Assert.Equal<object?>(["web", "1/2", 2L, 1L, "7m3s", "nginx,exporter", "nginx:1.25,nginx/nginx-prometheus-exporter:1.1", "app=web,tier=frontend"], cells);
    }

    [Fact]
    public void Deployment_without_status_and_with_expression_selector()
    {
        var cells = Row(Tables.Deployments, """
        {"metadata":{"name":"d"},"spec":{"replicas":3,"selector":{"matchLabels":{"z":"1"},"matchExpressions":[
            {"key":"env","operator":"In","values":["prod","canary"]},{"key":"legacy","operator":"DoesNotExist"},{"key":"app","operator":"Exists"}]},
          "template":{"spec":{"containers":[]}}}}
        """);
        Assert.Equal<object?>(["d", "0/3", 0L, 0L, "<unknown>", "", "", "app,env in (canary,prod),!legacy,z=1"], cells);
    }

    [Fact]
    public void ReplicaSet()
    {
        AssertColumns(Tables.ReplicaSets, "Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*");
        var cells = Row(Tables.ReplicaSets, """
        {"metadata":{"name":"web-7d4b9c8f5","creationTimestamp":"AGO(3h)"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web","pod-template-hash":"7d4b9c8f5"}},
           "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}},
         "status":{"replicas":2,"fullyLabeledReplicas":2,"readyReplicas":1,"availableReplicas":1}}
        """);
        Assert.Equal<object?>(["web-7d4b9c8f5", 2L, 2L, 1L, "3h", "nginx", "nginx:1.25", "app=web,pod-template-hash=7d4b9c8f5"], cells);
        Assert.Equal("<none>", Row(Tables.ReplicaSets, """{"metadata":{"name":"x"},"spec":{"selector":{}}}""")[7]);
    }

    [Fact]
    public void DaemonSet()
    {
        AssertColumns(Tables.DaemonSets, "Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age",
            "Containers*", "Images*", "Selector*");
        var cells = Row(Tables.DaemonSets, """
        {"metadata":{"name":"kube-proxy","namespace":"kube-system","creationTimestamp":"AGO(400d)"},
         "spec":{"selector":{"matchLabels":{"k8s-app":"kube-proxy"}},
           "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"kube-proxy","image":"registry.k8s.io/kube-proxy:v1.31.2"}]}}},
         "status":{"currentNumberScheduled":3,"desiredNumberScheduled":3,"numberAvailable":2,"numberMisscheduled":0,"numberReady":2,"updatedNumberScheduled":3}}
        """);
        Assert.Equal<object?>(["kube-proxy", 3L, 3L, 2L, 3L, 2L, "kubernetes.io/os=linux", "400d", "kube-proxy", "registry.k8s.io/kube-proxy:v1.31.2", "k8s-app=kube-proxy"], cells);
    }

    [Fact]
    public void Event_with_legacy_timestamps()
    {
        AssertColumns(Tables.Events, "Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*", "Count*", "Name*");
        Assert.Equal("name", Tables.Events.Columns[9].Format);
        var cells = Row(Tables.Events, """
        {"apiVersion":"v1","kind":"Event",
         "metadata":{"name":"api-0.17c8a1b2c3d4e5f6","namespace":"default","creationTimestamp":"AGO(45m)"},
         "involvedObject":{"kind":"Pod","namespace":"default","name":"api-0","apiVersion":"v1","fieldPath":"spec.containers{api}"},
         "reason":"BackOff","message":"Back-off restarting failed container api in pod api-0_default(1234)\n",
         "source":{"component":"kubelet","host":"worker-2"},
         "firstTimestamp":"AGO(40m)","lastTimestamp":"AGO(2m)","count":37,"type":"Warning","eventTime":null,
         "reportingComponent":"kubelet","reportingInstance":"worker-2"}
        """);
        Assert.Equal<object?>(["2m", "Warning", "BackOff", "pod/api-0", "spec.containers{api}", "kubelet, worker-2",
            "Back-off restarting failed container api in pod api-0_default(1234)", "40m", 37L, "api-0.17c8a1b2c3d4e5f6"], cells);
    }

    [Fact]
    public void Event_from_the_new_api_falls_back_to_event_time_and_series()
    {
        var cells = Row(Tables.Events, """
        {"metadata":{"name":"e1"},"involvedObject":{"kind":"Node","name":"cp-1"},"reason":"Starting","message":"","type":"Normal",
         "eventTime":"2024-05-01T11:00:00.123456Z","reportingComponent":"kube-proxy","reportingInstance":"",
         "series":{"count":4,"lastObservedTime":"2024-05-01T11:55:00.000000Z"}}
        """);
        // First seen is 59m59.877s ago, which HumanDuration truncates to 59m.
        Assert.Equal<object?>(["5m", "Normal", "Starting", "node/cp-1", "", "kube-proxy", "", "59m", 4L, "e1"], cells);

        var single = Row(Tables.Events, """
        {"metadata":{"name":"e2"},"involvedObject":{"kind":"Namespace"},"eventTime":"2024-05-01T11:59:30.000000Z"}
        """);
        Assert.Equal<object?>(["30s", "", "", "namespace", "", "", "", "30s", 1L, "e2"], single);
    }

    [Fact]
    public void Small_core_resources()
    {
        AssertColumns(Tables.Namespaces, "Name", "Status", "Age");
        Assert.Equal<object?>(["kube-system", "Active", "400d"],
            Row(Tables.Namespaces, """{"metadata":{"name":"kube-system","creationTimestamp":"AGO(400d)"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}"""));
        Assert.Equal("Terminating",
            Row(Tables.Namespaces, """{"metadata":{"name":"old","deletionTimestamp":"AGO(1m)"},"status":{"phase":"Terminating"}}""")[1]);

        AssertColumns(Tables.ConfigMaps, "Name", "Data", "Age");
        Assert.Equal<object?>(["kube-root-ca.crt", 3L, "2d"],
            Row(Tables.ConfigMaps, """{"metadata":{"name":"kube-root-ca.crt","creationTimestamp":"AGO(2d)"},"data":{"ca.crt":"x","b":"y"},"binaryData":{"bin":"AAE="}}"""));

        AssertColumns(Tables.Secrets, "Name", "Type", "Data", "Age");
        Assert.Equal<object?>(["tls", "kubernetes.io/tls", 2L, "90s"],
            Row(Tables.Secrets, """{"metadata":{"name":"tls","creationTimestamp":"AGO(90s)"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eQ=="}}"""));
        Assert.Equal(2L,
            Row(Tables.Secrets, """{"metadata":{"name":"s"},"type":"Opaque","data":{"a":"eA=="},"stringData":{"a":"x","b":"y"}}""")[2]);

        AssertColumns(Tables.ServiceAccounts, "Name", "Secrets", "Age");
        Assert.Equal<object?>(["default", 0L, "4h"], Row(Tables.ServiceAccounts, """{"metadata":{"name":"default","creationTimestamp":"AGO(4h)"}}"""));
        Assert.Equal(1L, Row(Tables.ServiceAccounts, """{"metadata":{"name":"a"},"secrets":[{"name":"a-token"}]}""")[1]);

        AssertColumns(Tables.Leases, "Name", "Holder", "Age");
        Assert.Equal<object?>(["kube-scheduler", "cp-1_5f1e7c1a-7a53-4d0e-9d3b-0a0f2d1b3c4d", "20d"],
            Row(Tables.Leases, """
            {"metadata":{"name":"kube-scheduler","namespace":"kube-system","creationTimestamp":"AGO(20d)"},
             "spec":{"holderIdentity":"cp-1_5f1e7c1a-7a53-4d0e-9d3b-0a0f2d1b3c4d","leaseDurationSeconds":15,"renewTime":"2024-05-01T11:59:58.000000Z"}}
            """));
        Assert.Equal("", Row(Tables.Leases, """{"metadata":{"name":"l"},"spec":{}}""")[1]);
    }

    [Fact]
    public void Services()
    {
        AssertColumns(Tables.Services, "Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*");
        Assert.Equal<object?>(["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "20d", "<none>"],
            Row(Tables.Services, """
            {"metadata":{"name":"kubernetes","namespace":"default","creationTimestamp":"AGO(20d)"},
             "spec":{"type":"ClusterIP","clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],"ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]}}
            """));
        Assert.Equal<object?>(["web", "LoadBalancer", "10.96.12.34", "<pending>", "80:31080/TCP,443:31443/TCP", "5m", "app=web,tier=frontend"],
            Row(Tables.Services, """
            {"metadata":{"name":"web","creationTimestamp":"AGO(5m)"},
             "spec":{"type":"LoadBalancer","clusterIP":"10.96.12.34","selector":{"tier":"frontend","app":"web"},
               "ports":[{"port":80,"nodePort":31080,"protocol":"TCP"},{"port":443,"nodePort":31443,"protocol":"TCP"}]}}
            """));
        Assert.Equal("203.0.113.9,lb.example.com,198.51.100.1",
            Row(Tables.Services, """
            {"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","externalIPs":["198.51.100.1"]},
             "status":{"loadBalancer":{"ingress":[{"hostname":"lb.example.com"},{"ip":"203.0.113.9"},{"ip":"203.0.113.9"}]}}}
            """)[3]);
        Assert.Equal<object?>(["db", "ExternalName", "<none>", "db.example.com", "<none>"],
            Row(Tables.Services, """{"metadata":{"name":"db"},"spec":{"type":"ExternalName","externalName":"db.example.com"}}""").Take(5));
        Assert.Equal("None", Row(Tables.Services, """{"metadata":{"name":"h"},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"]}}""")[2]);
    }

    [Fact]
    public void Endpoints()
    {
        AssertColumns(Tables.Endpoints, "Name", "Endpoints", "Age");
        Assert.Equal<object?>(["kubernetes", "192.168.10.11:6443", "20d"],
            Row(Tables.Endpoints, """
            {"metadata":{"name":"kubernetes","creationTimestamp":"AGO(20d)"},
             "subsets":[{"addresses":[{"ip":"192.168.10.11"}],"ports":[{"name":"https","port":6443,"protocol":"TCP"}]}]}
            """));
        Assert.Equal("10.0.0.1:80,10.0.0.2:80,10.0.0.1:8080 + 3 more...",
            Row(Tables.Endpoints, """
            {"metadata":{"name":"web"},"subsets":[
              {"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":8080}]},
              {"addresses":[{"ip":"fd00::3"},{"ip":"10.0.0.4"}],"ports":[{"port":80}]}]}
            """)[1]);
        Assert.Equal("[fd00::3]:80", Row(Tables.Endpoints, """{"metadata":{"name":"v6"},"subsets":[{"addresses":[{"ip":"fd00::3"}],"ports":[{"port":80}]}]}""")[1]);
        Assert.Equal("10.0.0.7", Row(Tables.Endpoints, """{"metadata":{"name":"headless"},"subsets":[{"addresses":[{"ip":"10.0.0.7"}]}]}""")[1]);
        Assert.Equal("<none>", Row(Tables.Endpoints, """{"metadata":{"name":"empty"}}""")[1]);
    }

    [Fact]
    public void PodDisruptionBudget()
    {
        AssertColumns(Tables.PodDisruptionBudgets, "Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age");
        Assert.Equal<object?>(["web", "1", "N/A", 1L, "2d"],
            Row(Tables.PodDisruptionBudgets, """
            {"metadata":{"name":"web","creationTimestamp":"AGO(2d)"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}},
             "status":{"currentHealthy":2,"desiredHealthy":1,"disruptionsAllowed":1,"expectedPods":2}}
            """));
        Assert.Equal<object?>(["api", "N/A", "25%", 0L],
            Row(Tables.PodDisruptionBudgets, """{"metadata":{"name":"api"},"spec":{"maxUnavailable":"25%"}}""").Take(4));
    }

    [Fact]
    public void Default_prints_name_and_creation_time()
    {
        Assert.Equal(["Name", "Created At"], Tables.Default.Columns.Select(c => c.Name));
        Assert.Equal("date", Tables.Default.Columns[1].Type);
        Assert.Equal("", Tables.Default.Columns[1].Format);
        Assert.Equal<object?>(["admin", "2024-01-02T03:04:05Z"],
            Row(Tables.Default, """{"metadata":{"name":"admin","creationTimestamp":"2024-01-02T03:04:05Z"}}"""));
        Assert.Equal<object?>(["x", "0001-01-01T00:00:00Z"], Row(Tables.Default, """{"metadata":{"name":"x"}}"""));
    }

    [Fact]
    public void RoleBinding_shows_its_role_and_wide_its_users_groups_and_service_accounts()
    {
        AssertColumns(Tables.RoleBindings, "Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*");
        AssertColumns(Tables.ClusterRoleBindings, "Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*");
        Assert.Equal<object?>(["kube-rescue", "ClusterRole/kube-rescue-kube-system", "3h", "alice, bob", "ops", "kube-system/rescuer, /loose"],
            Row(Tables.RoleBindings, """
            {"metadata":{"name":"kube-rescue","namespace":"kube-system","creationTimestamp":"AGO(3h)"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"kube-rescue-kube-system"},
             "subjects":[{"kind":"User","name":"alice"},{"kind":"Group","name":"ops"},{"kind":"ServiceAccount","name":"rescuer","namespace":"kube-system"},
               {"kind":"User","name":"bob"},{"kind":"ServiceAccount","name":"loose"}]}
            """));
        Assert.Equal<object?>(["empty", "Role/r", "<unknown>", "", "", ""],
            Row(Tables.ClusterRoleBindings, """{"metadata":{"name":"empty"},"roleRef":{"kind":"Role","name":"r"}}"""));
    }

    [Fact]
    public void ForResource_maps_group_and_plural()
    {
        Assert.Same(Tables.Pods, Tables.ForResource("", "pods"));
        Assert.Same(Tables.Deployments, Tables.ForResource("apps", "deployments"));
        Assert.Same(Tables.Leases, Tables.ForResource("coordination.k8s.io", "leases"));
        Assert.Same(Tables.PodDisruptionBudgets, Tables.ForResource("policy", "poddisruptionbudgets"));
        Assert.Same(Tables.Default, Tables.ForResource("rbac.authorization.k8s.io", "roles"));
        Assert.Same(Tables.RoleBindings, Tables.ForResource("rbac.authorization.k8s.io", "rolebindings"));
        Assert.Same(Tables.Default, Tables.ForResource("apps", "pods"));
    }
}
