using KubeRescue.Lab.Components;
using KubeRescue.Lab.Components.ControllerManager.Support;
using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Lab.Tests.ControlPlane.Controllers;

/// <summary>The expectations' TTL is pure arithmetic on the controller's clock: a fake one puts it at its exact boundary.</summary>
public class ExpectationsTests
{
    const string Key = "default/web";

    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Expectations_are_met_by_the_creations_and_deletions_observed()
    {
        var expectations = new Expectations(LabTiming.Real, _clock);
        Assert.True(expectations.Satisfied(Key));
        expectations.Expect(Key, 1, ["default/web-a"]);
        Assert.False(expectations.Satisfied(Key));
        expectations.CreationObserved(Key);
        Assert.False(expectations.Satisfied(Key));
        expectations.DeletionObserved(Key, "default/web-a");
        Assert.True(expectations.Satisfied(Key));
    }

    [Fact]
    public void Unmet_expectations_block_for_five_minutes_from_when_they_were_set_and_not_a_tick_longer()
    {
        var expectations = new Expectations(LabTiming.Real, _clock);
        expectations.ExpectCreations(Key, 2);
        _clock.Advance(TimeSpan.FromMinutes(4));
        // Set again (the next sync's creates): the TTL counts from now.
        expectations.ExpectCreations(Key, 2);
        expectations.CreationObserved(Key);

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(expectations.Satisfied(Key));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(expectations.Satisfied(Key));
    }

    [Fact]
    public void The_ttl_follows_the_lab_speed()
    {
        var expectations = new Expectations(new LabTiming(10), _clock);
        expectations.ExpectDeletions(Key, ["default/web-a"]);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(expectations.Satisfied(Key));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(expectations.Satisfied(Key));
    }
}
