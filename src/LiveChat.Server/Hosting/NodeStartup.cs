using System.Runtime.ExceptionServices;
using LiveChat.Server.Storage;

namespace LiveChat.Server.Hosting;

/// <summary>
/// Starts the node's silo, in place of the hosted service Orleans registers for it, once Redis is ready
/// (<see cref="RedisReadiness"/>), and tells the rest of the node whether it serves chats yet.
/// <para>
/// When Redis answers at once, or none is configured, the host waits here for the silo as it would for Orleans' own
/// service, so the node starts as it always did: its web server opens once the silo is up, and a silo that cannot start
/// stops the start with its reason. When Redis is away, the node says so in its log and the host goes on without the
/// silo, so the web server listens and answers <c>/healthz</c> with 503, and the API and hubs with a 503 that says why
/// (<see cref="Http.StartupGate"/>), until Redis answers and the silo has started. A refusal found only then (a Redis
/// that evicts keys) stops the node, which ends with that error.
/// </para>
/// </summary>
public sealed class NodeStartup : IHostedService, IDisposable
{
    private readonly IHostedService _silo;
    private readonly RedisReadiness? _redis;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<NodeStartup> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private Task _starting = Task.CompletedTask;
    private Exception? _failure;
    private volatile string _status = "starting";

    /// <param name="silo">Orleans' own hosted service for the silo, started here instead of by the host.</param>
    /// <param name="redis">The check Redis passes first, when Redis is configured.</param>
    internal NodeStartup(IHostedService silo, RedisReadiness? redis, IHostApplicationLifetime lifetime, ILogger<NodeStartup> logger)
    {
        (_silo, _redis, _lifetime, _logger) = (silo, redis, lifetime, logger);
    }

    /// <summary>True once the silo has started: the node serves chats.</summary>
    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>What the node is doing until it is ready, in words (the health check's description).</summary>
    public string Status => _status;

    /// <summary>Completes once the silo has started.</summary>
    public Task WhenReady(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _starting = Start(_stopping.Token);
        // Until the host's start goes on, its token (a stop requested meanwhile) ends the start too.
        using (cancellationToken.Register(_stopping.Cancel))
            await Task.WhenAny(_starting, _waiting.Task);
        if (_starting.IsCompleted)
        {
            // Started, or failed with its reason: as Orleans' own service would.
            await _starting;
            return;
        }
        _ = StopTheNodeIfStartFails();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _starting.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!IsReady)
        {
            // Stopped while waiting for Redis or starting the silo, or the start failed: nothing to stop but that.
        }
        if (IsReady)
            await _silo.StopAsync(cancellationToken);
        else if (_failure is not null)
            // The host had gone on without the silo: the node still ends with the reason it could not start.
            ExceptionDispatchInfo.Throw(_failure);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task Start(CancellationToken cancellationToken)
    {
        if (_redis is not null)
        {
            _status = "checking Redis";
            await _redis.WaitUntilReady(() =>
            {
                _status = "waiting for Redis";
                _waiting.TrySetResult();
            }, cancellationToken);
        }
        _status = "the silo is starting";
        await _silo.StartAsync(cancellationToken);
        _status = "ready";
        _ready.TrySetResult();
        if (_waiting.Task.IsCompleted)
            _logger.LogInformation("Redis answered and the silo has started: the node serves chats");
    }

    private async Task StopTheNodeIfStartFails()
    {
        try
        {
            await _starting;
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            _failure = ex;
            _logger.LogCritical(ex, "The node could not start, and stops: {Reason}", ex.Message);
            _lifetime.StopApplication();
        }
        catch (Exception)
        {
            // Stopped while starting: StopAsync has it.
        }
    }
}

internal static class NodeStartupRegistration
{
    /// <summary>
    /// Puts <see cref="NodeStartup"/> where <c>UseOrleans</c> put its hosted service for the silo, so it starts in the same
    /// turn among the node's hosted services and starts the silo itself. Call right after <c>UseOrleans</c>.
    /// </summary>
    public static void AddNodeStartup(this IServiceCollection services, string? redis)
    {
        // Orleans registers its silo service by its (internal) type: the one hosted service from the Orleans runtime.
        var orleans = services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == typeof(Silo).Assembly).ToList();
        if (orleans is not [{ ImplementationType: { } siloService } descriptor])
            throw new InvalidOperationException(
                $"UseOrleans registered {orleans.Count} hosted services of its own, not the one NodeStartup expects to start in their place: see Hosting/NodeStartup.cs.");
        services.AddSingleton(provider => new NodeStartup(
            (IHostedService)ActivatorUtilities.CreateInstance(provider, siloService),
            redis is null ? null : ActivatorUtilities.CreateInstance<RedisReadiness>(provider, redis),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<ILogger<NodeStartup>>()));
        services[services.IndexOf(descriptor)] = ServiceDescriptor.Singleton<IHostedService>(provider => provider.GetRequiredService<NodeStartup>());
    }
}
