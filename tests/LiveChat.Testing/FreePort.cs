using System.Net;
using System.Net.Sockets;

namespace LiveChat.Testing;

public static class FreePort
{
    /// <summary>A loopback port nobody listens on now (the OS's choice for port 0).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
