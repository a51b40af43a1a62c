namespace LiveChat.Server.Hosting;

/// <summary>
/// Grain references for the calls a message makes, without Orleans' lookup of the grain interface on every
/// <c>GetGrain&lt;T&gt;(key)</c>, which reads the interface's attributes and formats its name each time: 5% of a node's
/// CPU on the chat path (perf, docs/performance.md, issue 18). The grain type and interface type are learned once per
/// interface from an ordinary reference; each reference after that is made from its id alone, and is the same reference
/// <c>GetGrain</c> returns.
/// </summary>
public static class GrainReferences
{
    public static T Reference<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey
    {
        var types = Types<T>.Of(grains);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
    }

    // A class, so a thread reads either no types or both, never half of them.
    private sealed record Kinds(GrainType Grain, GrainInterfaceType Interface);

    private static class Types<T> where T : IGrainWithStringKey
    {
        private static Kinds? _kinds;

        public static Kinds Of(IGrainFactory grains)
        {
            if (_kinds is { } known)
                return known;
            var sample = (GrainReference)(object)grains.GetGrain<T>("-");
            return _kinds = new Kinds(sample.GrainId.Type, sample.InterfaceType);
        }
    }
}
