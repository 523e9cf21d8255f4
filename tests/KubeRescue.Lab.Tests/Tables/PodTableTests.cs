using KubeRescue.Lab.ApiServer.Tables;
using static KubeRescue.Lab.Tests.TableConversion.Fixtures;

namespace KubeRescue.Lab.Tests.TableConversion;

public class PodTableTests
{
    private static IReadOnlyList<object?> Row(string json) => Tables.Pods.Row(Parse(json), Now);

    [Fact]
    public void Columns_are_upstreams()
    {
        Assert.Equal(
            ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"],
            Tables.Pods.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], Tables.Pods.Columns.Select(c => c.Priority));
        Assert.All(Tables.Pods.Columns, c => Assert.Equal("string", c.Type));
        Assert.Equal("name", Tables.Pods.Columns[0].Format);
        Assert.StartsWith("Name must be unique within a namespace.", Tables.Pods.Columns[0].Description);
        Assert.StartsWith("CreationTimestamp is a timestamp representing the server time", Tables.Pods.Columns[4].Description);
        Assert.Equal("podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", Tables.Pods.Columns[5].Description);
    }

    [Fact]
    public void Running_pod()
    {
        var cells = Row("""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web-7d4b9c8f5-x2x9k","namespace":"default","creationTimestamp":"AGO(3h12m)"},
         "spec":{"nodeName":"worker-1","containers":[{"name":"nginx","image":"nginx:1.25"}]},
         "status":{"phase":"Running","podIP":"10.244.1.7","podIPs":[{"ip":"10.244.1.7"}],
           "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}],
           "containerStatuses":[{"name":"nginx","ready":true,"started":true,"restartCount":0,"state":{"running":{"startedAt":"AGO(190m)"}}}]}}
        """);
        Assert.Equal<object?>(["web-7d4b9c8f5-x2x9k", "1/1", "Running", "0", "3h12m", "10.244.1.7", "worker-1", "<none>", "<none>"], cells);
    }

    [Fact]
    public void Crash_looping_pod_reports_restarts_with_time_since_last_one()
    {
        var cells = Row("""
        {"metadata":{"name":"api-0","creationTimestamp":"AGO(45m)"},
         "spec":{"nodeName":"worker-2","containers":[{"name":"api","image":"api:2"},{"name":"proxy","image":"envoy"}]},
         "status":{"phase":"Running","podIPs":[{"ip":"10.244.2.9"}],
           "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"False"}],
           "containerStatuses":[
             {"name":"api","ready":false,"restartCount":5,
              "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 2m40s restarting failed container"}},
              "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"AGO(2m)"}}},
             {"name":"proxy","ready":true,"restartCount":1,"state":{"running":{}},
              "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","finishedAt":"AGO(30m)"}}}]}}
        """);
        Assert.Equal<object?>(["api-0", "1/2", "CrashLoopBackOff", "6 (2m ago)", "45m", "10.244.2.9", "worker-2", "<none>", "<none>"], cells);
    }

    [Fact]
    public void Terminating_pod()
    {
        var cells = Row("""
        {"metadata":{"name":"old","creationTimestamp":"AGO(3d)","deletionTimestamp":"AGO(1m)","deletionGracePeriodSeconds":30},
         "spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
           "containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}
        """);
        Assert.Equal<object?>(["old", "1/1", "Terminating", "0", "3d"], cells.Take(5));
    }

    [Fact]
    public void Kubelet_rejected_pod_shows_the_status_reason_and_a_failed_row_condition()
    {
        var pod = Parse("""
        {"metadata":{"name":"big","creationTimestamp":"AGO(1m)"},
         "spec":{"nodeName":"worker-1","containers":[{"name":"c","image":"busybox"}]},
         "status":{"phase":"Failed","reason":"OutOfcpu","message":"Pod was rejected: Node didn't have enough resource: cpu, requested: 8000, used: 950, capacity: 2000"}}
        """);
        Assert.Equal<object?>(["big", "0/1", "OutOfcpu", "0", "60s", "<none>", "worker-1", "<none>", "<none>"], Tables.Pods.Row(pod, Now));
        Assert.Equal([new TableRowCondition("Completed", "True", "Failed", "The pod failed.")], Tables.Pods.Conditions!(pod));
    }

    [Fact]
    public void Completed_pod()
    {
        var pod = Parse("""
        {"metadata":{"name":"job-abc"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Succeeded","containerStatuses":[{"name":"c","ready":false,"restartCount":0,
           "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}
        """);
        Assert.Equal<object?>(["job-abc", "0/1", "Completed", "0", "<unknown>"], Tables.Pods.Row(pod, Now).Take(5));
        Assert.Equal([new TableRowCondition("Completed", "True", "Succeeded", "The pod has completed successfully.")], Tables.Pods.Conditions!(pod));
    }

    [Theory]
    [InlineData("""{"type":"Ready","status":"True"}""", "Running")]
    [InlineData("""{"type":"Ready","status":"False"}""", "NotReady")]
    public void A_completed_container_next_to_a_running_one_is_not_Completed(string readyCondition, string expected)
    {
        var cells = Row("""
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
         "status":{"phase":"Running","conditions":[READY],"containerStatuses":[
           {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
           {"name":"b","ready":true,"state":{"running":{}}}]}}
        """.Replace("READY", readyCondition));
        Assert.Equal(expected, cells[2]);
        Assert.Equal("1/2", cells[1]);
    }

    [Theory]
    [InlineData("""{"running":{}}""", "Init:0/2")]
    [InlineData("""{"waiting":{"reason":"PodInitializing"}}""", "Init:0/2")]
    [InlineData("""{"waiting":{"reason":"CrashLoopBackOff"}}""", "Init:CrashLoopBackOff")]
    [InlineData("""{"terminated":{"exitCode":1}}""", "Init:ExitCode:1")]
    [InlineData("""{"terminated":{"exitCode":137,"signal":9}}""", "Init:Signal:9")]
    [InlineData("""{"terminated":{"exitCode":1,"reason":"Error"}}""", "Init:Error")]
    public void Initializing_pod(string firstInitState, string expected)
    {
        var cells = Row("""
        {"metadata":{"name":"p"},
         "spec":{"initContainers":[{"name":"migrate"},{"name":"warm"}],"containers":[{"name":"app"}]},
         "status":{"phase":"Pending","conditions":[{"type":"Initialized","status":"False"}],
           "initContainerStatuses":[
             {"name":"migrate","ready":false,"restartCount":3,"state":STATE},
             {"name":"warm","ready":false,"restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}],
           "containerStatuses":[{"name":"app","ready":false,"restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}}
        """.Replace("STATE", firstInitState));
        Assert.Equal<object?>(["p", "0/1", expected, "3"], cells.Take(4));
    }

    [Fact]
    public void Second_init_container_running()
    {
        var cells = Row("""
        {"metadata":{"name":"p"},
         "spec":{"initContainers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"app"}]},
         "status":{"phase":"Pending","initContainerStatuses":[
             {"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
             {"name":"b","state":{"running":{}}}]}}
        """);
        Assert.Equal("Init:1/2", cells[2]);
    }

    [Fact]
    public void Started_sidecar_counts_as_a_container()
    {
        var cells = Row("""
        {"metadata":{"name":"p"},
         "spec":{"initContainers":[{"name":"istio-proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]},
         "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
           "initContainerStatuses":[{"name":"istio-proxy","ready":true,"started":true,"restartCount":2,"state":{"running":{}},
              "lastState":{"terminated":{"exitCode":1,"finishedAt":"AGO(20m)"}}}],
           "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}]}}
        """);
        Assert.Equal<object?>(["p", "2/2", "Running", "2 (20m ago)"], cells.Take(4));
    }

    [Fact]
    public void Pending_pods()
    {
        Assert.Equal("ContainerCreating", Row("""
        {"metadata":{"name":"p"},"spec":{"nodeName":"n","containers":[{"name":"c"}]},
         "status":{"phase":"Pending","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}}
        """)[2]);
        Assert.Equal("SchedulingGated", Row("""
        {"metadata":{"name":"p"},"spec":{"schedulingGates":[{"name":"gate"}],"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated","message":"Scheduling is blocked due to non-empty scheduling gates"}]}}
        """)[2]);
        Assert.Equal("Pending", Row("""
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable"}]}}
        """)[2]);
    }

    [Fact]
    public void Node_lost_pods()
    {
        const string status = """
            "status":{"phase":"Running","reason":"NodeLost","message":"Node worker-3 which was running pod p is unresponsive",
              "containerStatuses":[{"name":"c","ready":true,"state":{"running":{}}}]}
            """;
        Assert.Equal("NodeLost", Row("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},STATUS}""".Replace("STATUS", status))[2]);
        Assert.Equal("Unknown", Row("""{"metadata":{"name":"p","deletionTimestamp":"AGO(1m)"},"spec":{"containers":[{"name":"c"}]},STATUS}""".Replace("STATUS", status))[2]);
    }

    [Fact]
    public void Wide_cells()
    {
        var cells = Row("""
        {"metadata":{"name":"p"},
         "spec":{"containers":[{"name":"c"}],"readinessGates":[{"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]},
         "status":{"phase":"Pending","podIP":"","podIPs":[{"ip":"fd00::5"},{"ip":"10.0.0.5"}],"nominatedNodeName":"worker-9",
           "conditions":[{"type":"example.com/lb","status":"True"},{"type":"example.com/dns","status":"False"}]}}
        """);
        Assert.Equal<object?>(["fd00::5", "<none>", "worker-9", "1/2"], cells.Skip(5));
    }
}
