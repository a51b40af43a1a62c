namespace LiveChat.Contracts;

/// <summary>The supervisors' view of the floor, built from the queue and agent grains' own numbers.</summary>
public interface IDashboardGrain : IGrainWithIntegerKey
{
    Task<DashboardView> GetDashboard();
}
