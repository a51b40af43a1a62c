namespace LiveChat.Contracts;

/// <summary>Events the server sends to supervisors on <c>/hubs/supervisor</c>.</summary>
public interface ISupervisorClient
{
    Task DashboardUpdated(DashboardView dashboard);
}
