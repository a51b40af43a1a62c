using System.Reflection;

namespace LiveChat.Tests.LoadSuite;

/// <summary>
/// A few seconds of the load suite at a small load, run exactly as a person runs it. The <c>chat</c> run must deliver
/// every message exactly once, in order, to both LiveChat and the bare relay, under each kind of load simulation;
/// so must <c>chat</c> on two nodes sharing a Redis; <c>connect-storm</c> must get every visitor through; <c>overload</c> and <c>cold-start</c> must lose nothing;
/// in <c>rush</c> and <c>steady-queue</c> every waiting visitor must hold a place of their own and nobody be pushed back or lost;
/// <c>announce</c> must reach every connected visitor;
/// <c>chaos</c> must report every count its targets are set on, each zero, through lost replies, a pause and a kill of Redis;
/// in <c>supervisor</c> every supervisor must see every probe. All must write their reports.
/// Latency is not asserted here; the benchmarks in docs/performance.md are for that.
/// </summary>
public sealed class LoadSuiteSmokeTests
{
    [Fact]
    public async Task ASmallChatRunLosesNothingAndWritesItsReport()
    {
        var output = await RunSuite("chat", "--conversations", "20", "--capacity", "5", "--rate", "60", "--warmup", "1", "--duration", "3", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("LiveChat: 0 lost, 0 duplicated, 0 out of order", report);
        Assert.Contains("Bare relay: 0 lost, 0 duplicated, 0 out of order", report);
        var page = await File.ReadAllTextAsync(Path.Combine(output, "report.html"));
        Assert.Contains("<svg", page);
        Assert.Contains("LiveChat, delivery", page);
        // Every measured message was timed: 60/s for 3 s is 180 sends, and each arrived.
        var csv = await File.ReadAllLinesAsync(Path.Combine(output, "report.csv"));
        var delivery = csv.Single(l => l.StartsWith("LiveChat,delivery,", StringComparison.Ordinal)).Split(',');
        Assert.InRange(long.Parse(delivery[2]), 170, 190);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ARampingRateLosesNothingAndTheReportNamesTheSimulationAndItsTimeline()
    {
        var output = await RunSuite("chat", "--conversations", "20", "--load", "ramp:20-80/s", "--warmup", "1", "--duration", "3", "--no-baseline", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("Load simulation `ramp:20-80/s`", report);
        Assert.Contains("LiveChat: 0 lost, 0 duplicated, 0 out of order", report);
        // The measured 3 s ramp from 20/s to 80/s sends 150 messages, in one timeline slice per second.
        var csv = await File.ReadAllLinesAsync(Path.Combine(output, "report.csv"));
        var delivery = csv.Single(l => l.StartsWith("LiveChat,delivery,", StringComparison.Ordinal)).Split(',');
        Assert.InRange(long.Parse(delivery[2]), 140, 160);
        Assert.Equal(3, (await File.ReadAllLinesAsync(Path.Combine(output, "timeline.csv"))).Count(l => l.StartsWith("LiveChat,", StringComparison.Ordinal)));
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task RampingVirtualUsersEachWaitForTheirMessageAndLoseNothing()
    {
        var output = await RunSuite("chat", "--load", "ramp:2-6", "--warmup", "1", "--duration", "3", "--no-baseline", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("Load simulation `ramp:2-6`", report);
        // One conversation per user at the peak, opened without being asked for.
        Assert.Contains("6 conversations", report);
        Assert.Contains("LiveChat: 0 lost, 0 duplicated, 0 out of order", report);
        Assert.Contains("Delivery latency (send to receipt by the other side)", report);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task TwoNodesOnOneRedisCarryEveryMessageAcrossNodesAndReportEachNode()
    {
        var output = await RunSuite("chat", "--nodes", "2", "--conversations", "20", "--rate", "60", "--warmup", "1", "--duration", "3", "--no-baseline", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("LiveChat on 2 nodes: 0 lost, 0 duplicated, 0 out of order", report);
        // Every visitor is on another node than its agent, so each message crossed the backplane.
        Assert.Contains("20 of 20 conversations had their visitor and agent on different nodes", report);
        Assert.Contains("| LiveChat on 2 nodes | node 2 |", report);
        Assert.Contains("| LiveChat on 2 nodes | **sum** |", report);
        Assert.Contains("LiveChat on 2 nodes,2,", await File.ReadAllTextAsync(Path.Combine(output, "nodes.csv")));
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ASmallOverloadRunLosesNothingAndSaysWhatWasCarried()
    {
        var output = await RunSuite("overload", "--conversations", "20", "--load", "ramp:50-300/s", "--warmup", "1", "--duration", "3", "--drain", "10", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("# LiveChat load report: overload", report);
        Assert.Contains("LiveChat: 0 lost, 0 duplicated, 0 out of order", report);
        Assert.Contains("Most delivered in one slice", report);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task AColdStartRestartsTheNodeOnRedisAndLosesNothing()
    {
        var output = await RunSuite("cold-start", "--conversations", "10", "--rate", "40", "--duration", "3", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("the node was killed and a fresh node started on the same Redis", report);
        Assert.Contains("LiveChat on Redis: 0 lost, 0 duplicated, 0 out of order", report);
        // Ten conversations, both directions: twenty first messages, each its conversation's first call on the new node.
        Assert.Contains("| LiveChat on Redis, first message of each conversation and direction | 20 |", report);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task AChaosRunLosesRedisRepliesPausesAndKillsRedisAndCountsNothingLostOrStuck()
    {
        var output = await RunSuite("chaos", "--conversations", "6", "--rate", "12", "--warmup", "1", "--duration", "16", "--faults", "3",
            "--fault-spacing", "4-5", "--fault-length", "1");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("# LiveChat load report: chaos", report);
        Assert.Contains("3 of 3 faults injected", report);
        foreach (var kind in new[] { "| lose-replies |", "| pause |", "| kill-redis |" })
            Assert.Contains(kind, report);
        // Every count the targets are set on is reported, and each is zero.
        Assert.Contains("0 acknowledged messages lost (at most 0)", report);
        Assert.Contains("0 duplicated (at most 0)", report);
        Assert.Contains("0 out of order (at most 0)", report);
        Assert.Contains("0 inconsistencies", report);
        Assert.Contains("0 sends answered with an unexpected server error", report);
        Assert.Contains("0 conversations stuck (at most 0); 12 of 12 last-round messages acknowledged within 10 s", report);
        Assert.Contains("0 conversations held by no one (at most 0)", report);
        Assert.Matches(@"longest stall \d+\.\d\d s \(under 10 s\)", report);
        Assert.Matches(@"\| outside the faults \| [1-9]\d* \|", report);
        // Every send is in sends.csv, acknowledged; the node's log and the faults are kept beside the report.
        var sends = (await File.ReadAllLinesAsync(Path.Combine(output, "sends.csv"))).Skip(1).ToList();
        Assert.NotEmpty(sends);
        Assert.All(sends, line => Assert.Contains(",acked,", line));
        Assert.Equal(4, (await File.ReadAllLinesAsync(Path.Combine(output, "faults.csv"))).Length);
        Assert.Contains("LiveChat node on", await File.ReadAllTextAsync(Path.Combine(output, "node1.log")));
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task TwoSupervisorsSeeEveryProbeArriveAndLeaveWhileTheChatLosesNothing()
    {
        var output = await RunSuite("supervisor", "--conversations", "20", "--rate", "60", "--warmup", "1", "--duration", "3", "--supervisors", "2", "--max-lost", "0");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("# LiveChat load report: supervisor", report);
        Assert.Contains("LiveChat: 0 lost, 0 duplicated, 0 out of order", report);
        Assert.Contains("## Dashboard lag, 2 supervisors", report);
        Assert.Matches(@"dashboard: 0 of \d+ sightings missed", report);
        // Each probe is seen arrive and leave by each supervisor: some lags were measured, an even number of them.
        var both = (await File.ReadAllLinesAsync(Path.Combine(output, "dashboard.csv"))).Single(l => l.StartsWith("both,", StringComparison.Ordinal)).Split(',');
        var count = long.Parse(both[1]);
        Assert.True(count > 0 && count % 4 == 0, $"{count} dashboard lags measured");
        Assert.Contains("supervisor1,whole_run,", await File.ReadAllTextAsync(Path.Combine(output, "pushes.csv")));
        Assert.Contains("dashboard lag, both", await File.ReadAllTextAsync(Path.Combine(output, "report.html")));
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ASmallConnectStormGetsEveryVisitorThroughWithConsistentPositions()
    {
        var output = await RunSuite("connect-storm", "--visitors", "40", "--within", "2", "--agents", "2");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("0 of 40 visitors failed to get through", report);
        Assert.Contains("30 queued visitors' positions are 1..30, each once; 10 assigned at once", report);
        Assert.Contains("| arrival to first position | 40 |", report);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ASmallQueueBurstAssignsEveryVisitorOnceAndNeverBeyondALimit()
    {
        var output = await RunSuite("queue-burst", "--visitors", "30", "--agents", "3", "--within", "2");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("30 of 30 conversations assigned", report);
        Assert.Contains("0 assigned twice, 0 times an agent was given a chat beyond their limit", report);
        // Every assignment after an agent's first follows a close: 30 - 3 timed.
        Assert.Contains("| capacity appears to next assignment | 27 |", report);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ASmallRushGivesEveryWaitingVisitorAPlaceOfTheirOwn()
    {
        var output = await RunSuite("rush", "--visitors", "40", "--within", "2", "--agents", "2");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("0 of 40 visitors failed to start a conversation", report);
        // Two agents of five chats take the first ten; the thirty others wait, each in a place of their own, then and after the settle.
        Assert.Contains("as answered: 30 queued visitors' places are 1..30, each once; 10 assigned", report);
        Assert.Contains("after the settle: 30 waiting visitors' last known places are 1..30, each once", report);
        Assert.Contains("0 visitors told a later place than before", report);
        Assert.Contains("| start conversation, first 20 arrivals | 20 |", report);
        Assert.Contains("| start conversation, last 20 arrivals | 20 |", report);
        Assert.Matches(@"\*\*\d+\.\d KB per waiting visitor\*\*", report);
        Assert.StartsWith("second,position_pushes", await File.ReadAllTextAsync(Path.Combine(output, "pushes.csv")));
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ASmallSteadyQueueMovesWithNobodyPushedBackOrLost()
    {
        var output = await RunSuite("steady-queue", "--visitors", "20", "--agents", "2", "--rate", "5", "--duration", "3");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        // Twenty-two fill the queue, then five a second for three seconds.
        Assert.Contains("0 of 37 visitors failed to start a conversation", report);
        Assert.Matches(@"every visitor assigned or still waiting: \d+ assigned, \d+ waiting, 0 neither", report);
        Assert.Matches(@"at the end: (\d+) waiting visitors' last known places are 1\.\.\1, each once", report);
        Assert.Contains("0 visitors told a later place than before", report);
        Assert.Matches(@"[1-9]\d* chats closed .*, 0 closes refused", report);
        Assert.Equal(4, (await File.ReadAllLinesAsync(Path.Combine(output, "pushes.csv"))).Length);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task ASmallAnnouncementReachesEveryConnectedVisitor()
    {
        var output = await RunSuite("announce", "--visitors", "30");

        var report = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
        Assert.Contains("0 of 30 visitors failed to connect", report);
        Assert.Contains("30 of 30 connected visitors received the announcement within 30 s; 0 never did", report);
        Assert.Contains("| announcement delivery | 30 |", report);
        Directory.Delete(output, recursive: true);
    }

    /// <summary>The load suite's own build output (the project file names it): run from there, with the server it built beside it.</summary>
    private static readonly string LoadSuite = typeof(LoadSuiteSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LoadSuiteDll").Value!;

    /// <summary>Runs the load suite as a person does and returns its report folder; fails with its output when it exits non-zero.</summary>
    private static async Task<string> RunSuite(params string[] args)
    {
        Assert.True(File.Exists(LoadSuite), $"the load suite is not built at {LoadSuite}: build LiveChat.sln first (./test.sh does), or load-tests/LiveChat.LoadTests");
        var output = Directory.CreateTempSubdirectory("livechat-load-smoke-").FullName;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args.Prepend(LoadSuite).Append("--out").Append(output))
            info.ArgumentList.Add(arg);

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(process.ExitCode == 0, $"the load suite exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return output;
    }
}
