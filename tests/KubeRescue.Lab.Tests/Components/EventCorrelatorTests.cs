using k8s.Models;
using KubeRescue.Lab.Components;
using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Lab.Tests.Components;

/// <summary>
/// The correlator against client-go's defaults: aggregation after 10, de-duplication, a burst of 25 per object. Its
/// windows are pure arithmetic on the clock it is given, so a fake one puts each rule at its exact boundary.
/// </summary>
public class EventCorrelatorTests
{
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    readonly EventCorrelator _correlator;

    public EventCorrelatorTests() => _correlator = new EventCorrelator(LabTiming.Real, _clock);

    static Corev1Event Event(string message, string reason = "SuccessfulCreate", string on = "web-abc") => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{on}.{message.GetHashCode():x}", NamespaceProperty = "default" },
        InvolvedObject = new V1ObjectReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = on, NamespaceProperty = "default", Uid = $"uid-{on}" },
        Type = "Normal",
        Reason = reason,
        Message = message,
        Source = new V1EventSource { Component = "replicaset-controller" },
        ReportingComponent = "replicaset-controller",
        FirstTimestamp = DateTime.UtcNow,
        LastTimestamp = DateTime.UtcNow,
        Count = 1,
    };

    /// <summary>Correlates and, like the broadcaster after a successful write, records what the server holds.</summary>
    EventCorrelator.Result Send(Corev1Event e)
    {
        var result = _correlator.Correlate(e);
        if (!result.Skip) _correlator.Sent(result.Key, result.Event);
        return result;
    }

    [Fact]
    public void Events_differing_only_by_message_are_combined_from_the_tenth_on()
    {
        var results = Enumerable.Range(1, 14).Select(i => Send(Event($"Created pod: web-abc-{i}"))).ToList();

        Assert.All(results.Take(9), r => Assert.False(r.Skip || r.Patch));
        Assert.All(results.Take(9), r => Assert.DoesNotContain(EventCorrelator.CombinedPrefix, r.Event.Message));
        var combined = results[9];
        Assert.False(combined.Patch);
        Assert.Equal(EventCorrelator.CombinedPrefix + "Created pod: web-abc-10", combined.Event.Message);
        Assert.Equal(1, combined.Event.Count);
        // Later ones count on the combined event: one series, whatever their message.
        Assert.All(results.Skip(10), r => Assert.True(r.Patch));
        Assert.All(results.Skip(10), r => Assert.Equal(combined.Event.Metadata.Name, r.Event.Metadata.Name));
        Assert.Equal([2, 3, 4, 5], results.Skip(10).Select(r => r.Event.Count ?? 0));
    }

    [Fact]
    public void Aggregation_starts_over_after_ten_quiet_minutes_and_not_a_tick_sooner()
    {
        // Two objects, each with nine similar events: the window of each counts from its last one.
        for (var i = 1; i <= 9; i++)
        {
            Send(Event($"Created pod: web-abc-{i}"));
            Send(Event($"Created pod: web-def-{i}", on: "web-def"));
        }
        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(EventCorrelator.CombinedPrefix + "Created pod: web-abc-10", Send(Event("Created pod: web-abc-10")).Event.Message);

        _clock.Advance(TimeSpan.FromTicks(1));
        var next = Send(Event("Created pod: web-def-10", on: "web-def"));

        Assert.False(next.Patch);
        Assert.Equal("Created pod: web-def-10", next.Event.Message);
    }

    [Fact]
    public void A_repeat_patches_the_first_event_keeping_its_name_and_first_timestamp()
    {
        var first = Send(Event("Back-off restarting failed container", reason: "BackOff"));
        _clock.Advance(TimeSpan.FromSeconds(30));
        var again = Send(Event("Back-off restarting failed container", reason: "BackOff"));

        Assert.False(first.Patch);
        Assert.True(again.Patch);
        Assert.Equal(first.Event.Metadata.Name, again.Event.Metadata.Name);
        Assert.Equal(first.Event.FirstTimestamp, again.Event.FirstTimestamp);
        Assert.Equal(2, again.Event.Count);
    }

    [Fact]
    public void A_source_may_send_25_events_about_an_object_then_one_per_five_minutes()
    {
        var results = Enumerable.Range(1, 30).Select(i => Send(Event($"message {i}", reason: $"Reason{i}"))).ToList();

        Assert.Equal(25, results.Count(r => !r.Skip));
        Assert.All(results.Skip(25), r => Assert.True(r.Skip));
        // Another object of the same source has its own budget: spend it too.
        Assert.Equal(25, Enumerable.Range(1, 26).Count(i => !Send(Event($"message {i}", reason: $"Reason{i}", on: "other")).Skip));

        // A token comes back five minutes after the bucket ran dry, not a tick sooner.
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.True(Send(Event("message 27", reason: "Reason27", on: "other")).Skip);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(Send(Event("message 31", reason: "Reason31")).Skip);
        Assert.True(Send(Event("message 32", reason: "Reason32")).Skip);
    }

    [Fact]
    public void Timings_follow_the_lab_speed()
    {
        var fast = new EventCorrelator(new LabTiming(Speed: 10), _clock);
        for (var i = 1; i <= 9; i++)
        {
            fast.Correlate(Event($"Created pod: web-abc-{i}"));
            fast.Correlate(Event($"Created pod: web-def-{i}", on: "web-def"));
        }
        // Ten minutes at speed 10: one.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(EventCorrelator.CombinedPrefix + "Created pod: web-abc-10", fast.Correlate(Event("Created pod: web-abc-10")).Event.Message);
        _clock.Advance(TimeSpan.FromTicks(1));

        Assert.Equal("Created pod: web-def-10", fast.Correlate(Event("Created pod: web-def-10", on: "web-def")).Event.Message);
    }
}
