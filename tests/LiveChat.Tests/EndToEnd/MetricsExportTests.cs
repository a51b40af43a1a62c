using System.Text;

namespace LiveChat.Tests.EndToEnd;

/// <summary>With an OTLP endpoint configured, the node exports the LiveChat meter to it.</summary>
public sealed class MetricsExportTests
{
    [Fact]
    public async Task TheLiveChatMeterIsExportedOverOtlpWhenAnEndpointIsConfigured()
    {
        // A stand-in collector on loopback that keeps the body of every OTLP/HTTP metrics export it receives.
        var port = FreePort.Next();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var exports = new List<byte[]>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var receiving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await collector.GetContextAsync().WaitAsync(stop.Token);
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/metrics")
                    lock (exports) exports.Add(body.ToArray());
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:Metrics:OtlpEndpoint"] = $"http://127.0.0.1:{port}/v1/metrics",
            ["LiveChat:Metrics:OtlpProtocol"] = "http/protobuf",
            ["LiveChat:Metrics:ExportIntervalMilliseconds"] = "500",
        };
        TestUsers.Add(settings, 0, "otto", max: 2);
        await using var server = await LiveChatTestServer.StartAsync(settings);
        await using var agent = await server.ConnectOnlineAgent("otto");
        await using var visitor = await server.StartVisitorChat("Olga", "support", text: "exported?");
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "yes").WaitAsync(Clients.Timeout);

        bool Exported(string name)
        {
            lock (exports)
                return exports.Any(e => Encoding.UTF8.GetString(e).Contains(name, StringComparison.Ordinal));
        }
        await Eventually.True(() => Task.FromResult(new[] { "livechat.messages.sent", "livechat.connections.active", "livechat.queue.wait", "livechat.conversation.first_response" }.All(Exported)),
            "an OTLP export carrying the LiveChat instruments", timeoutSeconds: 20);
        // The stand-in collector stops: between two exports (cancelled wait) or right after one (the loop ends).
        await stop.CancelAsync();
        try
        {
            await receiving;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
