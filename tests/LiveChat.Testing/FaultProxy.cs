using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LiveChat.Testing;

/// <summary>
/// A TCP proxy on a free loopback port in front of a server (Redis), for fault injection: normally it passes bytes
/// both ways; told to <see cref="LoseReplies"/>, it still delivers every request, so the server applies it, but throws
/// the server's answers away, and at the end of the window resets every connection, as a network that stalls and
/// then breaks would. A client then cannot tell which of its writes were applied: exactly the case a write discipline
/// must survive.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly Task _accepting;
    private volatile bool _losingReplies;

    public FaultProxy(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Parse(targetHost), targetPort);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>In front of a <see cref="RedisServer"/>.</summary>
    public FaultProxy(RedisServer redis) : this("127.0.0.1", redis.Port)
    {
    }

    public int Port { get; }

    /// <summary>host:port, to give clients in place of the server's.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public string ConnectionString => $"{Address},abortConnect=false";

    /// <summary>How many windows of lost replies have ended.</summary>
    public int FaultsEnded { get; private set; }

    /// <summary>
    /// For <paramref name="window"/>, requests reach the server and its answers are lost; then every open connection is
    /// reset, and bytes flow again on new ones.
    /// </summary>
    public async Task LoseReplies(TimeSpan window, CancellationToken cancellationToken = default)
    {
        _losingReplies = true;
        try
        {
            await Task.Delay(window, cancellationToken);
        }
        finally
        {
            ResetConnections();
            _losingReplies = false;
            FaultsEnded++;
        }
    }

    /// <summary>Resets every open connection (an RST to both sides), as a broken network or a failed-over server would.</summary>
    public void ResetConnections()
    {
        foreach (var link in _links.Keys)
            link.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        ResetConnections();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = LinkAsync(client);
        }
    }

    private async Task LinkAsync(Socket client)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
        }
        catch (Exception)
        {
            new Link(client, server).Reset();
            return;
        }
        var link = new Link(client, server);
        _links[link] = 0;
        try
        {
            await Task.WhenAny(Pump(client, server, lose: () => false), Pump(server, client, lose: () => _losingReplies));
        }
        finally
        {
            link.Reset();
            _links.TryRemove(link, out _);
        }
    }

    /// <summary>Copies bytes from one socket to the other until either closes, dropping them while <paramref name="lose"/> says so.</summary>
    private async Task Pump(Socket from, Socket to, Func<bool> lose)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                    return;
                if (!lose())
                    await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception)
        {
            // A reset or a stop: the link ends either way.
        }
    }

    private sealed class Link(Socket client, Socket server)
    {
        public void Reset()
        {
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception)
                {
                    // Already closed.
                }
            }
        }
    }
}
