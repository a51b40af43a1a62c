using Microsoft.Extensions.Configuration;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// An in-memory configuration source that a test can change while the node runs, raising the same reload signal as
/// an edited appsettings.json with reloadOnChange.
/// </summary>
public sealed class ReloadableSettings(IDictionary<string, string?> initial) : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public override void Load() => Data = new Dictionary<string, string?>(initial, StringComparer.OrdinalIgnoreCase);

    /// <summary>Applies <paramref name="change"/> to the current settings and reloads them.</summary>
    public void Change(Action<IDictionary<string, string?>> change)
    {
        var next = new Dictionary<string, string?>(Data, StringComparer.OrdinalIgnoreCase);
        change(next);
        Data = next;
        OnReload();
    }
}
