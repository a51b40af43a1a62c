using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LiveChat.Testing;

public static class HubConnections
{
    // Shared by every connection: HubConnectionBuilder builds a service provider of its own for each connection, which
    // cost the load generator more CPU per connect than the server spent on it (reflection over the client's services).
    private static readonly JsonHubProtocol Json = new(Options.Create(WithEnumNames(new JsonHubProtocolOptions())));
    private static readonly NoServices Services = new();

    /// <summary>
    /// A hub connection (not started) speaking the JSON protocol with enums as names, as the web pages do. With
    /// <paramref name="webSocketsOnly"/> it skips negotiation, which halves the round trips of a storm of connects.
    /// </summary>
    public static HubConnection Build(Uri url, string? token = null, bool webSocketsOnly = false)
    {
        var options = new HttpConnectionOptions { Url = url };
        if (webSocketsOnly)
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
        }
        if (token is not null)
            options.AccessTokenProvider = () => Task.FromResult<string?>(token);
        return new HubConnection(new HttpConnectionFactory(Options.Create(options), NullLoggerFactory.Instance), Json,
            new UriEndPoint(url), Services, NullLoggerFactory.Instance);
    }

    /// <summary>The client's defaults for every option; not disposable, as a connection disposes its provider.</summary>
    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    private static JsonHubProtocolOptions WithEnumNames(JsonHubProtocolOptions options)
    {
        options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}
