using LiveChat.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.Browser;

/// <summary>
/// A node of its own for <see cref="ClientResilienceTests"/>: a short grace period, so an agent's console can stay
/// disconnected past it within a test, and a visitor's real message limit, tight, so the widget meets it. Its pages are
/// driven by the <see cref="BrowserServer"/>'s Chromium, and its widget is embedded on that fixture's customer site.
/// </summary>
public sealed class ResilienceNode : NodeFixture
{
    public const int GraceSeconds = 2;

    /// <summary>What the node's message log has lost (see <see cref="Faults.MessageLost"/>).</summary>
    public Faults Faults { get; } = new();

    // Queues with one agent each, two nobody serves (the offline form), and one served by a supervisor, who watches the
    // others' chats from the dashboard.
    public ResilienceNode() => Floor.Add(queues: 10, 3).Add(queues: 2).Add(queues: 1, Seat.Supervisor());

    protected override void ReplaceServices(IServiceCollection services) =>
        services.AddSingleton<IMessageLog>(new FaultyMessageLog(new InMemoryMessageLog(), Faults));

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["LiveChat:AwayGraceSeconds"] = GraceSeconds.ToString();
        // A burst of two, then one a second: the third message typed at once is refused "retry after 1 s".
        settings["LiveChat:Limits:MessageBurst"] = "2";
        settings["LiveChat:Limits:MessagesPerSecond"] = "1";
        settings["LiveChat:Widget:AllowedOrigins:0"] = "*";
        settings["LiveChat:DashboardIntervalMilliseconds"] = "100";
    }
}
