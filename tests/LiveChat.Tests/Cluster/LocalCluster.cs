using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace LiveChat.Tests.Cluster;

/// <summary>A node process of a <see cref="LocalCluster"/>, or its front proxy (number 0, no silo).</summary>
public sealed record ClusterNode(int Number, Uri BaseAddress, int SiloPort) : ILiveChatNode
{
    public override string ToString() => Number == 0 ? $"the proxy ({BaseAddress})" : $"node {Number} ({BaseAddress})";
}

/// <summary>
/// Redis and LiveChat nodes as separate processes on loopback, started by <c>scripts/cluster.sh</c>: the topology of
/// docker/compose.yaml, which operators can start the same way. Each cluster has its own ports, Redis and folder.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly string Root = FindRoot();
    private readonly string _dir;
    private readonly Dictionary<string, string> _environment;
    private IHost? _client;

    private LocalCluster(string dir, IReadOnlyList<ClusterNode> nodes, ClusterNode? proxy, int redisPort, string clusterId, Dictionary<string, string> environment)
    {
        _dir = dir;
        Nodes = nodes;
        Proxy = proxy;
        RedisPort = redisPort;
        ClusterId = clusterId;
        _environment = environment;
    }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>The front proxy (nginx with docker/nginx.conf) when the cluster was started with one.</summary>
    public ClusterNode? Proxy { get; }

    public int RedisPort { get; }

    public string ClusterId { get; }

    /// <summary>
    /// Starts Redis and <paramref name="nodes"/> nodes with <paramref name="settings"/> (configuration keys, as in
    /// appsettings), and with <paramref name="proxy"/> the front proxy before them.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(int nodes, IDictionary<string, string?> settings, bool proxy = false)
    {
        var dir = Directory.CreateTempSubdirectory("livechat-cluster-").FullName;
        var http = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToList();
        var silo = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToList();
        var gateway = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToList();
        var redisPort = FreePort.Next();
        var proxyPort = proxy ? FreePort.Next() : 0;
        var clusterId = $"cluster-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__LiveChat"] = "Information",
            ["LiveChat__Auth__SigningKey"] = TestUsers.SigningKey,
        };
        foreach (var (key, value) in settings)
            environment[key.Replace(":", "__")] = value ?? "";

        var cluster = new LocalCluster(dir,
            Enumerable.Range(0, nodes).Select(i => new ClusterNode(i + 1, new Uri($"http://127.0.0.1:{http[i]}"), silo[i])).ToList(),
            proxy ? new ClusterNode(0, new Uri($"http://127.0.0.1:{proxyPort}"), 0) : null, redisPort, clusterId, environment);
        try
        {
            string[] proxyArgs = proxy ? ["--proxy-port", proxyPort.ToString()] : [];
            await cluster.Script(["up", "--nodes", nodes.ToString(), "--http-ports", string.Join(',', http), "--silo-ports", string.Join(',', silo),
                "--gateway-ports", string.Join(',', gateway), "--redis-port", redisPort.ToString(), "--cluster-id", clusterId,
                "--server", Path.Combine(AppContext.BaseDirectory, "LiveChat.Server.dll"), .. proxyArgs]);
            await ClusterMembership.WaitForActiveAsync($"127.0.0.1:{redisPort}", clusterId, clusterId, nodes, timeoutSeconds: 30);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>kill -9: the node dies as in a crash, its sockets and grains with it.</summary>
    public Task Kill(ClusterNode node) => Script("stop-node", node.Number.ToString(), "--kill");

    /// <summary>SIGTERM, then waits until the process has exited.</summary>
    public Task Terminate(ClusterNode node) => Script("stop-node", node.Number.ToString());

    public Task StartAgain(ClusterNode node) => Script("start-node", node.Number.ToString());

    /// <summary>Restarts Redis: killed (SIGKILL) or shut down cleanly, then started again with its append-only file.</summary>
    public Task RestartRedis(bool kill) => kill ? Script("restart-redis", "--kill") : Script("restart-redis");

    /// <summary>The grain, through an Orleans client of the cluster: a call activates it.</summary>
    public async Task<TGrain> Grain<TGrain>(string key) where TGrain : IGrainWithStringKey =>
        (await Client()).Services.GetRequiredService<IClusterClient>().GetGrain<TGrain>(key);

    /// <summary>The node whose silo holds the grain's activation (the grain must be active), asked through an Orleans client.</summary>
    public async Task<ClusterNode> NodeHosting<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        var grains = (await Client()).Services.GetRequiredService<IClusterClient>();
        var silo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<TGrain>(key))
            ?? throw new InvalidOperationException($"{typeof(TGrain).Name} {key} is not active anywhere");
        return Nodes.Single(n => n.SiloPort == silo.Endpoint.Port);
    }

    /// <summary>The node the proxy sends this machine's requests to now: a request of its own, found in the proxy's access log.</summary>
    public async Task<ClusterNode> NodeBehindProxy()
    {
        for (var attempt = 1; ; attempt++)
        {
            var probe = $"/which-node-{Guid.NewGuid():N}";
            using (var http = Proxy!.Http())
                await http.GetAsync(probe);
            string? line = null;
            await Eventually.True(() => Task.FromResult((line = File.ReadLines(Path.Combine(_dir, "proxy.log")).LastOrDefault(l => l.Contains(probe, StringComparison.Ordinal))) is not null),
                "the proxy to log the request");
            // upstream=a, b when the first node it tried failed (nginx also writes "a : b"): the last one answered.
            var logged = line!;
            var upstreams = logged[(logged.IndexOf(" upstream=", StringComparison.Ordinal) + " upstream=".Length)..];
            var answered = upstreams[..upstreams.IndexOf(" \"", StringComparison.Ordinal)].Split([", ", " : "], StringSplitOptions.None)[^1];
            if (Nodes.SingleOrDefault(n => n.BaseAddress.Authority == answered) is { } node)
                return node;
            // No node answered this probe (the proxy had none to send it to for a moment, as while one is being killed).
            if (attempt == 10)
                throw new InvalidOperationException($"the proxy's answers came from no node of the cluster; its last log line: {logged}");
        }
    }

    /// <summary>The last lines a node wrote, for a failure message.</summary>
    public string Log(ClusterNode node) =>
        File.Exists(Path.Combine(_dir, $"node-{node.Number}.log")) ? string.Join('\n', File.ReadLines(Path.Combine(_dir, $"node-{node.Number}.log")).TakeLast(40)) : "";

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
            _client.Dispose();
        }
        try
        {
            await Script("down");
        }
        finally
        {
            // LIVECHAT_KEEP_CLUSTER=1 keeps the nodes' and Redis's logs, to read after a failure.
            if (Environment.GetEnvironmentVariable("LIVECHAT_KEEP_CLUSTER") is not null)
                Console.WriteLine($"cluster logs kept in {_dir}");
            else
                DeleteQuietly(_dir);
        }
    }

    private async Task<IHost> Client()
    {
        if (_client is not null)
            return _client;
        var redis = ConfigurationOptions.Parse($"127.0.0.1:{RedisPort}");
        _client = new HostBuilder().UseOrleansClient(client => client
            .UseRedisClustering(o => o.ConfigurationOptions = redis)
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId))).Build();
        await _client.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _client;
    }

    private async Task Script(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        info.ArgumentList.Add(Path.Combine(Root, "scripts", "cluster.sh"));
        foreach (var arg in args.Append("--dir").Append(_dir))
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in _environment)
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/cluster.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await errors}{await output}");
    }

    private static void DeleteQuietly(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiveChat.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository (LiveChat.sln) is not above the test's folder");
    }
}
