using Orleans.Concurrency;

namespace LiveChat.Contracts;

/// <summary>
/// The supervisors' view of the floor (one activation, key 0). Queue and agent grains report their own numbers to it
/// as they change; it pushes <c>DashboardUpdated</c> to connected supervisors, a few times a second at most.
/// </summary>
public interface IDashboardGrain : IGrainWithIntegerKey, IStandingGrain
{
    Task<DashboardView> GetDashboard();

    /// <summary>Each queue's numbers every 10 seconds over the last 30 minutes, oldest first.</summary>
    Task<IReadOnlyList<QueueSample>> GetHistory();

    [OneWay]
    Task AgentChanged(AgentView agent);

    [OneWay]
    Task QueueChanged(QueueStats queue);
}
