using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>kube-apiserver's --event-ttl: an event is deleted an hour after its last write; nothing else expires.</summary>
public class EventTtlTests
{
    static Corev1Event Event(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = "default" },
        Reason = "Started",
        Message = "Started container main",
        Type = "Normal",
        Count = 1,
    };

    [Fact]
    public async Task Events_expire_an_hour_after_their_last_write_and_other_objects_stay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lab = await LabServerFixture.StartAsync(LabServerFixture.Options with { Clock = clock });
        try
        {
            var client = lab.Client;
            await client.CoreV1.CreateNamespacedEventAsync(Event("quiet"), "default");
            await client.CoreV1.CreateNamespacedEventAsync(Event("repeated"), "default");
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, "default");

            clock.Advance(TimeSpan.FromMinutes(40));
            // A recorder counting a repeat: the write sets the hour anew.
            await client.CoreV1.PatchNamespacedEventAsync(new V1Patch("""{"count":2}""", V1Patch.PatchType.MergePatch), "repeated", "default");
            clock.Advance(TimeSpan.FromMinutes(21));

            Assert.Equal(["repeated"], (await client.CoreV1.ListNamespacedEventAsync("default")).Items.Select(e => e.Metadata.Name));
            clock.Advance(TimeSpan.FromMinutes(40));
            Assert.Empty((await client.CoreV1.ListNamespacedEventAsync("default")).Items);
            Assert.Equal("settings", (await client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default")).Metadata.Name);
        }
        finally
        {
            await lab.DisposeAsync();
        }
    }
}
