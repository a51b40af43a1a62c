using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LiveChat.Tests.Cluster;

namespace LiveChat.Tests.Cluster;

/// <summary>
/// TLS between silos (Orleans:TlsCertificatePath): the silo port speaks TLS only to a peer that presents the cluster's
/// certificate, and nodes given it form a cluster and carry a chat between them as before.
/// </summary>
public sealed class ClusterTlsTests(RedisFixture redis) : IClassFixture<RedisFixture>, IDisposable
{
    private const string Password = "cluster-certificate-password";
    private readonly string _dir = Directory.CreateTempSubdirectory("livechat-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheSiloPortSpeaksTlsOnlyToAPeerWithTheClustersCertificate()
    {
        using var certificate = Certificate("livechat-cluster");
        using var stranger = Certificate("livechat-cluster");
        var (http, silo) = (FreePort.Next(), FreePort.Next());
        await using var node = await NodeProcess.StartAsync(http, new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = redis.ConnectionString,
                ["Orleans__SiloPort"] = silo.ToString(CultureInfo.InvariantCulture),
                ["Orleans__ClusterId"] = $"tls-{Guid.NewGuid():N}",
                ["Orleans__ServiceId"] = $"tls-{Guid.NewGuid():N}",
                ["Orleans__TlsCertificatePath"] = Save(certificate),
                ["Orleans__TlsCertificatePassword"] = Password,
            });

        Assert.True(await Accepted(silo, certificate), "the node accepts a peer with the cluster's certificate over TLS");
        Assert.False(await Accepted(silo, stranger), "the node accepts a peer with a certificate of the same name made elsewhere");
    }

    [Fact]
    public async Task NodesWithTheClustersCertificateFormAClusterAndCarryAChatAcrossIt()
    {
        using var certificate = Certificate("livechat-cluster");
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:TlsCertificatePath"] = Save(certificate),
            ["Orleans:TlsCertificatePassword"] = Password,
        };
        TestUsers.Add(settings, 0, "ana", max: 3);
        await using var cluster = await LocalCluster.StartAsync(2, settings);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);

        await using var agent = await b.ConnectOnlineAgent("ana");
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        await using var visitor = await a.StartVisitorChat("Vera", "support", text: "hello over TLS");
        await assigned.Next(v => v.ConversationId == visitor.Id);
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "heard you").WaitAsync(Clients.Timeout);

        Assert.Equal("heard you", (await visitor.Messages.Next(m => m.ClientMessageId == "a1")).Text);
    }

    /// <summary>
    /// Whether the silo port keeps a TLS connection presenting <paramref name="mine"/> open, waiting for a peer's first
    /// words, after checking the node presented the cluster's certificate. A refused one fails its handshake or is
    /// closed just after it (TLS 1.3 reports a refused client certificate after the handshake).
    /// </summary>
    private static async Task<bool> Accepted(int port, X509Certificate2 mine)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var ssl = new SslStream(client.GetStream(), false, (_, presented, _, _) => presented?.GetRawCertData().AsSpan().SequenceEqual(mine.RawData) == true
            || presented is not null && presented.Subject == mine.Subject);
        try
        {
            // No TLS answer in time (a port that does not speak it) is a refusal too.
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "livechat-cluster", ClientCertificates = [mine] })
                .WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or SocketException or TimeoutException)
        {
            return false;
        }
        try
        {
            var buffer = new byte[1];
            return await ssl.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(3)) > 0;
        }
        catch (TimeoutException)
        {
            // Open, and waiting for the peer's first words: accepted.
            return true;
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            return false;
        }
    }

    private static X509Certificate2 Certificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx, Password), Password);
    }

    private string Save(X509Certificate2 certificate)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
