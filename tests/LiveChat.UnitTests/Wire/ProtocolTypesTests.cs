using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LiveChat.Server.Hubs;

namespace LiveChat.UnitTests.Wire;

/// <summary>
/// The web pages' wire types (src/LiveChat.Web/src/shared/protocol.ts) against the C# records the server sends and
/// takes: the C# records are the one source, and this test fails the moment the two disagree on a field, its type or
/// whether it can be null, or when the server sends or takes a record the pages do not declare.
/// </summary>
public sealed partial class ProtocolTypesTests
{
    private static readonly Assembly Contracts = typeof(ConversationView).Assembly;
    private static readonly NullabilityInfoContext Nullability = new();

    // The TypeScript names that differ from the C# ones.
    private static readonly Dictionary<string, Type> Renamed = new()
    {
        ["VisitorSession"] = typeof(VisitorSessionResponse),
        ["StaffToken"] = typeof(TokenResponse),
    };

    // String-literal types and the C# constants they spell out.
    private static readonly Dictionary<string, IReadOnlyCollection<string>> Literals = new()
    {
        ["Role"] = Constants(typeof(Roles)),
        ["MessageKind"] = Constants(typeof(MessageKinds)),
        ["Severity"] = [.. AnnouncementSeverities.All],
    };

    // What the pages receive and send over HTTP, beside what the hubs' methods and events carry.
    private static readonly Type[] HttpRecords =
    [
        typeof(TokenRequest), typeof(TokenResponse), typeof(VisitorSessionRequest), typeof(VisitorSessionResponse),
        typeof(QueueAvailability), typeof(OfflineMessageRequest), typeof(OfflineMessage),
    ];

    private static readonly Lazy<Protocol> Ts = new(() => Protocol.Parse(File.ReadAllText(Repository.File("src", "LiveChat.Web", "src", "shared", "protocol.ts"))));

    [Fact]
    public void EveryTypeInProtocolTsHasTheFieldsTypesAndNullsOfItsCSharpRecord()
    {
        var mismatches = new List<string>();
        foreach (var (name, fields) in Ts.Value.Interfaces)
        {
            if (CSharpType(name) is not { } type)
            {
                mismatches.Add($"{name}: no C# wire record of that name");
                continue;
            }
            var properties = WireProperties(type).ToDictionary(p => JsonName(p), StringComparer.Ordinal);
            foreach (var missing in properties.Keys.Except(fields.Keys))
                mismatches.Add($"{name}.{missing}: sent by the server, not declared");
            foreach (var (field, ts) in fields)
            {
                if (!properties.TryGetValue(field, out var property))
                    mismatches.Add($"{name}.{field}: declared, but {type.Name} has no such field");
                else if (ts.Optional && !IsRequest(type))
                    mismatches.Add($"{name}.{field}: declared optional (?), but the server always sends it");
                else if (Mismatch(property, ts.Type) is { } why)
                    mismatches.Add($"{name}.{field}: {why}");
            }
        }
        foreach (var (alias, literals) in Ts.Value.Aliases)
        {
            var expected = Contracts.GetType($"LiveChat.Contracts.{alias}") is { IsEnum: true } e ? Enum.GetNames(e) : Literals.GetValueOrDefault(alias);
            if (expected is null)
                mismatches.Add($"type {alias}: no C# enum or constants of that name");
            else if (!literals.ToHashSet().SetEquals(expected))
                mismatches.Add($"type {alias}: declares {string.Join(" | ", literals)}, the server has {string.Join(" | ", expected)}");
        }
        Assert.True(mismatches.Count == 0, "protocol.ts and the C# wire records disagree:\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public void EveryRecordTheServerSendsOrTakesIsDeclaredInProtocolTs()
    {
        var declared = Ts.Value.Interfaces.Keys.Select(CSharpType).Concat(Ts.Value.Aliases.Keys.Select(a => Contracts.GetType($"LiveChat.Contracts.{a}"))).ToHashSet();
        var undeclared = OnTheWire().Where(t => !declared.Contains(t)).Select(t => t.Name).Order().ToList();

        Assert.True(undeclared.Count == 0, "the server sends or takes these, but protocol.ts does not declare them: " + string.Join(", ", undeclared));
    }

    /// <summary>Every record and enum reachable from the hubs' methods and events and the HTTP API.</summary>
    private static HashSet<Type> OnTheWire()
    {
        var hubs = new[] { typeof(VisitorHub), typeof(AgentHub), typeof(SupervisorHub) };
        var clients = new[] { typeof(IVisitorClient), typeof(IAgentClient), typeof(ISupervisorClient) };
        var roots = hubs.SelectMany(h => h.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.DeclaringType!.Assembly == typeof(VisitorHub).Assembly && !m.IsSpecialName && !m.Name.StartsWith("On", StringComparison.Ordinal))
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
            .Concat(clients.SelectMany(c => c.GetInterfaces().Append(c)).SelectMany(c => c.GetMethods()).SelectMany(m => m.GetParameters().Select(p => p.ParameterType)))
            .Concat(HttpRecords);
        var found = new HashSet<Type>();
        var pending = new Stack<Type>(roots);
        while (pending.TryPop(out var type))
        {
            foreach (var inner in Unwrap(type))
            {
                if (inner.Assembly != Contracts || !found.Add(inner) || inner.IsEnum)
                    continue;
                foreach (var property in WireProperties(inner))
                    pending.Push(property.PropertyType);
            }
        }
        return found;
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            return Unwrap(underlying);
        if (type.IsArray)
            return Unwrap(type.GetElementType()!);
        if (type.IsGenericType)
            return type.GetGenericArguments().SelectMany(Unwrap);
        return [type];
    }

    private static IEnumerable<PropertyInfo> WireProperties(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    /// <summary>What the pages send may leave a field out (it is then null, or its default); what the server sends has every field.</summary>
    private static bool IsRequest(Type type) => type.Name.EndsWith("Request", StringComparison.Ordinal) || type.Name.EndsWith("Query", StringComparison.Ordinal);

    private static string JsonName(PropertyInfo property) => JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    private static Type? CSharpType(string tsName) =>
        Renamed.TryGetValue(tsName, out var renamed) ? renamed
        : Contracts.GetType($"LiveChat.Contracts.{tsName}") is { IsEnum: false } type ? type
        : null;

    private static string TsName(Type type) => Renamed.FirstOrDefault(r => r.Value == type).Key ?? type.Name;

    /// <summary>Why the TypeScript type does not describe the property as the server sends it, or null when it does.</summary>
    private static string? Mismatch(PropertyInfo property, string ts)
    {
        var alternatives = ts.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var tsNullable = alternatives.Remove("null");
        var csNullable = Nullability.Create(property).ReadState == NullabilityState.Nullable;
        if (tsNullable != csNullable)
            return csNullable ? "the server may send null, the type does not say so" : "declared as possibly null, but the server never sends null";
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return Describes(type, alternatives) ? null : $"declared {string.Join(" | ", alternatives)}, the server sends {type.Name}";
    }

    private static bool Describes(Type type, IReadOnlyList<string> ts)
    {
        if (ts.Count > 1 || (ts.Count == 1 && ts[0].StartsWith('"')))
            return type == typeof(string) && ts.All(t => t.StartsWith('"'));
        var single = ts.Single();
        if (single.EndsWith("[]", StringComparison.Ordinal))
            return ElementType(type) is { } element && Describes(element, [single[..^2]]);
        return single switch
        {
            "string" => type == typeof(string) || type == typeof(DateTimeOffset),
            "number" => type == typeof(int) || type == typeof(long) || type == typeof(double),
            "boolean" => type == typeof(bool),
            _ when Literals.ContainsKey(single) => type == typeof(string),
            _ => TsName(type) == single,
        };
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type) ? element
        : null;

    private static IReadOnlyCollection<string> Constants(Type holder) =>
        holder.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

    private sealed record TsField(string Type, bool Optional);

    /// <summary>The exported interfaces (field by field) and string-literal types of protocol.ts.</summary>
    private sealed partial record Protocol(Dictionary<string, Dictionary<string, TsField>> Interfaces, Dictionary<string, string[]> Aliases)
    {
        public static Protocol Parse(string source)
        {
            var code = Comments().Replace(source, "");
            var interfaces = InterfaceDeclaration().Matches(code).ToDictionary(
                m => m.Groups["name"].Value,
                m => Field().Matches(m.Groups["body"].Value).ToDictionary(f => f.Groups["field"].Value, f => new TsField(f.Groups["type"].Value.Trim(), f.Groups["optional"].Success)));
            var aliases = AliasDeclaration().Matches(code).ToDictionary(
                m => m.Groups["name"].Value,
                m => m.Groups["literals"].Value.Split('|', StringSplitOptions.TrimEntries).Select(l => l.Trim('"')).ToArray());
            return new Protocol(interfaces, aliases);
        }

        [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
        private static partial Regex Comments();

        [GeneratedRegex(@"export interface (?<name>\w+) \{(?<body>[^}]*)\}")]
        private static partial Regex InterfaceDeclaration();

        [GeneratedRegex(@"(?<field>\w+)(?<optional>\?)?:\s*(?<type>[^;]+);")]
        private static partial Regex Field();

        [GeneratedRegex(@"export type (?<name>\w+) = (?<literals>""[^;]*"");")]
        private static partial Regex AliasDeclaration();
    }
}
