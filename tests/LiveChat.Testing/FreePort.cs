using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LiveChat.Testing;

public static class FreePort
{
    // Ports already handed out by this process: the OS may offer a port again as soon as its probe closed, and a
    // cluster asking for several at once got the same one twice (a node's gateway on its Redis's port).
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    /// <summary>A loopback port nobody listens on now (the OS's choice for port 0), never the same one twice.</summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, 0))
                return port;
        }
    }
}
