using System.Collections.Concurrent;
using System.Diagnostics;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Side = LiveChat.LoadTests.Measurement.ChaosLedger.Side;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>
/// The <c>chaos</c> scenario: the chat load on Redis-backed nodes while, several times in one run, Redis's replies are
/// lost, Redis is paused, Redis is killed -9 and restarted, and a node is killed -9 and restarted. The clients behave
/// as a real client does (<see cref="ResumingClient"/>); each side of a conversation sends one message at a time, so
/// the order its messages were acknowledged in is the order they must be stored in. Once the last fault is over each
/// side of each conversation sends one more message, which must be acknowledged within
/// <see cref="ChaosSettings.FinalWithin"/>. Then every conversation's whole history is read by both sides, and every
/// conversation's holder is asked through the agent hub whether it still holds it.
/// </summary>
public static class ChaosScenario
{
    private const int Page = 500;

    public static async Task<ChaosResult> RunAsync(LiveChatBackend backend, FaultInjector injector, ChaosSettings settings, RunStats stats,
        Action<string> progress, Action<string> events, CancellationToken cancellationToken)
    {
        var ledger = new ChaosLedger();
        var nodes = backend.NodeAddresses;
        var pairOf = new ConcurrentDictionary<string, int>();
        var conversationIds = new string[settings.Conversations];
        var agentOfPair = new int[settings.Conversations];
        var catchingUp = new int[settings.Conversations, 2];
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stop = hardStop.Token;

        // The clients. A push feeds the ledger; a gap in the seqs a side has seen makes it catch up, as a client does.
        var agents = new ResumingClient[settings.Agents];
        var visitors = new ResumingClient[settings.Conversations];
        progress($"{backend.Name}: signing in {agents.Length} agents and opening {settings.Conversations} conversations");
        try
        {
            using (var http = new HttpClient { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(30) })
            {
                await Connections.ForEach(agents.Length, async j =>
                {
                    var token = await LiveChatBackend.SignInAsync(http, $"load{j}", cancellationToken);
                    agents[j] = new ResumingClient($"agent load{j}", nodes, j, "/hubs/agent", token!,
                        m => Pushed(Side.Agent, m), client => CatchUpAgentAsync(j), events);
                    await agents[j].ConnectAsync(cancellationToken);
                    await agents[j].InvokeAsync<AgentView>("SetStatus", ["Online"], TimeSpan.FromSeconds(30), cancellationToken);
                }, cancellationToken);
                var agentIndex = Enumerable.Range(0, agents.Length).ToDictionary(j => $"load{j}");
                await Connections.ForEach(settings.Conversations, async i =>
                {
                    var token = await LiveChatBackend.OpenSessionAsync(http, $"Visitor {i}", cancellationToken);
                    visitors[i] = new ResumingClient($"visitor {i}", nodes, i, "/hubs/visitor", token!,
                        m => Pushed(Side.Visitor, m), client => CatchUpAsync(i, Side.Visitor, client), events);
                    await visitors[i].ConnectAsync(cancellationToken);
                    var view = await visitors[i].InvokeAsync<ConversationView>("StartConversation", [new StartConversationRequest()], TimeSpan.FromSeconds(30), cancellationToken);
                    if (view.AgentId is null || !agentIndex.TryGetValue(view.AgentId, out var agent))
                        throw new InvalidOperationException($"conversation {i} was not assigned: the agents' capacity is too small for {settings.Conversations} chats");
                    conversationIds[i] = view.ConversationId;
                    agentOfPair[i] = agent;
                    pairOf[view.ConversationId] = i;
                }, cancellationToken);
            }

            var random = new Random(settings.Seed);
            var start = Stopwatch.GetTimestamp();
            var warmUpEnd = start + Ticks(settings.WarmUp);
            var durationEnd = warmUpEnd + Ticks(settings.Duration);
            var loadEnd = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var windows = new List<FaultWindow>();
            var current = "warm-up";
            stats.LoadBegins(() => current);
            progress($"{backend.Name}: {settings.Rate} messages/s over {settings.Conversations} conversations; {settings.WarmUp.TotalSeconds:0} s warm-up, " +
                $"then up to {settings.Faults} faults ({string.Join(", ", settings.Kinds.Select(FaultKinds.Name))}) within {settings.Duration.TotalSeconds:0} s");

            var streams = Enumerable.Range(0, settings.Conversations * 2).Select(s => Task.Run(() => StreamAsync(s / 2, (Direction)(s % 2), s))).ToList();

            // The faults, one after another, cycling through the kinds.
            var next = warmUpEnd + Ticks(Spacing());
            for (var number = 1; number <= settings.Faults && next + Ticks(settings.FaultLength) <= durationEnd; number++)
            {
                await OpenLoop.WaitUntil(next, cancellationToken);
                var kind = settings.Kinds[(number - 1) % settings.Kinds.Count];
                current = $"fault {number}: {FaultKinds.Name(kind)}";
                var window = await injector.InjectAsync(number, kind, settings.FaultLength, cancellationToken);
                windows.Add(window);
                current = $"after fault {number}";
                next = Math.Max(window.Start + Ticks(Spacing()), window.End + Ticks(TimeSpan.FromSeconds(1)));
            }
            if (windows.Count == 0)
                await OpenLoop.WaitUntil(durationEnd, cancellationToken);
            var lastFaultEnd = windows.Count > 0 ? windows[^1].End : durationEnd;
            current = "last round";
            progress($"{backend.Name}: {(windows.Count > 0 ? "the faults are over" : "no fault fitted")}; each side of each conversation sends once more, " +
                $"to be acknowledged within {ChaosSettings.FinalWithin.TotalSeconds:0} s");
            hardStop.CancelAfter(ChaosSettings.GiveUpAfter + TimeSpan.FromSeconds(5));
            loadEnd.SetResult(lastFaultEnd);
            await Task.WhenAll(streams);

            current = "reading back";
            progress($"{backend.Name}: reading every conversation back, and who holds it");
            var holdings = await ReadHoldingsAsync();
            var histories = await ReadHistoriesAsync(holdings);
            return ChaosFindings.Judge(settings, backend.Name, ledger, windows, start, warmUpEnd, lastFaultEnd, conversationIds, agentOfPair, holdings, histories,
                agents.Sum(a => a.Reconnects) + visitors.Sum(v => v.Reconnects));

            TimeSpan Spacing() => settings.Spacing.Min + (settings.Spacing.Max - settings.Spacing.Min) * random.NextDouble();

            // One side of one conversation: its messages one at a time, each due on the clock, each tried until
            // acknowledged; then, once the faults are over, the last round's message.
            async Task StreamAsync(int pair, Direction direction, int stream)
            {
                var interval = 2.0 * settings.Conversations / settings.Rate;
                var offset = (double)stream / settings.Rate;
                for (long number = 1; ; number++)
                {
                    var due = start + (long)((offset + (number - 1) * interval) * Stopwatch.Frequency);
                    var final = false;
                    // Past the hard stop the rest of the backlog is dropped, and the last round's message goes down as unanswered.
                    if (loadEnd.Task.IsCompleted && (due >= loadEnd.Task.Result || stop.IsCancellationRequested))
                        (due, final) = (loadEnd.Task.Result, true);
                    else
                    {
                        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                        if (await Task.WhenAny(Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, stop), loadEnd.Task) == loadEnd.Task && due >= loadEnd.Task.Result)
                            (due, final) = (loadEnd.Task.Result, true);
                        else if (!stop.IsCancellationRequested)
                            await OpenLoop.WaitUntil(due, CancellationToken.None);
                    }
                    await SendAsync(new ChaosSend(pair, direction, number, $"{(direction == Direction.VisitorToAgent ? "v" : "a")}-{number}", final, due));
                    if (final)
                        return;
                }
            }
        }
        finally
        {
            await Task.WhenAll(visitors.Concat(agents).Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }

        async Task SendAsync(ChaosSend send)
        {
            ledger.Add(send);
            var client = send.Direction == Direction.VisitorToAgent ? visitors[send.Pair] : agents[agentOfPair[send.Pair]];
            send.FirstTry = Stopwatch.GetTimestamp();
            stats.OnSent();
            var giveUpAt = (send.Final ? send.Due : Math.Max(send.FirstTry, send.Due)) + Ticks(ChaosSettings.GiveUpAfter);
            send.Outcome = await client.SendAsync(conversationIds[send.Pair], send.ClientMessageId,
                $"chaos {send.Pair} {send.ClientMessageId}", giveUpAt, stop);
            send.Done = Stopwatch.GetTimestamp();
            if (send.Acked)
            {
                stats.OnAcked();
                stats.Delivery.RecordMicros((long)Stopwatch.GetElapsedTime(send.FirstTry, send.Done).TotalMicroseconds);
            }
            else
                stats.OnFailed();
        }

        void Pushed(Side side, ChatMessage message)
        {
            if (!pairOf.TryGetValue(message.ConversationId, out var pair))
                return;
            if (message.SenderRole != (side == Side.Visitor ? Roles.Visitor : Roles.Agent))
                stats.OnReceived();
            var seen = ledger.Saw(pair, side, new SeenMessage(message.Seq, message.SenderRole, message.ClientMessageId ?? "", Pushed: true));
            if (message.Seq > seen)
            {
                var client = side == Side.Visitor ? visitors[pair] : agents[agentOfPair[pair]];
                if (client is not null)
                    _ = CatchUpAsync(pair, side, client);
            }
        }

        async Task CatchUpAgentAsync(int agent)
        {
            // As the console does after a reconnect: its list of conversations, then each one's messages by seq.
            await agents[agent].InvokeAsync<List<ConversationView>>("GetMyConversations", [], TimeSpan.FromSeconds(30), stop);
            for (var pair = 0; pair < settings.Conversations; pair++)
                if (agentOfPair[pair] == agent)
                    await CatchUpAsync(pair, Side.Agent, agents[agent]);
        }

        // One catch-up at a time per side: GetMessages after the last seq it has all messages up to, page by page.
        async Task CatchUpAsync(int pair, Side side, ResumingClient client)
        {
            if (Interlocked.CompareExchange(ref catchingUp[pair, (int)side], 1, 0) != 0)
                return;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var after = ledger.Contiguous(pair, side);
                    var page = await client.InvokeAsync<List<ChatMessage>>("GetMessages", [conversationIds[pair], after, Page], TimeSpan.FromSeconds(30), stop);
                    foreach (var m in page)
                        ledger.Saw(pair, side, new SeenMessage(m.Seq, m.SenderRole, m.ClientMessageId ?? "", Pushed: false));
                    if (page.Count < Page)
                        return;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The next push, reconnect or the final reading catches up instead.
                events($"conversation {pair}, {side} side: catching up failed: {ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                Volatile.Write(ref catchingUp[pair, (int)side], 0);
            }
        }

        // Who holds each conversation at the end, from both ends: the visitor's view of it, and each agent's own list
        // through the agent hub (what the console shows). Asked again for a few seconds while anything looks unheld,
        // so a conversation on its way to an agent is given the time a queue takes.
        async Task<Holdings> ReadHoldingsAsync()
        {
            var deadline = Stopwatch.GetTimestamp() + Ticks(ChaosSettings.FinalWithin);
            while (true)
            {
                var views = new ConversationView?[settings.Conversations];
                var lists = new IReadOnlyList<ConversationView>?[agents.Length];
                var me = new AgentView?[agents.Length];
                var problems = new ConcurrentQueue<string>();
                await Connections.ForEach(settings.Conversations, async i =>
                {
                    try
                    {
                        var mine = await visitors[i].InvokeAsync<List<ConversationView>>("GetMyConversations", [], TimeSpan.FromSeconds(30), cancellationToken);
                        views[i] = mine.FirstOrDefault(v => v.ConversationId == conversationIds[i]);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        problems.Enqueue($"visitor {i}: GetMyConversations failed: {ex.Message}");
                    }
                }, cancellationToken);
                await Connections.ForEach(agents.Length, async j =>
                {
                    try
                    {
                        lists[j] = await agents[j].InvokeAsync<List<ConversationView>>("GetMyConversations", [], TimeSpan.FromSeconds(30), cancellationToken);
                        me[j] = await agents[j].InvokeAsync<AgentView>("GetMe", [], TimeSpan.FromSeconds(30), cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        problems.Enqueue($"agent load{j}: GetMyConversations or GetMe failed: {ex.Message}");
                    }
                }, cancellationToken);
                var holdings = new Holdings(views, [.. Enumerable.Range(0, agents.Length).Select(j => $"load{j}")], lists, me, [.. problems]);
                if (holdings.Unheld(conversationIds).Count == 0 || Stopwatch.GetTimestamp() >= deadline)
                    return holdings;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        // Every conversation's whole history as the visitor reads it, and as the agent who holds it now reads it.
        async Task<Histories> ReadHistoriesAsync(Holdings holdings)
        {
            var byVisitor = new IReadOnlyList<ChatMessage>?[settings.Conversations];
            var byAgent = new IReadOnlyList<ChatMessage>?[settings.Conversations];
            var refusals = new ConcurrentQueue<string>();
            await Connections.ForEach(settings.Conversations, async i =>
            {
                byVisitor[i] = await ReadAllAsync(visitors[i], i, $"visitor {i}");
                var holder = holdings.Views[i]?.AgentId is { } id && id.StartsWith("load", StringComparison.Ordinal)
                    && int.TryParse(id.AsSpan(4), out var j) && j < agents.Length ? j : agentOfPair[i];
                byAgent[i] = await ReadAllAsync(agents[holder], i, $"agent load{holder}");
            }, cancellationToken);
            return new Histories(byVisitor, byAgent, [.. refusals]);

            async Task<IReadOnlyList<ChatMessage>?> ReadAllAsync(ResumingClient client, int pair, string who)
            {
                var all = new List<ChatMessage>();
                try
                {
                    while (true)
                    {
                        var page = await client.InvokeAsync<List<ChatMessage>>("GetMessages", [conversationIds[pair], all.Count > 0 ? all[^1].Seq : 0L, Page],
                            TimeSpan.FromSeconds(30), cancellationToken);
                        all.AddRange(page);
                        if (page.Count < Page)
                            return all;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    refusals.Enqueue($"conversation {pair}: {who} could not read its history: {ex.Message}");
                    return null;
                }
            }
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
