using System.Collections.Concurrent;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// The connections of one kind of person this node holds, each with whose it is, renewed with that person's grain every
/// <c>LiveChat:PresenceRenewSeconds</c>. A node that dies stops renewing, so its connections lapse after three rounds
/// and the person's grace starts as if they had dropped; a grain activated afresh learns its connections again.
/// </summary>
public abstract class ConnectionRenewal(IOptions<LiveChatOptions> options, ILogger logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, string> _ownerByConnection = new(StringComparer.Ordinal);

    public void Connected(string connectionId, string ownerId) => _ownerByConnection[connectionId] = ownerId;

    public void Disconnected(string connectionId) => _ownerByConnection.TryRemove(connectionId, out _);

    /// <summary>Tells the owner's grain which of its connections this node still holds.</summary>
    protected abstract Task Renew(string ownerId, IReadOnlyList<string> connectionIds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Task.WhenAll(_ownerByConnection.GroupBy(c => c.Value, c => c.Key).Select(async owner =>
            {
                try
                {
                    await Renew(owner.Key, owner.ToList());
                }
                catch (Exception ex)
                {
                    // The next round tries again; a lease lasts three.
                    logger.LogInformation("Could not renew the connections of {Owner}: {Error}", owner.Key, ex.Message);
                }
            }));
        }
    }
}
