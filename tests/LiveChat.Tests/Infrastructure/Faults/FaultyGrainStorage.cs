using Orleans.Storage;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// Grain storage that fails the reads and writes a test planned (<see cref="Faults"/>). A write failed after it was applied keeps
/// the grain's old etag, as a lost answer from Redis does: the store has the new state, the grain does not know it.
/// </summary>
public sealed class FaultyGrainStorage(IGrainStorage storage, Faults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        faults.Take(Faults.Store.Read, grainId.ToString()) is null
            ? storage.ReadStateAsync(stateName, grainId, grainState)
            : throw Faults.ReadError(grainId.ToString());

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var fault = faults.Take(Faults.Store.State, grainId.ToString(), grainState.State);
        if (fault == FaultAt.BeforeApplied)
            throw Faults.Error(FaultAt.BeforeApplied, grainId.ToString());
        var (etag, existed) = (grainState.ETag, grainState.RecordExists);
        await storage.WriteStateAsync(stateName, grainId, grainState);
        if (fault != FaultAt.AfterApplied)
            return;
        (grainState.ETag, grainState.RecordExists) = (etag, existed);
        throw Faults.Error(FaultAt.AfterApplied, grainId.ToString());
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => storage.ClearStateAsync(stateName, grainId, grainState);
}
