using LiveChat.Server.Hosting;

namespace LiveChat.Tests.Grains;

[Collection(GrainClusterCollection.Name)]
public sealed class MessageTests(GrainCluster cluster)
{
    // Each test's own queue, whose agent (limit 5) never comes online, so its chats stay with the visitor alone.
    private readonly string _queue = cluster.Floor.Queue(5);

    private IGrainFactory Grains => cluster.Grains;

    [Fact]
    public async Task MessagesAreNumberedFromOneInTheOrderTheyWereSent()
    {
        var (conversation, visitor) = await StartChat(text: null);

        var acks = new List<MessageAck>();
        for (var i = 1; i <= 25; i++)
            acks.Add(await conversation.Send(visitor, $"m{i}", $"message {i}"));

        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), acks.Select(a => a.Seq));
        Assert.All(acks, a => Assert.False(a.Duplicate));
        var firstPage = await conversation.GetMessages(visitor, 0, 10);
        var rest = await conversation.GetMessages(visitor, 10, 100);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"message {i}"), firstPage.Concat(rest).Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), firstPage.Concat(rest).Select(m => m.Seq));
        Assert.Equal(25, (await conversation.Peek()).LastSeq);
    }

    [Fact]
    public async Task ResendWithTheSameClientMessageIdReturnsTheFirstAckAndStoresNothing()
    {
        var (conversation, visitor) = await StartChat(text: "hello");
        var first = await conversation.Send(visitor, "client-1", "are you there?");

        var again = await conversation.Send(visitor, "client-1", "are you there?");
        var next = await conversation.Send(visitor, "client-2", "anyone?");

        Assert.True(again.Duplicate);
        Assert.Equal((first.Seq, first.SentAt), (again.Seq, again.SentAt));
        Assert.Equal(first.Seq + 1, next.Seq);
        var texts = (await conversation.GetMessages(visitor, 0, 100)).Select(m => m.Text).ToList();
        Assert.Equal(["hello", "are you there?", "anyone?"], texts);
    }

    [Fact]
    public async Task TheSameClientMessageIdFromTheOtherSideIsANewMessage()
    {
        var queue = cluster.Floor.Queue(100);
        var cap2 = cluster.Floor.Agent(queue, max: 100);
        await cluster.GoOnline(cap2);
        var (view, visitor) = await cluster.StartChat(queue);
        var conversation = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        var agent = new Caller(Roles.Agent, view.AgentId!, Floor.DisplayName(cap2));

        var fromVisitor = await conversation.Send(visitor, "1", "question");
        var fromAgent = await conversation.Send(agent, "1", "answer");

        Assert.False(fromAgent.Duplicate);
        Assert.Equal(fromVisitor.Seq + 1, fromAgent.Seq);
        var texts = (await conversation.GetMessages(visitor, 0, 100)).Where(m => m.SenderRole != Roles.System).Select(m => m.Text);
        Assert.Equal(["question", "answer"], texts);
    }

    [Fact]
    public async Task AResendAfterTheConversationClosedIsAnsweredWithTheFirstAck()
    {
        var (conversation, visitor) = await StartChat(text: null);
        var first = await conversation.Send(visitor, "before-close", "last words");
        await conversation.Close(visitor);
        // A new activation has no memory of recent sends: the log itself must recognise the retry.
        await cluster.Deactivate(conversation);

        var retry = await conversation.Send(visitor, "before-close", "last words");

        Assert.Equal((true, first.Seq), (retry.Duplicate, retry.Seq));
    }

    [Fact]
    public async Task AnotherVisitorCannotReadOrWriteTheConversation()
    {
        var (conversation, _) = await StartChat(text: "private");
        var stranger = new Caller(Roles.Visitor, "v_stranger", "Stranger");

        var read = await Assert.ThrowsAsync<ChatRuleException>(() => conversation.GetMessages(stranger, 0, 10));
        var write = await Assert.ThrowsAsync<ChatRuleException>(() => conversation.Send(stranger, "x", "hi"));
        Assert.Equal("not your conversation", read.Message);
        Assert.Equal("not your conversation", write.Message);
    }

    [Fact]
    public async Task ClosedConversationRefusesMessagesButKeepsItsRating()
    {
        // Rated once an agent has joined (a chat nobody answered has no one to rate).
        var queue = cluster.Floor.Queue(5);
        await cluster.GoOnline(cluster.Floor.Agent(queue, max: 5));
        var (view, visitor) = await cluster.StartChat(queue, "hi");
        var conversation = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        Assert.NotNull(view.AgentId);
        await conversation.Close(visitor);
        await conversation.Rate(visitor, 4, "quick answer");

        var refused = await Assert.ThrowsAsync<ChatRuleException>(() => conversation.Send(visitor, "late", "one more"));
        Assert.Equal("conversation is closed", refused.Message);
        var closed = await conversation.Peek();
        Assert.Equal(ConversationStatus.Closed, closed.Status);
        Assert.Equal((4, "quick answer"), (closed.Rating!.Score, closed.Rating.Comment));
    }

    [Fact]
    public async Task AReferenceMadeFromItsIdAloneIsTheSameConversation()
    {
        var (conversation, visitor) = await StartChat(text: "hello");
        var id = (await conversation.Peek()).ConversationId;

        var made = Grains.Reference<IConversationGrain>(id);

        Assert.Equal(conversation, made);
        Assert.Equal(((GrainReference)conversation).InterfaceType, ((GrainReference)made).InterfaceType);
        Assert.Equal("hello", Assert.Single(await made.GetMessages(visitor, 0, 10)).Text);
        Assert.NotEqual(made, Grains.Reference<IConversationGrain>(id + "x"));
    }

    private async Task<(IConversationGrain, Caller)> StartChat(string? text)
    {
        var (view, visitor) = await cluster.StartChat(_queue, text);
        return (Grains.GetGrain<IConversationGrain>(view.ConversationId), visitor);
    }
}
