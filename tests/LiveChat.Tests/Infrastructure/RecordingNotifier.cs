using System.Reflection;
using LiveChat.Server.Notifications;

namespace LiveChat.Tests.Infrastructure;

/// <summary>An event a grain pushed: to whom (<c>visitor:id</c>, <c>agent:id</c>, <c>watchers:id</c>, <c>supervisors</c> or <c>everyone</c>), which, and with what.</summary>
public sealed record Push(string Audience, string Event, IReadOnlyList<object?> Args)
{
    public T Arg<T>() => Args.OfType<T>().Single();
}

/// <summary>
/// The grain tests' notifier: it records every push instead of sending it, so a test asserts what a person would have
/// been shown. One instance serves every silo of the test cluster.
/// </summary>
public sealed class RecordingNotifier : INotifier
{
    private readonly Lock _lock = new();
    private readonly List<Push> _pushes = [];
    private readonly List<(Func<Push, bool> Match, TaskCompletionSource<Push> Found)> _waiting = [];

    public IVisitorClient Visitor(string visitorId) => Recorder<IVisitorClient>($"visitor:{visitorId}");

    public IAgentClient Agent(string agentId) => Recorder<IAgentClient>($"agent:{agentId}");

    public ISupervisorClient Watchers(string conversationId) => Recorder<ISupervisorClient>($"watchers:{conversationId}");

    public ISupervisorClient Supervisors() => Recorder<ISupervisorClient>("supervisors");

    public IVisitorClient AllVisitors() => Recorder<IVisitorClient>("all-visitors");

    public IAnnouncementClient Everyone() => Recorder<IAnnouncementClient>("everyone");

    /// <summary>What was pushed to <paramref name="audience"/> so far, oldest first.</summary>
    public IReadOnlyList<Push> To(string audience)
    {
        lock (_lock)
            return _pushes.Where(p => p.Audience == audience).ToList();
    }

    /// <summary>The first push, past or future, to <paramref name="audience"/> of <paramref name="event"/> that matches; fails after 10 s.</summary>
    public async Task<Push> WaitFor(string audience, string @event, Func<Push, bool>? match = null)
    {
        bool Matches(Push p) => p.Audience == audience && p.Event == @event && (match?.Invoke(p) ?? true);
        var found = new TaskCompletionSource<Push>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_pushes.Find(Matches) is { } earlier)
                return earlier;
            _waiting.Add((Matches, found));
        }
        try
        {
            return await found.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {@event} was pushed to {audience} within 10 s; it got: {string.Join(", ", To(audience).Select(p => p.Event))}");
        }
    }

    private void Record(Push push)
    {
        List<TaskCompletionSource<Push>> found;
        lock (_lock)
        {
            _pushes.Add(push);
            found = _waiting.Where(w => w.Match(push)).Select(w => w.Found).ToList();
            _waiting.RemoveAll(w => found.Contains(w.Found));
        }
        foreach (var waiter in found)
            waiter.TrySetResult(push);
    }

    private T Recorder<T>(string audience) where T : class
    {
        var proxy = DispatchProxy.Create<T, RecordingClient>();
        ((RecordingClient)(object)proxy).Bind(audience, Record);
        return proxy;
    }

    /// <summary>A client interface whose every event is recorded.</summary>
    public class RecordingClient : DispatchProxy
    {
        private string _audience = "";
        private Action<Push> _record = _ => { };

        internal void Bind(string audience, Action<Push> record) => (_audience, _record) = (audience, record);

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            _record(new Push(_audience, method!.Name, args ?? []));
            return Task.CompletedTask;
        }
    }
}
