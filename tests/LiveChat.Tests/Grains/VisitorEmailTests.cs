namespace LiveChat.Tests.Grains;

/// <summary>The email a visitor gives reaches the staff who answer them.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class VisitorEmailTests(GrainCluster cluster)
{
    [Fact]
    public async Task TheEmailAVisitorGaveIsInTheirConversationsViewAndNoneIsNull()
    {
        var queue = cluster.Floor.Queue();
        var withEmail = cluster.Grains.GetGrain<IVisitorGrain>($"v_{Guid.NewGuid():N}");
        await withEmail.Touch("Vera", "vera@example.com", verified: false);
        var without = cluster.Grains.GetGrain<IVisitorGrain>($"v_{Guid.NewGuid():N}");
        await without.Touch("Nell", null, verified: false);

        var started = await withEmail.StartConversation(new StartConversationRequest(queue));
        var view = await cluster.Grains.GetGrain<IConversationGrain>(started.ConversationId).Peek();

        var none = await without.StartConversation(new StartConversationRequest(queue));

        Assert.Equal(("vera@example.com", "vera@example.com"), (started.VisitorEmail, view.VisitorEmail));
        Assert.Null(none.VisitorEmail);
        foreach (var chat in new[] { started, none })
            await cluster.Grains.GetGrain<IConversationGrain>(chat.ConversationId).Close(new Caller(Roles.Visitor, chat.VisitorId, chat.VisitorName));
    }
}
