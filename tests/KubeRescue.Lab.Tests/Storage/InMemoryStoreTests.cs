using System.Text;
using KubeRescue.Lab.ApiServer.Storage;
using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Lab.Tests.Storage;

public class InMemoryStoreTests
{
    static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Every_write_takes_the_next_global_revision()
    {
        await using var store = new InMemoryStore();
        var a = await store.CreateAsync("/a", B("1"));
        var b = await store.CreateAsync("/b", B("2"));
        var a2 = await store.UpdateAsync("/a", a.ModRevision, B("3"));
        Assert.Equal([1L, 2L, 3L], [a.ModRevision, b.ModRevision, a2.ModRevision]);
        Assert.Equal(1, a2.CreateRevision);
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public async Task Update_with_a_stale_revision_fails_and_changes_nothing()
    {
        await using var store = new InMemoryStore();
        var a = await store.CreateAsync("/a", B("1"));
        await store.UpdateAsync("/a", a.ModRevision, B("2"));
        var e = await Assert.ThrowsAsync<RevisionMismatchException>(async () => await store.UpdateAsync("/a", a.ModRevision, B("3")));
        Assert.Equal("2", Encoding.UTF8.GetString(e.Current.Value));
        Assert.Equal("2", Encoding.UTF8.GetString((await store.GetAsync("/a"))!.Value));
        await Assert.ThrowsAsync<KeyExistsException>(async () => await store.CreateAsync("/a", B("x")));
    }

    [Fact]
    public async Task List_pages_by_prefix_in_key_order()
    {
        await using var store = new InMemoryStore();
        foreach (var k in new[] { "/p/c", "/p/a", "/q/a", "/p/b", "/pa" }) await store.CreateAsync(k, B(k));
        var first = await store.ListAsync("/p/", null, 2);
        Assert.Equal(["/p/a", "/p/b"], first.Items.Select(i => i.Key));
        Assert.True(first.More);
        var second = await store.ListAsync("/p/", first.Items[^1].Key, 2);
        Assert.Equal(["/p/c"], second.Items.Select(i => i.Key));
        Assert.False(second.More);
    }

    [Fact]
    public async Task Watch_replays_from_a_revision_then_streams_live_events()
    {
        await using var store = new InMemoryStore();
        var a = await store.CreateAsync("/p/a", B("1"));
        await store.UpdateAsync("/p/a", a.ModRevision, B("2"));
        await store.CreateAsync("/q/x", B("x"));
        using var watch = store.Watch("/p/", a.ModRevision);
        await store.DeleteAsync("/p/a", 0);
        var events = new List<StoreEvent>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (events.Count < 2) events.Add(await watch.Events.ReadAsync(cts.Token));
        Assert.Equal([StoreEventType.Updated, StoreEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal([2L, 4L], events.Select(e => e.Revision));
        Assert.Equal("1", Encoding.UTF8.GetString(events[0].Previous!.Value));
    }

    [Fact]
    public async Task Watch_from_beyond_the_retained_history_is_compacted()
    {
        await using var store = new InMemoryStore(historySize: 3);
        for (var i = 0; i < 5; i++) await store.CreateAsync($"/k{i}", B("v"));
        var e = Assert.Throws<RevisionCompactedException>(() => store.Watch("/", 1));
        Assert.Equal(3, e.Oldest);
        using var ok = store.Watch("/", 2);
        Assert.True(ok.Events.TryRead(out var first));
        Assert.Equal(3, first.Revision);
    }

    [Fact]
    public async Task A_key_with_a_ttl_is_deleted_once_it_passes_without_a_write_and_each_write_sets_it_anew()
    {
        var clock = new FakeTimeProvider();
        await using var store = new InMemoryStore(clock: clock);
        var ttl = TimeSpan.FromMinutes(1);
        var e = await store.CreateAsync("/e/a", B("1"), ttl);
        await store.CreateAsync("/e/b", B("x"), ttl);
        await store.CreateAsync("/c/kept", B("k"));
        using var watch = store.Watch("/", store.Revision);

        clock.Advance(TimeSpan.FromSeconds(40));
        var e2 = await store.UpdateAsync("/e/a", e.ModRevision, B("2"), ttl);
        clock.Advance(TimeSpan.FromSeconds(30));
        // 70 s after both were created: b has expired; a was written 30 s ago.
        Assert.Null(await store.GetAsync("/e/b"));
        Assert.NotNull(await store.GetAsync("/e/a"));

        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await store.GetAsync("/e/a"));
        Assert.NotNull(await store.GetAsync("/c/kept"));
        // Expiry is a delete like any other: watches see it, with the last value.
        var events = new List<StoreEvent>();
        while (watch.Events.TryRead(out var ev)) events.Add(ev);
        Assert.Equal([(StoreEventType.Updated, "/e/a"), (StoreEventType.Deleted, "/e/b"), (StoreEventType.Deleted, "/e/a")],
            events.Select(ev => (ev.Type, ev.Value.Key)));
        Assert.Equal(e2.ModRevision, events[^1].Value.ModRevision);
    }

    [Fact]
    public async Task A_write_without_a_ttl_keeps_the_key()
    {
        var clock = new FakeTimeProvider();
        await using var store = new InMemoryStore(clock: clock);
        var e = await store.CreateAsync("/e/a", B("1"), TimeSpan.FromMinutes(1));
        await store.UpdateAsync("/e/a", e.ModRevision, B("2"));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("2", Encoding.UTF8.GetString((await store.GetAsync("/e/a"))!.Value));
    }
}
