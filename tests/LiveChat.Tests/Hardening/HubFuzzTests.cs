using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Thousands of random and malformed hub calls by a visitor, an agent and a supervisor, on every hub they may reach.
/// Afterwards: every refusal said why in words, only an over-sized frame closed a connection, no one read or changed a
/// conversation that is not theirs, the stored conversations are as they were, and the node still serves a chat.
/// Set LIVECHAT_FUZZ_SEED to repeat a run; the seed is printed.
/// </summary>
[Collection(HardeningServerCollection.Name)]
public sealed class HubFuzzTests(HardeningServer fixture, ITestOutputHelper output)
{
    // Supervisors may read any conversation; these are the calls that change nothing stored, so they may name the vault's.
    private static readonly HashSet<string> ReadOnly = ["GetMessages", "GetInternalMessages", "WatchConversation", "UnwatchConversation"];

    private static readonly string[] UnknownMethods =
        ["NoSuchMethod", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "GetType", "ToString", "Conversation", "Caller", "Context", " ", "SendMessage\0", new string('m', 300), "sendmessage"];

    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public async Task ThousandsOfHostileHubCallsAreRefusedInWordsAndChangeNothingStored()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("LIVECHAT_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"fuzz seed: {seed} (LIVECHAT_FUZZ_SEED={seed} repeats this run)");
        await using var vault = await Vault.SeedAsync(Server);
        var before = await vault.SnapshotAsync();
        var visitorSession = await Server.OpenVisitorSession("Fuzz 🐛");
        var ada = await Server.SignIn("ada");
        var sue = await Server.SignIn("sue");

        var runs = await Task.WhenAll(
            new Fuzzer("visitor on /hubs/visitor", () => Server.Hub("/hubs/visitor", visitorSession.AccessToken), HubMethods.Visitor, seed, vault.Ids, vaultReadable: false).Run(1000, output),
            new Fuzzer("agent on /hubs/agent", () => Server.Hub("/hubs/agent", ada.AccessToken), HubMethods.Agent, seed + 1, vault.Ids, vaultReadable: false).Run(800, output),
            new Fuzzer("supervisor on /hubs/supervisor", () => Server.Hub("/hubs/supervisor", sue.AccessToken), HubMethods.Supervisor, seed + 2, vault.Ids, vaultReadable: true).Run(800, output),
            new Fuzzer("supervisor on /hubs/agent", () => Server.Hub("/hubs/agent", sue.AccessToken), HubMethods.Agent, seed + 3, vault.Ids, vaultReadable: true).Run(400, output));

        foreach (var run in runs)
            output.WriteLine(run.Summary());
        foreach (var (reason, count) in runs.SelectMany(r => r.Reasons).GroupBy(r => r.Key).Select(g => (g.Key, g.Sum(r => r.Value))).OrderByDescending(r => r.Item2))
            output.WriteLine($"{count,5} × {reason}");
        foreach (var sample in runs.SelectMany(r => r.Samples))
            output.WriteLine(sample);
        Assert.Equal(3000, runs.Sum(r => r.Invocations));
        Assert.All(runs, run => Assert.True(run.Generic.Count == 0,
            $"{run.Name}: {run.Generic.Count} refusals without a reason in words, e.g.:\n{string.Join("\n", run.Generic.Distinct().Take(25))}"));
        Assert.All(runs, run => Assert.True(run.UnexpectedClosures.Count == 0,
            $"{run.Name}: the connection closed after frames that were not over 64 KiB:\n{string.Join("\n", run.UnexpectedClosures.Take(10))}"));
        Assert.All(runs, run => Assert.True(run.VaultReached.Count == 0,
            $"{run.Name}: calls on conversations that are not theirs succeeded:\n{string.Join("\n", run.VaultReached.Take(10))}"));
        Assert.All(runs, run => Assert.True(run.ClientErrors.Count == 0,
            $"{run.Name}: calls failed other than by a HubException:\n{string.Join("\n", run.ClientErrors.Take(10))}"));
        Assert.All(runs, run => Assert.True(run.Echoed.Count == 0,
            $"{run.Name}: refusals that send a huge input back:\n{string.Join("\n", run.Echoed.Take(10))}"));
        Assert.Contains(runs, run => run.OversizedClosures > 0);

        Assert.Equal(before, await vault.SnapshotAsync());
        using var http = Server.Http();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await AChatStillWorksEndToEnd(Server);
    }

    /// <summary>A new visitor and an agent chat both ways on the node, as anyone would after the fuzz.</summary>
    internal static async Task AChatStillWorksEndToEnd(LiveChatTestServer server)
    {
        await using var cal = await server.ConnectOnlineAgent("cal");
        var assigned = cal.Record<ConversationView>("ConversationAssigned");
        var received = cal.Record<ChatMessage>("MessageReceived");
        await using var visitor = await server.StartVisitorChat("Afterwards", HardeningServer.AfterQueue, "still there?");
        await assigned.Next(v => v.ConversationId == visitor.Id);
        var history = await cal.InvokeAsync<List<ChatMessage>>("GetMessages", visitor.Id, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Contains("still there?", history.Select(m => m.Text));
        await cal.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "after-1", "yes, all fine").WaitAsync(Clients.Timeout);
        Assert.Equal("yes, all fine", (await visitor.Messages.Next(m => m.SenderRole == "agent")).Text);
        await visitor.Send("after-2", "great, thanks");
        Assert.Equal("great, thanks", (await received.Next(m => m.ConversationId == visitor.Id && m.SenderRole == "visitor")).Text);
        await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
        await cal.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
    }

    private sealed class Fuzzer(string name, Func<HubConnection> connect, IReadOnlyList<MethodInfo> methods, int seed, IReadOnlyList<string> vault, bool vaultReadable)
    {
        private readonly Random _random = new(seed);
        private readonly List<string> _own = [];

        public string Name => name;
        public int Invocations { get; private set; }
        public int Succeeded { get; private set; }
        public int Worded { get; private set; }
        public int OversizedClosures { get; private set; }
        public List<string> Generic { get; } = [];
        public Dictionary<string, int> Reasons { get; } = [];
        public List<string> Samples { get; } = [];
        public List<string> Echoed { get; } = [];
        public List<string> UnexpectedClosures { get; } = [];
        public List<string> VaultReached { get; } = [];
        public List<string> ClientErrors { get; } = [];

        public async Task<Fuzzer> Run(int count, ITestOutputHelper output)
        {
            var input = new FuzzInput(_random);
            var hub = await Connect();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var method = methods[_random.Next(methods.Count)];
                    var target = _random.Next(20) == 0 ? UnknownMethods[_random.Next(UnknownMethods.Length)] : method.Name;
                    var mayNameVault = !vaultReadable || ReadOnly.Contains(target);
                    var ids = mayNameVault ? [.. _own, .. vault, "c_x"] : _own.Append("c_x").ToList();
                    var args = input.Arguments(method, ids);
                    var at = Array.FindIndex(method.GetParameters(), p => p.Name == "conversationId");
                    var namesVault = target == method.Name && at >= 0 && at < args.Length && args[at] is string id && vault.Contains(id);
                    var frame = FrameBytes(target, args);
                    Invocations++;
                    try
                    {
                        var result = await hub.InvokeCoreAsync(target, typeof(JsonElement), args).WaitAsync(Clients.Timeout);
                        Succeeded++;
                        Learn(result);
                        if (namesVault && !vaultReadable)
                            VaultReached.Add($"#{i} {target}({Show(args)}) succeeded");
                    }
                    catch (Exception failed) when (Closed(hub, failed))
                    {
                        // The client fails the pending call (with a HubException naming the close) when the server closes.
                        if (frame > 64 * 1024)
                            OversizedClosures++;
                        else
                            UnexpectedClosures.Add($"#{i} {target}({Show(args)}), a {frame}-byte frame: {failed.GetType().Name}: {failed.Message}");
                        await hub.DisposeAsync();
                        hub = await Connect();
                    }
                    catch (HubException refused)
                    {
                        if (Reason(refused.Message) is { Length: > 0 } reason)
                        {
                            if (reason.Length > 400)
                                Echoed.Add($"#{i} {target}: a {reason.Length}-character refusal: {reason[..100]}…");
                            Worded++;
                            var kind = System.Text.RegularExpressions.Regex.Replace(reason, @"(?<=: |').*$|\d+", "…");
                            Reasons[kind] = Reasons.GetValueOrDefault(kind) + 1;
                            if (reason.StartsWith("wrong arguments", StringComparison.Ordinal) && Samples.Count < 5)
                                Samples.Add($"{target}({Show(args)}) → {reason}");
                        }
                        else
                            Generic.Add($"{target}: {refused.Message}");
                    }
                    catch (Exception failed)
                    {
                        ClientErrors.Add($"#{i} {target}({Show(args)}): {failed.GetType().Name}: {failed.Message}");
                    }
                }
            }
            finally
            {
                await hub.DisposeAsync();
            }
            return this;
        }

        public string Summary() =>
            $"{name}: {Invocations} calls, {Succeeded} succeeded, {Worded} refused in words, {Generic.Count} refused without words, " +
            $"{OversizedClosures} connections closed by an over-sized frame, {UnexpectedClosures.Count} closed otherwise, {ClientErrors.Count} other errors";

        /// <summary>The words after SignalR's prefix, as docs/protocol.md tells clients to show them.</summary>
        public static string? Reason(string message)
        {
            var at = message.IndexOf("HubException: ", StringComparison.Ordinal);
            return at < 0 ? null : message[(at + "HubException: ".Length)..].Trim();
        }

        private static bool Closed(HubConnection hub, Exception failed) =>
            hub.State != HubConnectionState.Connected
            || failed.Message.Contains("closed the connection", StringComparison.Ordinal)
            || failed.Message.Contains("connection being closed", StringComparison.Ordinal);

        private async Task<HubConnection> Connect()
        {
            var hub = connect();
            await hub.StartAsync().WaitAsync(Clients.Timeout);
            return hub;
        }

        private void Learn(object? result)
        {
            if (result is not JsonElement json)
                return;
            foreach (var view in json.ValueKind == JsonValueKind.Array ? json.EnumerateArray().ToArray() : [json])
            {
                if (view.ValueKind == JsonValueKind.Object && view.TryGetProperty("conversationId", out var id) && id.GetString() is { } conversationId
                    && !vault.Contains(conversationId) && !_own.Contains(conversationId))
                    _own.Add(conversationId);
            }
        }

        private static int FrameBytes(string target, object?[] args) =>
            JsonSerializer.SerializeToUtf8Bytes(new { type = 1, invocationId = "1000", target, arguments = args }).Length;

        private static string Show(object?[] args) =>
            string.Join(", ", args.Select(a => JsonSerializer.Serialize(a) is var json && json.Length > 80 ? json[..80] + $"…({json.Length})" : json));
    }
}
