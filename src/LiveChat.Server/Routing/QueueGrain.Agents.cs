using LiveChat.Server.Reliability;

namespace LiveChat.Server.Routing;

/// <summary>The queue's view of its agents: a cache of their status and load, corrected by their reports and by asking.</summary>
public sealed partial class QueueGrain
{
    // Agents' status and load as last reported; rebuilt from the agent grains on activation.
    private readonly Dictionary<string, AgentView> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastAssignedAt = new(StringComparer.Ordinal);
    private HashSet<string> _serving = [];
    // Chats from this queue that agents held when it was activated, by conversation id: see AskAgents.
    private readonly Dictionary<string, string> _heldBy = new(StringComparer.Ordinal);

    public async Task AgentChanged(AgentView agent)
    {
        // Only agents configured for this queue take its chats, whatever conversations they happen to hold.
        if (!_serving.Contains(agent.AgentId))
            return;
        _agents[agent.AgentId] = agent;
        if (agent.HasFreeCapacity)
            await DispatchWaiting();
        // Free capacity changes every estimate, and the dashboard shows the agent's load.
        await RequestRound();
    }

    /// <summary>
    /// Asks every agent of the queue for their view now and then. The agents tell the queue of each change one way, and a
    /// node that dies takes such notices with it; worse, an agent grain that lived on it stays gone until something
    /// calls it, and only then does its grace period start and its chats come back if the agent never returns. This
    /// call is that something (and StandingGrains sees that this queue is active to make it), and it corrects the
    /// queue's view of every agent.
    /// </summary>
    private async Task RefreshAgents(CancellationToken cancellationToken)
    {
        await AskAgents();
        await DispatchAndTell();
    }

    private async Task DispatchAndTell()
    {
        if (await DispatchWaiting())
            await RequestRound();
    }

    /// <summary>
    /// Every serving agent's view, all at once and not for long: an agent grain on a node being evicted must not hold
    /// the queue up (nor its activation). One that does not answer is asked again at the next refresh.
    /// On activation (<paramref name="andWhatTheyHold"/>), also what each holds from this queue. A slot is reserved with
    /// the agent before the write that takes the chat out of the line: when that write fails, this grain deactivates
    /// (see WriteDiscipline), and its next activation finds the chat waiting again (or asked for again) while the agent
    /// holds its slot. Such a chat goes to that agent (see <see cref="Dispatch"/>), not to a second one, which would
    /// leave the first with a slot nobody uses. A chat noted here that comes back to the line later, released by its
    /// agent in between (transferred, handed back), is first offered to that agent again, who takes it by the usual
    /// rules or not at all.
    /// </summary>
    private async Task AskAgents(bool andWhatTheyHold = false)
    {
        var asked = _serving.Select(id => Agent(id).ReportTo(Name).WaitAsync(TimeSpan.FromSeconds(2))).ToList();
        foreach (var answer in asked)
        {
            try
            {
                var (view, held) = await answer;
                _agents[view.AgentId] = view;
                if (andWhatTheyHold)
                {
                    foreach (var conversationId in held)
                        _heldBy[conversationId] = view.AgentId;
                }
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                logger.LogDebug("Queue {Queue}: an agent did not answer, asked again at the next refresh: {Error}", Name, ex.Message);
            }
        }
    }

    private IAgentGrain Agent(string agentId) => GrainFactory.GetGrain<IAgentGrain>(agentId);
}
