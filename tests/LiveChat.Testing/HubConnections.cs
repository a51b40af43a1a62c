using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Testing;

public static class HubConnections
{
    /// <summary>
    /// A hub connection (not started) speaking the JSON protocol with enums as names, as the web pages do. With
    /// <paramref name="webSocketsOnly"/> it skips negotiation, which halves the round trips of a storm of connects.
    /// </summary>
    public static HubConnection Build(Uri url, string? token = null, bool webSocketsOnly = false) =>
        new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                if (webSocketsOnly)
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                }
                if (token is not null)
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
}
