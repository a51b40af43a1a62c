namespace LiveChat.Contracts;

/// <summary>A queue's canned responses (key: queue name), shared by its agents and managed by supervisors.</summary>
public interface ICannedResponsesGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<CannedResponse>> GetAll();

    Task<CannedResponse> Save(Caller caller, CannedResponseRequest request);

    Task Delete(Caller caller, string id);
}
