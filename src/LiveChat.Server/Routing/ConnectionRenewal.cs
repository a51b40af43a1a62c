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

    /// <summary>
    /// A round renews every owner, spread over the first half of the period in slices: 10,000 visitors renewed at once
    /// were a burst of grain calls that held up every push and start on the node for a moment, every round.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds);
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var owners = _ownerByConnection.GroupBy(c => c.Value, c => c.Key).ToList();
            var slices = owners.Chunk(SliceSize).ToList();
            foreach (var slice in slices)
            {
                await Task.WhenAll(slice.Select(async owner =>
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
                if (slices.Count > 1)
                    await Task.Delay(period / 2 / slices.Count, stoppingToken);
            }
        }
    }

    private const int SliceSize = 250;
}
