using System.CommandLine;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Reporting;
using LiveChat.LoadTests.Scenarios;
using LiveChat.LoadTests.Targets;
using Spectre.Console;

// The load suite: `chat` drives LiveChat and, in the same run, a bare SignalR relay with the same load;
// `overload` ramps the chat load past what the machine carries; `cold-start` restarts the node just before the load;
// `supervisor` times the supervisors' dashboard while the chat load runs; `chaos` runs it while Redis and nodes fail;
// `long-conversation` drives one conversation to thousands of messages; `connect-storm` brings visitors in a rush;
// `queue-burst` times assignment the moment capacity appears; `rush` is the outage rush, everyone starting a chat at once;
// `steady-queue` keeps a long queue moving; `announce` times an announcement to every connected visitor;
// `relay` is the relay itself, which the suite starts as its own process.
var display = new LiveProgress();
if (!LiveProgress.Interactive)
    AnsiConsole.Profile.Width = 200; // a log has no width: keep the result tables whole rather than wrapped at 80 columns
var conversations = new Option<int>("--conversations") { Description = "visitor–agent conversations open at once", DefaultValueFactory = _ => 100 };
var capacity = new Option<int>("--capacity") { Description = "chats each agent carries", DefaultValueFactory = _ => 5 };
var rate = new Option<int>("--rate") { Description = "messages per second, both directions together", DefaultValueFactory = _ => 200 };
var duration = new Option<int>("--duration") { Description = "seconds measured", DefaultValueFactory = _ => 30 };
var warmUp = new Option<int>("--warmup") { Description = "seconds of load before measuring", DefaultValueFactory = _ => 5 };
var output = new Option<string>("--out") { Description = "folder for this run's reports", DefaultValueFactory = _ => Path.Combine("reports", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss")) };
var noBaseline = new Option<bool>("--no-baseline") { Description = "skip the bare relay" };
var redis = new Option<string?>("--redis") { Description = "run the LiveChat node on this Redis (loopback only), e.g. 127.0.0.1:6379; the embedded default when omitted" };
var p99Ratio = new Option<double?>("--p99-ratio") { Description = "fail when LiveChat's delivery p99 exceeds the relay's times this" };
var maxLost = new Option<long?>("--max-lost") { Description = "fail when more messages than this are lost, duplicated or out of order" };
var nodes = new Option<int>("--nodes") { Description = $"LiveChat nodes, 1 to {LiveChatBackend.MaxNodes}, clients spread over them round-robin; more than one share --redis, or a redis-server the suite starts", DefaultValueFactory = _ => 1 };
var load = LoadOption(null, "load simulation: inject:R/s (the default, at --rate), ramp:A-B/s, keep-constant:N or ramp:A-B (users); see the README");

var chat = new Command("chat", "conversations exchanging messages both ways, at a fixed rate or shaped by --load") { conversations, capacity, rate, load, duration, warmUp, output, noBaseline, redis, nodes, p99Ratio, maxLost };
chat.SetAction(async (parse, cancellationToken) =>
{
    if (ReadChatSettings(parse, conversations, rate, load, parse.GetValue(warmUp), parse.GetValue(duration), TimeSpan.FromSeconds(10)) is not { } settings
        || !LoopbackOnly(parse) || !NodeCount(parse))
        return 2;

    var results = new List<ScenarioResult>();
    var notes = new List<string>();
    await using var ownRedis = await RedisForNodes(parse);
    await using (var liveChat = await LiveChatBackend.StartAsync(AgentsFor(settings), settings.Capacity, parse.GetValue(redis) ?? ownRedis?.Address, nodes: parse.GetValue(nodes)))
    {
        results.Add(await display.WatchAsync(liveChat.Name, stats => ChatScenario.RunAsync(liveChat, settings, stats, Progress, cancellationToken)));
        notes.AddRange(NodesNote(liveChat, settings, ownRedis));
    }
    if (!parse.GetValue(noBaseline))
    {
        await using var relay = await RelayBackend.StartAsync();
        results.Add(await display.WatchAsync(relay.Name, stats => ChatScenario.RunAsync(relay, settings, stats, Progress, cancellationToken)));
    }

    var verdicts = Thresholds.Check(results, parse.GetValue(p99Ratio), parse.GetValue(maxLost));
    var folder = await Report.WriteAsync(parse.GetValue(output)!, "chat", settings, results, notes, verdicts.Select(v => v.Text).ToList());
    Thresholds.Print(results);
    return Finish(verdicts, folder);
});

var overloadConversations = new Option<int>("--conversations") { Description = "visitor–agent conversations open at once", DefaultValueFactory = _ => 2000 };
var overloadLoad = LoadOption(new LoadSimulation(OpenLoop: true, 1000, 10_000), "load simulation, a rate that rises past what this machine carries; see the README");
var overloadDuration = new Option<int>("--duration") { Description = "seconds measured (the ramp's length)", DefaultValueFactory = _ => 60 };
var overloadDrain = new Option<int>("--drain") { Description = "seconds to wait after the last send for the backlog to arrive", DefaultValueFactory = _ => 60 };
var overload = new Command("overload", "LiveChat alone under a chat load that rises past what the machine carries: latency may grow, nothing may be lost") { overloadConversations, capacity, overloadLoad, overloadDuration, warmUp, overloadDrain, output, redis, nodes, maxLost };
overload.SetAction(async (parse, cancellationToken) =>
{
    if (ReadChatSettings(parse, overloadConversations, null, overloadLoad, parse.GetValue(warmUp), parse.GetValue(overloadDuration), TimeSpan.FromSeconds(parse.GetValue(overloadDrain))) is not { } settings
        || !LoopbackOnly(parse) || !NodeCount(parse))
        return 2;

    ScenarioResult result;
    var notes = new List<string>();
    await using var ownRedis = await RedisForNodes(parse);
    await using (var liveChat = await LiveChatBackend.StartAsync(AgentsFor(settings), settings.Capacity, parse.GetValue(redis) ?? ownRedis?.Address, nodes: parse.GetValue(nodes)))
    {
        result = await display.WatchAsync(liveChat.Name, stats => ChatScenario.RunAsync(liveChat, settings, stats, Progress, cancellationToken));
        notes.AddRange(NodesNote(liveChat, settings, ownRedis));
    }

    var verdicts = Thresholds.Check([result], p99Ratio: null, parse.GetValue(maxLost));
    var folder = await Report.WriteAsync(parse.GetValue(output)!, "overload", settings, [result], [.. notes, .. CarryingCapacity.Describe(result)], verdicts.Select(v => v.Text).ToList());
    Thresholds.Print([result]);
    return Finish(verdicts, folder);
});

var coldConversations = new Option<int>("--conversations") { Description = "visitor–agent conversations open at once", DefaultValueFactory = _ => 1000 };
var coldRate = new Option<int>("--rate") { Description = "messages per second, both directions together", DefaultValueFactory = _ => 1000 };
var coldDuration = new Option<int>("--duration") { Description = "seconds measured, from the first send after the restart", DefaultValueFactory = _ => 20 };
var coldRedis = new Option<string?>("--redis") { Description = "the Redis (loopback only) to restart the node on; by default the suite starts a redis-server of its own" };
var coldStart = new Command("cold-start", "opens the conversations, restarts the node on Redis, then sends at once: the first messages activate their grains from storage") { coldConversations, capacity, coldRate, load, coldDuration, output, coldRedis, maxLost };
coldStart.SetAction(async (parse, cancellationToken) =>
{
    // No warm-up: the first seconds after the restart are the point.
    if (ReadChatSettings(parse, coldConversations, coldRate, load, 0, parse.GetValue(coldDuration), TimeSpan.FromSeconds(30)) is not { } settings || !LoopbackOnly(parse, coldRedis))
        return 2;

    // Conversations outlive a node only on Redis: the one given, or one the suite starts for this run.
    await using var ownRedis = parse.GetValue(coldRedis) is null ? await RedisServer.StartNewAsync(fsyncAlways: false, whoNeedsIt: "cold-start and --nodes without --redis") : null;
    var restart = (NodeReady: TimeSpan.Zero, Reconnected: TimeSpan.Zero);
    ScenarioResult result;
    await using (var liveChat = await LiveChatBackend.StartAsync(AgentsFor(settings), settings.Capacity, parse.GetValue(coldRedis) ?? ownRedis!.Address))
        result = await display.WatchAsync(liveChat.Name, stats => ChatScenario.RunAsync(liveChat, settings, stats, Progress, cancellationToken, beforeLoad: async () =>
        {
            Progress($"{liveChat.Name}: killing the node and starting a fresh one on the same Redis");
            restart = await liveChat.RestartAsync(cancellationToken);
            Progress($"{liveChat.Name}: new node ready in {restart.NodeReady.TotalSeconds:0.0} s, clients reconnected in {restart.Reconnected.TotalSeconds:0.0} s");
        }));

    var verdicts = Thresholds.Check([result], p99Ratio: null, parse.GetValue(maxLost));
    string[] notes =
    [
        FormattableString.Invariant($"After the conversations were opened, the node was killed and a fresh node started on the same Redis, ready in {restart.NodeReady.TotalSeconds:0.0} s; ") +
        FormattableString.Invariant($"{settings.Conversations + AgentsFor(settings)} clients reconnected in {restart.Reconnected.TotalSeconds:0.0} s. The load began at once, with no warm-up, ") +
        "so the first message of each conversation activated its grain from storage.",
    ];
    var folder = await Report.WriteAsync(parse.GetValue(output)!, "cold-start", settings, [result], notes, verdicts.Select(v => v.Text).ToList());
    Thresholds.Print([result]);
    return Finish(verdicts, folder);
});

var supervisorCount = new Option<int>("--supervisors") { Description = "supervisors connected to /hubs/supervisor", DefaultValueFactory = _ => 5 };
var maxDashboardLag = new Option<double?>("--max-dashboard-lag-ms") { Description = "fail when the p99 lag of the dashboard's updates exceeds this many ms" };
var supervisor = new Command("supervisor", "supervisors watch the dashboard while the chat load runs: how long a visitor's arrival and leaving take to show") { conversations, capacity, rate, load, duration, warmUp, supervisorCount, output, redis, nodes, maxDashboardLag, maxLost };
supervisor.SetAction(async (parse, cancellationToken) =>
{
    if (ReadChatSettings(parse, conversations, rate, load, parse.GetValue(warmUp), parse.GetValue(duration), TimeSpan.FromSeconds(10)) is not { } settings
        || !LoopbackOnly(parse) || !NodeCount(parse))
        return 2;
    var count = parse.GetValue(supervisorCount);
    if (count is < 1 or > 100)
    {
        Console.Error.WriteLine("supervisors must be from 1 to 100");
        return 2;
    }

    (ScenarioResult Chat, DashboardResult Dashboard) result;
    var notes = new List<string>();
    await using var ownRedis = await RedisForNodes(parse);
    await using (var liveChat = await LiveChatBackend.StartAsync(AgentsFor(settings), settings.Capacity, parse.GetValue(redis) ?? ownRedis?.Address, supervisors: count, nodes: parse.GetValue(nodes)))
    {
        result = await display.WatchAsync(liveChat.Name, stats => SupervisorScenario.RunAsync(liveChat, settings, count, stats, Progress, cancellationToken));
        notes.AddRange(NodesNote(liveChat, settings, ownRedis));
    }

    var verdicts = Thresholds.Check([result.Chat], p99Ratio: null, parse.GetValue(maxLost)).Concat(Thresholds.Check(result.Dashboard, parse.GetValue(maxDashboardLag))).ToList();
    var folder = await Report.WriteAsync(parse.GetValue(output)!, "supervisor", settings, [result.Chat], notes, verdicts.Select(v => v.Text).ToList(), result.Dashboard);
    Thresholds.Print([result.Chat]);
    Thresholds.Print(result.Dashboard);
    return Finish(verdicts, folder);
});

var messages = new Option<int>("--messages") { Description = "messages in the one conversation", DefaultValueFactory = _ => 10_000 };
var longRate = new Option<int>("--rate") { Description = "messages per second", DefaultValueFactory = _ => 500 };
var maxGrowth = new Option<double?>("--max-growth") { Description = "fail when the last hundred's p99 exceeds the first hundred's times this" };
var longConversation = new Command("long-conversation", "one conversation driven to many thousands of messages: the last hundred against the first") { messages, longRate, maxGrowth, output, maxLost, redis };
longConversation.SetAction(async (parse, cancellationToken) =>
{
    var count = parse.GetValue(messages);
    if (count is < 200 or > 1_000_000 || parse.GetValue(longRate) < 1)
    {
        Console.Error.WriteLine("messages must be from 200 to 1000000, and rate at least 1");
        return 2;
    }
    if (!LoopbackOnly(parse))
        return 2;
    LongConversationResult result;
    await using (var liveChat = await LiveChatBackend.StartAsync(agents: 1, capacity: 1, parse.GetValue(redis)))
        result = await LongConversationScenario.RunAsync(liveChat, count, parse.GetValue(longRate),
            Progress, cancellationToken);
    var verdicts = Thresholds.Check(result, parse.GetValue(maxGrowth), parse.GetValue(maxLost));
    var folder = await Report.WriteAsync(parse.GetValue(output)!, result, verdicts.Select(v => v.Text).ToList());
    return Finish(verdicts, folder);
});

var visitors = new Option<int>("--visitors") { Description = "visitors who arrive", DefaultValueFactory = _ => 1000 };
var within = new Option<double>("--within") { Description = "seconds over which they arrive", DefaultValueFactory = _ => 10 };
var stormAgents = new Option<int>("--agents") { Description = "agents online (capacity 5 each), so the rest queue", DefaultValueFactory = _ => 10 };
var connectOnly = new Option<bool>("--connect-only") { Description = "visitors only connect (no conversation), to measure held idle connections" };
var hold = new Option<int>("--hold") { Description = "seconds to hold the connections open after the last arrival", DefaultValueFactory = _ => 0 };
var stormBaseline = new Option<bool>("--baseline") { Description = "with --connect-only: the bare relay then holds as many idle connections (up to one client process's), measured the same way" };
var connectStorm = new Command("connect-storm", "visitors arrive within a few seconds: time to session, connect, start and first queue position") { visitors, within, stormAgents, connectOnly, hold, output, redis, nodes, stormBaseline };
connectStorm.SetAction(async (parse, cancellationToken) =>
{
    var count = parse.GetValue(visitors);
    var seconds = parse.GetValue(within);
    if (count is < 1 or > 100_000 || seconds is <= 0 or > 600 || parse.GetValue(stormAgents) < 0 || parse.GetValue(hold) is < 0 or > 3600)
    {
        Console.Error.WriteLine("visitors must be from 1 to 100000, within from 0 to 600 seconds, agents 0 or more, hold from 0 to 3600 seconds");
        return 2;
    }
    if (!LoopbackOnly(parse) || !NodeCount(parse))
        return 2;
    // A node holds a socket per visitor, and so does a client process (at most StormVisitors.PerProcess of them), and a
    // process here may keep only so many files open (ulimit -n), its own files (about 400 for a node) among them.
    var perNode = (count + parse.GetValue(nodes) - 1) / parse.GetValue(nodes);
    var processes = StormVisitors.ProcessesFor(count);
    var perProcess = (count + processes - 1) / processes;
    var sockets = StormVisitors.OpenFilesLimit() - 600;
    if (Math.Max(perNode, perProcess) > sockets)
    {
        Console.Error.WriteLine($"{perNode} visitors a node and {perProcess} a client process, but a process here may keep only {sockets + 600} files open " +
            $"(ulimit -n), sockets included: give --nodes {(count + sockets - 1) / Math.Max(1, sockets)} or more (with --redis), or raise the limit");
        return 2;
    }
    await using var ownRedis = await RedisForNodes(parse);
    ConnectStormResult result;
    await using (var liveChat = await LiveChatBackend.StartAsync(Math.Max(1, parse.GetValue(stormAgents)), 5, parse.GetValue(redis) ?? ownRedis?.Address,
                     nodes: parse.GetValue(nodes)))
        result = await ConnectStormScenario.RunAsync(liveChat, count, TimeSpan.FromSeconds(seconds), parse.GetValue(stormAgents),
            parse.GetValue(connectOnly), TimeSpan.FromSeconds(parse.GetValue(hold)), Progress, cancellationToken);
    var baseline = "";
    if (parse.GetValue(stormBaseline) && parse.GetValue(connectOnly))
    {
        var relayCount = Math.Min(count, StormVisitors.PerProcess);
        var (relayKb, relayStill) = await ConnectStormScenario.RelayIdleAsync(relayCount, TimeSpan.FromSeconds(seconds * relayCount / count),
            TimeSpan.FromSeconds(parse.GetValue(hold)), Progress, cancellationToken);
        baseline = $" The bare relay, the same way: {relayKb:0.0} KB per idle connection ({relayStill} of {relayCount} held).";
    }
    var verdicts = new List<Verdict>
    {
        new(result.Failed == 0, $"{result.Failed} of {result.Visitors} visitors failed to get through"),
        new(result.PositionsConsistent, $"{result.Queued} queued visitors' positions {(result.PositionsConsistent ? "are" : "are NOT")} 1..{result.Queued}, each once; {result.Assigned} assigned at once"),
        new(result.StillConnected == count - result.Failed, $"{result.StillConnected} connections still open at the end"),
    };
    var folder = await Report.WriteStepsAsync(parse.GetValue(output)!, "connect-storm",
        $"{result.Visitors} visitors arriving within {seconds:0.#} s{(parse.GetValue(connectOnly) ? " (connect only)" : "")}, {parse.GetValue(stormAgents)} agents online, " +
        $"{parse.GetValue(nodes)} node(s), clients in {result.ClientProcesses} process(es); server peak memory {result.PeakMemoryMb:0} MB, " +
        $"{result.MemoryPerIdleConnectionKb:0.0} KB per idle connection ({result.ColdMemoryPerIdleConnectionKb:0.0} KB counted from the node as started, before its warm-up).{baseline}",
        result.Steps, verdicts.Select(v => v.Text).ToList());
    return Finish(verdicts, folder);
});

// One client process's share of a connect-storm, started by the suite itself: see StormClientProcess.
var stormUrls = new Option<string>("--urls") { Description = "the nodes' base addresses, comma-separated (loopback only)", Required = true };
var stormProcess = new Option<int>("--process") { Description = "this process's number, 0 being the suite's own" };
var stormProcesses = new Option<int>("--processes") { Description = "client processes in the storm" };
var stormStartAt = new Option<long>("--start-at") { Description = "when the storm's schedule starts, Unix milliseconds" };
var stormClients = new Command("storm-clients", "one client process's share of a connect-storm (started by connect-storm)")
    { visitors, within, connectOnly, stormUrls, stormProcess, stormProcesses, stormStartAt };
stormClients.Hidden = true;
stormClients.SetAction(async (parse, cancellationToken) =>
{
    var urls = parse.GetValue(stormUrls)!.Split(',').Select(u => new Uri(u)).ToList();
    if (urls.Any(u => !u.IsLoopback))
    {
        Console.Error.WriteLine("storm-clients connects to loopback addresses only");
        return 2;
    }
    await using var share = new StormVisitors(urls, parse.GetValue(stormProcess), parse.GetValue(stormProcesses), parse.GetValue(visitors),
        TimeSpan.FromSeconds(parse.GetValue(within)), parse.GetValue(connectOnly));
    var result = await share.ArriveAsync(DateTimeOffset.FromUnixTimeMilliseconds(parse.GetValue(stormStartAt)), cancellationToken);
    Console.WriteLine("result " + System.Text.Json.JsonSerializer.Serialize(result, StormShare.Json));
    while (await Console.In.ReadLineAsync(cancellationToken) is { } line)
        if (line == "count")
            Console.WriteLine($"connected {share.StillConnected}");
    return 0;
});

var burstVisitors = new Option<int>("--visitors") { Description = "visitors who arrive", DefaultValueFactory = _ => 500 };
var burstAgents = new Option<int>("--agents") { Description = "agents online, one chat each", DefaultValueFactory = _ => 5 };
var queueBurst = new Command("queue-burst", "visitors arrive faster than agents free up: time from capacity appearing to assignment") { burstVisitors, burstAgents, within, output, redis };
queueBurst.SetAction(async (parse, cancellationToken) =>
{
    var count = parse.GetValue(burstVisitors);
    var agentCount = parse.GetValue(burstAgents);
    var seconds = parse.GetValue(within);
    if (count is < 1 or > 20_000 || agentCount is < 1 or > 1000 || seconds is <= 0 or > 600)
    {
        Console.Error.WriteLine("visitors must be from 1 to 20000, agents from 1 to 1000, within from 0 to 600 seconds");
        return 2;
    }
    if (!LoopbackOnly(parse))
        return 2;
    QueueBurstResult result;
    await using (var liveChat = await LiveChatBackend.StartAsync(agentCount, capacity: 1, parse.GetValue(redis)))
        result = await QueueBurstScenario.RunAsync(liveChat, count, agentCount, TimeSpan.FromSeconds(seconds), Progress, cancellationToken);
    var verdicts = new List<Verdict>
    {
        new(result.Failed == 0, $"{result.Failed} of {result.Visitors} visitors failed to start"),
        new(result.Assigned == result.Visitors - result.Failed, $"{result.Assigned} of {result.Visitors - result.Failed} conversations assigned"),
        new(result.AssignedTwice == 0 && result.OverCapacity == 0, $"{result.AssignedTwice} assigned twice, {result.OverCapacity} times an agent was given a chat beyond their limit"),
    };
    var folder = await Report.WriteStepsAsync(parse.GetValue(output)!, "queue-burst",
        $"{result.Visitors} visitors arriving within {seconds:0.#} s for {result.Agents} agents of one chat each; each agent closes its chat at once.",
        [("capacity appears to next assignment", result.CapacityToAssignment)], verdicts.Select(v => v.Text).ToList());
    return Finish(verdicts, folder);
});

var rushVisitors = new Option<int>("--visitors") { Description = "visitors who rush in, from 1 to 20000", DefaultValueFactory = _ => 3000 };
var rushAgents = new Option<int>("--agents") { Description = "agents online (5 chats each, which they keep); 0 is a queue nobody serves yet", DefaultValueFactory = _ => 0 };
var maxStartP99 = new Option<double?>("--max-p99-ms") { Description = "fail when StartConversation's p99 exceeds this many ms (the issue's target: 250 at 3000 within 10 s)" };
var maxSliceRatio = new Option<double?>("--max-slice-ratio") { Description = "fail when the last 200 arrivals' StartConversation p99 exceeds the first 200's times this (the issue's target: 2)" };
var rush = new Command("rush", "the outage rush: visitors all start a conversation within seconds; the last arrivals against the first, and every place held once") { rushVisitors, within, rushAgents, output, redis, maxStartP99, maxSliceRatio };
rush.SetAction(async (parse, cancellationToken) =>
{
    var count = parse.GetValue(rushVisitors);
    var seconds = parse.GetValue(within);
    var agentCount = parse.GetValue(rushAgents);
    if (count is < 1 or > 20_000 || seconds is <= 0 or > 600 || agentCount is < 0 or > 1000)
    {
        Console.Error.WriteLine("visitors must be from 1 to 20000, within from 0 to 600 seconds, agents from 0 to 1000");
        return 2;
    }
    if (!LoopbackOnly(parse))
        return 2;
    RushResult result;
    // The supervisor brings the queue nobody serves, where the warm-up's visitors wait.
    await using (var liveChat = await LiveChatBackend.StartAsync(agentCount, capacity: 5, parse.GetValue(redis), supervisors: 1))
        result = await RushScenario.RunAsync(liveChat, count, TimeSpan.FromSeconds(seconds), agentCount, Progress, cancellationToken);
    var verdicts = Thresholds.Check(result, parse.GetValue(maxStartP99), parse.GetValue(maxSliceRatio));
    var folder = await OutageRushReport.WriteAsync(parse.GetValue(output)!, result, verdicts.Select(v => v.Text).ToList());
    OutageRushReport.Print(result);
    return Finish(verdicts, folder);
});

var steadyWaiting = new Option<int>("--visitors") { Description = "visitors kept waiting in the queue", DefaultValueFactory = _ => 1000 };
var steadyAgents = new Option<int>("--agents") { Description = "agents online, one chat each", DefaultValueFactory = _ => 10 };
var assignmentRate = new Option<int>("--rate") { Description = "assignments a second: the agents close this many chats a second between them, and as many visitors arrive", DefaultValueFactory = _ => 50 };
var steadyDuration = new Option<int>("--duration") { Description = "seconds the queue moves, measured", DefaultValueFactory = _ => 30 };
var maxArrivalP99 = new Option<double?>("--max-p99-ms") { Description = "fail when the p99 of StartConversation while the queue moves exceeds this many ms" };
var maxPushRate = new Option<double?>("--max-push-rate") { Description = "fail when the waiting visitors together receive more position pushes than this in any one second" };
var steadyQueue = new Command("steady-queue", "a long queue that keeps moving: position pushes a second stay bounded, nobody is pushed back or lost")
{
    steadyWaiting, steadyAgents, assignmentRate, steadyDuration, output, redis, maxArrivalP99, maxPushRate,
};
steadyQueue.SetAction(async (parse, cancellationToken) =>
{
    var waiting = parse.GetValue(steadyWaiting);
    var agentCount = parse.GetValue(steadyAgents);
    var perSecond = parse.GetValue(assignmentRate);
    var seconds = parse.GetValue(steadyDuration);
    if (waiting is < 1 or > 20_000 || agentCount is < 1 or > 1000 || perSecond is < 1 or > 1000 || seconds is < 1 or > 600)
    {
        Console.Error.WriteLine("visitors must be from 1 to 20000, agents from 1 to 1000, rate from 1 to 1000, duration from 1 to 600 seconds");
        return 2;
    }
    if (waiting + agentCount + (long)perSecond * seconds > 20_000)
    {
        Console.Error.WriteLine($"the run would bring {waiting + agentCount + (long)perSecond * seconds} visitors (visitors + agents + rate × duration), more than 20000; lower --rate or --duration");
        return 2;
    }
    if (!LoopbackOnly(parse))
        return 2;
    SteadyQueueResult result;
    await using (var liveChat = await LiveChatBackend.StartAsync(agentCount, capacity: 1, parse.GetValue(redis)))
        result = await SteadyQueueScenario.RunAsync(liveChat, waiting, agentCount, perSecond, TimeSpan.FromSeconds(seconds), Progress, cancellationToken);
    var verdicts = Thresholds.Check(result, parse.GetValue(maxArrivalP99), parse.GetValue(maxPushRate));
    var folder = await OutageRushReport.WriteAsync(parse.GetValue(output)!, result, verdicts.Select(v => v.Text).ToList());
    OutageRushReport.Print(result);
    return Finish(verdicts, folder);
});

var listeners = new Option<int>("--visitors") { Description = "visitors connected when the announcement is published, from 1 to 20000", DefaultValueFactory = _ => 10_000 };
var announceWait = new Option<int>("--wait") { Description = "seconds after the publish call within which every visitor must have the announcement", DefaultValueFactory = _ => 30 };
var maxAnnounceP99 = new Option<double?>("--max-p99-ms") { Description = "fail when the p99 from the publish call to a visitor's push exceeds this many ms (the issue's target: 2000 at 10000 visitors)" };
var announce = new Command("announce", "a supervisor publishes an announcement to every connected visitor: time from the call to each visitor's push") { listeners, announceWait, output, redis, maxAnnounceP99 };
announce.SetAction(async (parse, cancellationToken) =>
{
    var count = parse.GetValue(listeners);
    var wait = parse.GetValue(announceWait);
    if (count is < 1 or > 20_000 || wait is < 1 or > 600)
    {
        Console.Error.WriteLine("visitors must be from 1 to 20000, wait from 1 to 600 seconds");
        return 2;
    }
    if (!LoopbackOnly(parse))
        return 2;
    AnnounceResult result;
    await using (var liveChat = await LiveChatBackend.StartAsync(agents: 0, capacity: 1, parse.GetValue(redis), supervisors: 1))
        result = await AnnounceScenario.RunAsync(liveChat, count, TimeSpan.FromSeconds(wait), Progress, cancellationToken);
    await using (var relay = await RelayBackend.StartAsync())
    {
        var (relayDelivery, relayNever) = await AnnounceScenario.RunRelayAsync(relay, count, TimeSpan.FromSeconds(wait), Progress, cancellationToken);
        result = result with { RelayDelivery = relayDelivery, RelayNever = relayNever };
    }
    var verdicts = Thresholds.Check(result, parse.GetValue(maxAnnounceP99));
    var folder = await OutageRushReport.WriteAsync(parse.GetValue(output)!, result, verdicts.Select(v => v.Text).ToList());
    OutageRushReport.Print(result);
    return Finish(verdicts, folder);
});

var chaosConversations = new Option<int>("--conversations") { Description = "visitor–agent conversations open at once", DefaultValueFactory = _ => 50 };
var chaosRate = new Option<int>("--rate") { Description = "messages per second, both directions together", DefaultValueFactory = _ => 100 };
var chaosDuration = new Option<int>("--duration") { Description = "seconds after the warm-up that the faults fall in; the load ends when the last fault is over", DefaultValueFactory = _ => 90 };
var faultCount = new Option<int>("--faults") { Description = "faults in the run, at most (fewer when --duration is over first)", DefaultValueFactory = _ => 8 };
var faultSpacing = new Option<string>("--fault-spacing") { Description = "seconds from one fault's start to the next's, drawn from A-B", DefaultValueFactory = _ => "6-8" };
var faultLength = new Option<double>("--fault-length") { Description = "seconds a fault lasts: replies lost or Redis paused, or Redis or a node down before it is started again", DefaultValueFactory = _ => 3 };
var faultKinds = new Option<string?>("--kinds") { Description = "the faults to cycle through, in order: lose-replies,pause,kill-redis,kill-node (default: all this run can do)" };
var settle = new Option<double>("--settle") { Description = "seconds after each fault that still count as during it, for the latency outside the faults", DefaultValueFactory = _ => 2 };
var seed = new Option<int?>("--seed") { Description = "seed of the fault spacing, to repeat a run (default: a new one, printed in the report)" };
var chaosRedis = new Option<string?>("--redis") { Description = "the Redis (loopback only) the nodes use; by default the suite starts its own redis-server, the only one it kills" };
var appendFsync = new Option<string>("--appendfsync") { Description = "appendfsync of the suite's own redis-server: always or everysec", DefaultValueFactory = _ => "always" };
var chaosMaxLost = new Option<long>("--max-lost") { Description = "fail when more acknowledged messages than this are lost", DefaultValueFactory = _ => 0 };
var maxDuplicated = new Option<long>("--max-duplicated") { Description = "fail when more messages than this are duplicated", DefaultValueFactory = _ => 0 };
var maxOutOfOrder = new Option<long>("--max-out-of-order") { Description = "fail when more messages than this are out of order", DefaultValueFactory = _ => 0 };
var maxStuck = new Option<long>("--max-stuck") { Description = "fail when more conversations than this are stuck", DefaultValueFactory = _ => 0 };
var maxUnheld = new Option<long>("--max-unheld") { Description = "fail when more conversations than this are held by no one", DefaultValueFactory = _ => 0 };
var maxStall = new Option<double>("--max-stall") { Description = "fail when a send waits this many seconds or more for its acknowledgement", DefaultValueFactory = _ => 10 };
var maxP99 = new Option<double?>("--max-p99-ms") { Description = "fail when the p99 ack latency outside the faults exceeds this many ms" };
var chaos = new Command("chaos", "the chat load while Redis loses replies, pauses and is killed, and nodes are killed: nothing lost, nothing stuck")
{
    chaosConversations, capacity, chaosRate, warmUp, chaosDuration, faultCount, faultSpacing, faultLength, faultKinds, settle, seed, output, chaosRedis, appendFsync, nodes,
    chaosMaxLost, maxDuplicated, maxOutOfOrder, maxStuck, maxUnheld, maxStall, maxP99,
};
chaos.SetAction(async (parse, cancellationToken) =>
{
    if (!LoopbackOnly(parse, chaosRedis) || !NodeCount(parse))
        return 2;
    if (parse.GetValue(appendFsync) is not ("always" or "everysec") || parse.GetValue(maxStall) <= 0)
    {
        Console.Error.WriteLine("--appendfsync must be always or everysec, and --max-stall above 0");
        return 2;
    }
    if (ChaosSettings.Read(parse.GetValue(chaosConversations), parse.GetValue(capacity), parse.GetValue(chaosRate), parse.GetValue(warmUp), parse.GetValue(chaosDuration),
        parse.GetValue(faultCount), parse.GetValue(faultSpacing)!, parse.GetValue(faultLength), parse.GetValue(faultKinds), parse.GetValue(settle), parse.GetValue(seed),
        FaultInjector.Possible(ownRedis: parse.GetValue(chaosRedis) is null, parse.GetValue(nodes)), out var refusal) is not { } settings)
    {
        Console.Error.WriteLine(refusal);
        return 2;
    }
    var folder = parse.GetValue(output)!;
    Directory.CreateDirectory(folder);
    using var log = new TimestampedLog(Path.Combine(folder, "events.log"));
    // Bounded whatever happens: the faults, the last round, the reading back and a margin.
    using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    bounded.CancelAfter(settings.WarmUp + settings.Duration + TimeSpan.FromMinutes(5));

    var given = parse.GetValue(chaosRedis);
    await using var ownRedis = given is null
        ? await RedisServer.StartNewAsync(fsyncAlways: parse.GetValue(appendFsync) == "always", whoNeedsIt: "chaos without --redis")
        : null;
    var redisAddress = given ?? ownRedis!.Address;
    var redisEndpoint = StackExchange.Redis.ConfigurationOptions.Parse(redisAddress).EndPoints[0];
    // Every node reaches Redis through the proxy, which loses its replies when told; the suite's own checks go direct.
    await using var proxy = redisEndpoint switch
    {
        System.Net.IPEndPoint ip => new FaultProxy(ip.Address.ToString(), ip.Port),
        System.Net.DnsEndPoint dns => new FaultProxy("127.0.0.1", dns.Port),
        _ => throw new InvalidOperationException($"cannot reach Redis at {redisAddress}"),
    };
    ChaosResult result;
    var nodeCount = parse.GetValue(nodes);
    await using (var liveChat = await LiveChatBackend.StartAsync(settings.Agents, settings.Capacity, proxy.Address, nodes: nodeCount, logFolder: folder, personLimits: true))
    {
        void Event(string line)
        {
            log.Write(line);
            Progress(line);
        }
        var injector = new FaultInjector(proxy, ownRedis, redisAddress, liveChat, Event);
        result = await display.WatchAsync(liveChat.Name, stats => ChaosScenario.RunAsync(liveChat, injector, settings, stats, Event, log.Write, bounded.Token));
    }

    var verdicts = Thresholds.Check(result, new ChaosTargets(parse.GetValue(chaosMaxLost), parse.GetValue(maxDuplicated), parse.GetValue(maxOutOfOrder),
        parse.GetValue(maxStuck), parse.GetValue(maxUnheld), TimeSpan.FromSeconds(parse.GetValue(maxStall)), parse.GetValue(maxP99)));
    var notes = ChaosReport.Setup(given, parse.GetValue(appendFsync)!, nodeCount);
    await ChaosReport.WriteAsync(folder, result, [notes], verdicts.Select(v => v.Text).ToList());
    Thresholds.Print(result);
    return Finish(verdicts, folder);
});

var port = new Option<int>("--port") { Required = true };
var relayCommand = new Command("relay", "run the bare SignalR relay (the baseline) on 127.0.0.1") { port };
relayCommand.SetAction(async parse => await RelayServer.RunAsync(parse.GetValue(port)));

var root = new RootCommand("LiveChat load suite") { chat, overload, coldStart, supervisor, chaos, longConversation, connectStorm, stormClients, queueBurst, rush, steadyQueue, announce, relayCommand };
return await root.Parse(args).InvokeAsync();

void Progress(string line) => display.Line(line);

// --load, read into a LoadSimulation; a bad value is a parse error that names the accepted forms.
static Option<LoadSimulation?> LoadOption(LoadSimulation? byDefault, string description) => new("--load")
{
    Description = description,
    DefaultValueFactory = _ => byDefault,
    CustomParser = result =>
    {
        if (LoadSimulation.TryParse(result.Tokens.Single().Value, out var simulation, out var error))
            return simulation;
        result.AddError(error);
        return null;
    },
};

// The chat family's settings: --load, or inject at --rate (the two together are refused). Closed-loop users are one
// conversation each, so without --conversations a closed loop opens as many conversations as its peak users.
ChatSettings? ReadChatSettings(ParseResult parse, Option<int> conversationsOption, Option<int>? rateOption, Option<LoadSimulation?> loadOption,
    int warmUpSeconds, int durationSeconds, TimeSpan drain)
{
    var simulation = parse.GetValue(loadOption);
    if (rateOption is not null && parse.GetResult(rateOption) is { Implicit: false } && parse.GetResult(loadOption) is { Implicit: false })
        return Refuse("give --rate or --load, not both: --rate R is --load inject:R/s");
    if (simulation is null && rateOption is not null)
    {
        if (parse.GetValue(rateOption) is < 1 or > LoadSimulation.MaxRate)
            return Refuse($"rate must be from 1 to {LoadSimulation.MaxRate}");
        simulation = LoadSimulation.Inject(parse.GetValue(rateOption));
    }
    var conversationCount = simulation!.OpenLoop || parse.GetResult(conversationsOption) is { Implicit: false }
        ? parse.GetValue(conversationsOption) : simulation.PeakUsers;
    var settings = new ChatSettings(conversationCount, parse.GetValue(capacity), simulation,
        TimeSpan.FromSeconds(warmUpSeconds), TimeSpan.FromSeconds(durationSeconds), drain);

    if (settings.Conversations is < 1 or > 20_000 || settings.Capacity < 1 || settings.Duration <= TimeSpan.Zero || settings.Duration > TimeSpan.FromHours(1)
        || settings.WarmUp < TimeSpan.Zero || settings.WarmUp > TimeSpan.FromMinutes(10) || drain > TimeSpan.FromMinutes(10))
        return Refuse("conversations must be from 1 to 20000, capacity at least 1, duration from 1 s to 1 hour, warm-up and drain at most 10 minutes");
    if (!simulation.OpenLoop && settings.Conversations < simulation.PeakUsers)
        return Refuse($"--load {simulation} needs a conversation per user: --conversations {simulation.PeakUsers} or more");
    if (simulation.TotalSends(settings.WarmUp, settings.Duration) > ChatSettings.MaxMessages)
        return Refuse($"--load {simulation} would send more than {ChatSettings.MaxMessages} messages in {warmUpSeconds + durationSeconds} s; shorten the run");
    return settings;

    static ChatSettings? Refuse(string why)
    {
        Console.Error.WriteLine(why);
        return null;
    }
}

static int AgentsFor(ChatSettings settings) => (settings.Conversations + settings.Capacity - 1) / settings.Capacity;

// Only loopback addresses may be a load target on this machine.
bool LoopbackOnly(ParseResult parse, Option<string?>? redisOption = null)
{
    if (LiveChatBackend.CheckLoopback(parse.GetValue(redisOption ?? redis)) is not { } refusal)
        return true;
    Console.Error.WriteLine(refusal);
    return false;
}

// --nodes from 1 to the most the suite starts.
bool NodeCount(ParseResult parse)
{
    if (parse.GetValue(nodes) is >= 1 and <= LiveChatBackend.MaxNodes)
        return true;
    Console.Error.WriteLine($"nodes must be from 1 to {LiveChatBackend.MaxNodes}");
    return false;
}

// Several nodes share one Redis: the one given, or a redis-server the suite starts for this run.
async Task<RedisServer?> RedisForNodes(ParseResult parse) =>
    parse.GetValue(nodes) > 1 && parse.GetValue(redis) is null ? await RedisServer.StartNewAsync(fsyncAlways: false, whoNeedsIt: "cold-start and --nodes without --redis") : null;

// What a run on several nodes adds under the settings: where the clients were and which Redis the nodes shared.
IEnumerable<string> NodesNote(LiveChatBackend liveChat, ChatSettings settings, RedisServer? ownRedis)
{
    if (liveChat.ServerProcesses.Count < 2)
        yield break;
    yield return FormattableString.Invariant($"{liveChat.ServerProcesses.Count} LiveChat nodes, each its own process, in one Orleans cluster on ") +
        (ownRedis is null ? "the Redis given" : "a redis-server the suite started") + ", which is also their grain storage and SignalR backplane. " +
        "Visitors and agents were connected round-robin over the nodes, and a visitor whose agent (the server's choice) was on its own node moved to the next; " +
        FormattableString.Invariant($"{liveChat.CrossNodeConversations} of {settings.Conversations} conversations had their visitor and agent on different nodes, ") +
        "so their messages reached the other side through the backplane. Server CPU and memory are summed over the nodes; each node's own are under Server processes.";
}

// Prints the verdicts and where the reports are; any broken threshold makes the exit code 1.
int Finish(IReadOnlyList<Verdict> verdicts, string folder)
{
    foreach (var v in verdicts)
        AnsiConsole.MarkupLine((v.Passed ? "[green]pass[/] " : "[red]FAIL[/] ") + Markup.Escape(v.Text));
    AnsiConsole.MarkupLineInterpolated($"Reports in [bold]{Path.GetFullPath(folder)}[/]");
    return verdicts.Any(v => !v.Passed) ? 1 : 0;
}
