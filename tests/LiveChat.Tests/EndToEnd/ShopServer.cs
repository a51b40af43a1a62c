
namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// A node that allows the widget on one shop's site, with a floor of queues and staff for the tests that chat on it.
/// Its default queue is the product's ("support"), which no test takes.
/// </summary>
public sealed class ShopServer : NodeFixture
{
    public const string Shop = "https://shop.example";

    /// <summary>The node's default queue: LiveChat's own default, since the fixture sets none.</summary>
    public const string DefaultQueue = "support";

    public ShopServer() =>
        Floor.Add(queues: 3, 2).Add(queues: 2, 4).Add(queues: 3).Add(queues: 3, Seat.Supervisor());

    protected override void Configure(IDictionary<string, string?> settings) => settings["LiveChat:Widget:AllowedOrigins:0"] = Shop;
}
