using System.Globalization;
using System.Net;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// What a node opens to the network, read from the kernel's socket tables as an outsider scanning it would find: its
/// HTTP port, and its silo port on the address the other nodes reach it at. No Orleans gateway (whoever reaches one can
/// call any grain as anyone), and nothing on every address unless asked for.
/// </summary>
public sealed class NodePortsTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ANodeOnRedisListensOnlyOnItsHttpPortAndOnItsSiloPortAtTheAdvertisedAddress()
    {
        var (http, silo) = (FreePort.Next(), FreePort.Next());
        await using var node = await NodeProcess.StartAsync(http, new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Orleans__AdvertisedIp"] = "127.0.0.2",
            ["Orleans__SiloPort"] = silo.ToString(CultureInfo.InvariantCulture),
            ["Orleans__ClusterId"] = $"ports-{Guid.NewGuid():N}",
            ["Orleans__ServiceId"] = $"ports-{Guid.NewGuid():N}",
        });

        Assert.Equal(new[] { $"127.0.0.1:{http}", $"127.0.0.2:{silo}" }.Order(StringComparer.Ordinal), Listening(node.Process.Id));
    }

    [Fact]
    public async Task TheEmbeddedDefaultListensOnlyOnLoopback()
    {
        var (http, silo) = (FreePort.Next(), FreePort.Next());
        await using var node = await NodeProcess.StartAsync(http, new Dictionary<string, string>
        {
            ["Orleans__SiloPort"] = silo.ToString(CultureInfo.InvariantCulture),
        });

        Assert.Equal(new[] { $"127.0.0.1:{http}", $"127.0.0.1:{silo}" }.Order(StringComparer.Ordinal), Listening(node.Process.Id));
    }

    /// <summary>The TCP addresses the process listens on (IPv4 and IPv6), sorted: its sockets matched to /proc/net/tcp*.</summary>
    private static List<string> Listening(int pid)
    {
        var sockets = Directory.GetFiles($"/proc/{pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .OfType<string>()
            .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target["socket:[".Length..^1])
            .ToHashSet();
        var listening = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address, rem_address, st (0A is LISTEN), ..., inode (the tenth field)
                if (fields[3] == "0A" && sockets.Contains(fields[9]))
                    listening.Add(Endpoint(fields[1]));
            }
        }
        listening.Sort(StringComparer.Ordinal);
        return listening;
    }

    /// <summary>"0100007F:1F90" is 127.0.0.1:8080: the address in the kernel's byte order, 32 bits at a time.</summary>
    private static string Endpoint(string hex)
    {
        var (address, port) = (hex[..hex.IndexOf(':')], int.Parse(hex[(hex.IndexOf(':') + 1)..], NumberStyles.HexNumber));
        var bytes = Convert.FromHexString(address);
        for (var word = 0; word < bytes.Length; word += 4)
            Array.Reverse(bytes, word, 4);
        return new IPEndPoint(new IPAddress(bytes), port).ToString();
    }
}
