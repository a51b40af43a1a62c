using LiveChat.Server.Visitors;

namespace LiveChat.Tests.Grains;

/// <summary>A queue's offline inbox at its cap: the oldest handled message makes room, and an unhandled one is never lost.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class OfflineInboxTests(GrainCluster cluster)
{
    [Fact]
    public async Task AFullInboxDropsTheOldestHandledMessageAndRefusesRatherThanLoseAnUnhandledOne()
    {
        var inbox = cluster.Grains.GetGrain<IOfflineMessagesGrain>(cluster.Floor.Queue());
        var supervisor = new Caller(Roles.Supervisor, "sue", "Sue");
        var kept = new List<OfflineMessage>();
        for (var i = 0; i < OfflineMessagesGrain.MaxKept; i++)
            kept.Add((await inbox.Leave($"Visitor {i}", $"v{i}@example.com", $"message {i}"))!);
        // Two handled ones, the older of them the third message left.
        await inbox.MarkHandled(supervisor, kept[2].Id, handled: true);
        await inbox.MarkHandled(supervisor, kept[7].Id, handled: true);

        var first = await inbox.Leave("Late", "late@example.com", "one more");
        var second = await inbox.Leave("Later", "later@example.com", "and another");
        var third = await inbox.Leave("Latest", "latest@example.com", "and a third");

        var all = await inbox.GetAll();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Equal(OfflineMessagesGrain.MaxKept, all.Count);
        Assert.DoesNotContain(all, m => m.Id == kept[2].Id || m.Id == kept[7].Id);
        Assert.All(kept.Where((_, i) => i is not (2 or 7)), m => Assert.Contains(all, a => a.Id == m.Id));
        Assert.Equal([second!.Id, first!.Id], all.Take(2).Select(m => m.Id));
        // The dashboard says so: full of unhandled messages, one turned away.
        var status = await inbox.GetStatus();
        Assert.Equal((OfflineMessagesGrain.MaxKept, OfflineMessagesGrain.MaxKept, 1), (status.Kept, status.Unhandled, status.Refused));
        Assert.NotNull(status.RefusedSince);
    }
}
