using LiveChat.Contracts;
using LiveChat.Server.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary><c>/hubs/supervisor</c>: the floor as supervisors see it.</summary>
[Authorize(Policy = Policies.Supervisor)]
public sealed class SupervisorHub(IGrainFactory grains) : Hub<ISupervisorClient>
{
    public Task<DashboardView> GetDashboard() => grains.GetGrain<IDashboardGrain>(0).GetDashboard();
}
