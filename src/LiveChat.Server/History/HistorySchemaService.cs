using Npgsql;
using Polly;
using Polly.Retry;

namespace LiveChat.Server.History;

/// <summary>
/// Brings the history's schema up to date once the node has started, trying again (1 s, growing to 30 s apart) for as long
/// as PostgreSQL cannot be reached (and every 5 minutes while it refuses, a wrong password say): the history is never on the
/// live path, so a database that is away holds up neither the node's start nor a chat. <see cref="Ready"/> completes once
/// the schema is current.
/// </summary>
public sealed class HistorySchemaService(NpgsqlDataSource database, TimeProvider time, ILogger<HistorySchemaService> logger) : BackgroundService
{
    private static readonly TimeSpan AfterRefusal = TimeSpan.FromMinutes(5);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var untilReachable = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient).Handle<TimeoutException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                UseJitter = true,
                OnRetry = args =>
                {
                    if (args.AttemptNumber == 0 || args.AttemptNumber % 10 == 0)
                        logger.LogWarning("The history's database cannot be reached; trying again (the chat goes on meanwhile): {Error}",
                            args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();
        while (true)
        {
            try
            {
                var applied = await untilReachable.ExecuteAsync(async token => await HistorySchema.MigrateAsync(database, token), stoppingToken);
                if (applied.Count > 0)
                    logger.LogInformation("History schema brought up to date: applied {Migrations}", string.Join(", ", applied));
                _ready.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                _ready.TrySetCanceled(stoppingToken);
                return;
            }
            catch (Exception ex)
            {
                // Not a passing outage (a refused password, a missing database): said loudly, and tried again now and then,
                // so that fixing it in the database is enough. The chat goes on; the history's marks wait.
                logger.LogError(ex, "The history's schema could not be brought up to date; the history is not kept until this is fixed (trying again in {Minutes} minutes)",
                    AfterRefusal.TotalMinutes);
            }
            try
            {
                await Task.Delay(AfterRefusal, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                _ready.TrySetCanceled(stoppingToken);
                return;
            }
        }
    }
}
