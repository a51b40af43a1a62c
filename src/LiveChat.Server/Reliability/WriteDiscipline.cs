namespace LiveChat.Server.Reliability;

/// <summary>
/// How every grain writes: to its state, and a conversation to its message log. A write that fails may not have been
/// applied, or may have been applied with its answer lost (Redis away for a moment); either way the grain's memory can
/// no longer be trusted to match what is stored (a changed field, a stale etag, a seq the log already has). So the grain
/// deactivates as soon as the call ends, before anything else reaches it, and the error goes on to the caller, who
/// retries: the retry finds a fresh activation loaded from what is stored, and does whatever is left to do.
/// </summary>
public static class WriteDiscipline
{
    /// <summary>Runs <paramref name="write"/>; when it fails, the grain is deactivated once this call ends and the error goes on.</summary>
    public static async Task<T> WriteOrDeactivate<T>(this IGrainBase grain, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }

    /// <inheritdoc cref="WriteOrDeactivate{T}"/>
    public static Task WriteOrDeactivate(this IGrainBase grain, Func<Task> write) =>
        grain.WriteOrDeactivate(async () => { await write(); return true; });

    /// <summary>Writes the grain's state under the discipline above.</summary>
    public static Task Save<T>(this IPersistentState<T> state, IGrainBase grain) => grain.WriteOrDeactivate(state.WriteStateAsync);
}
