using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveChat.Server.Visitors;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary>
/// SignalR's JSON hub protocol, except that a call whose arguments cannot be bound (too few or too many, or a value of
/// the wrong JSON type) is refused in words, as every other refusal is. SignalR passes on only a HubException's message,
/// so without this a client sees a bare "Failed to invoke 'X' due to an error on the server." and cannot tell why.
/// A frame that is not valid hub JSON at all still closes the connection, as SignalR does.
/// </summary>
internal sealed class WordedJsonHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _json = new(options);

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        // A message of a type the protocol does not know is read and ignored, but reported as "no message", which made
        // SignalR stop reading the rest of what had arrived until more came in: skip it and read on.
        long before;
        do
        {
            before = input.Length;
            if (_json.TryParseMessage(ref input, binder, out message))
            {
                message = Worded(message, binder);
                return true;
            }
        }
        while (input.Length < before && input.Length > 0);
        return false;
    }

    private static HubMessage Worded(HubMessage message, IInvocationBinder binder)
    {
        if (message is not InvocationBindingFailureMessage failure || failure.BindingFailure.SourceException is HubException)
            return message;
        var refusal = new HubException(Describe(failure.Target, failure.BindingFailure.SourceException, binder));
        return new InvocationBindingFailureMessage(failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(refusal));
    }

    /// <summary>For example <c>wrong arguments for SendMessage(string, string, string): it takes 3 arguments, not 2</c>.</summary>
    private static string Describe(string target, Exception failure, IInvocationBinder binder)
    {
        IReadOnlyList<Type> expected;
        try
        {
            expected = binder.GetParameterTypes(target);
        }
        catch (HubException)
        {
            return $"unknown method: {VisitorFields.Shorten(target)}";
        }
        var why = failure switch
        {
            _ when Regex.Match(failure.Message, @"^Invocation provides (\d+) argument") is { Success: true } count =>
                $"it takes {expected.Count} argument(s), not {count.Groups[1].Value} (pass null for an optional one)",
            { InnerException: JsonException { Path: { Length: > 2 } path } } => $"the field {path[2..]} has the wrong type",
            { InnerException: JsonException json } when Regex.Match(json.Message, @"converted to ([\w.`\[\]]+)") is { Success: true } type =>
                $"an argument that must be {Article(type.Groups[1].Value.TrimEnd('.'))} is not one",
            _ => "an argument has the wrong JSON type",
        };
        return $"wrong arguments for {target}({string.Join(", ", expected.Select(JsonName))}): {why}";
    }

    private static string Article(string dotnetType) => dotnetType switch
    {
        "System.String" => "a string",
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Boolean" => "true or false",
        _ when dotnetType.StartsWith("System.Nullable", StringComparison.Ordinal) => "a whole number or null",
        _ => "an object",
    };

    private static string JsonName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var core = underlying ?? type;
        var name = core == typeof(string) ? "string"
            : core == typeof(bool) ? "true or false"
            : core == typeof(int) || core == typeof(long) ? "whole number"
            : "object";
        return underlying is not null ? $"{name} or null" : name;
    }
}
