using System.Reflection;
using System.Text;
using System.Text.Json;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Hostile hub arguments from a seeded <see cref="Random"/>: the right types with edge values most of the time, any
/// JSON type some of the time, nulls, strings just under and over the limits, unicode that breaks naive code.
/// </summary>
internal sealed class FuzzInput(Random random)
{
    private IReadOnlyList<string> _ids = [];

    /// <summary>More than one hub frame may hold (64 KiB): the server closes the connection on it.</summary>
    public const int OverFrame = 70_000;

    /// <summary>Fits in a hub frame, far over any text limit.</summary>
    public const int UnderFrame = 60_000;

    // Each valid UTF-16 (the .NET client cannot serialise a lone surrogate; the raw-frame test sends those).
    private static readonly string[] Unicode =
    [
        "\u202Egnp.exe", "abc\u202Edef\u202C", "\u200D\u200D\u200D", "👩‍👩‍👧‍👦", "🇺🇳🏳️‍🌈", "a\0b", "\0",
        "e" + new string('\u0301', 3000), "Z̴̢̛̪̞̰͍̓̊͊a̸̧̮̿l̵̹̓g̶̙͊o̵͚͐", "\uFEFF", "\uFFFF\uFFFE", "line\u2028sep\u2029", "\u0007\u001b[31mred",
        "\r\n\r\n", "\t", "مرحبا بالعالم", "שלום", "𝕳𝖊𝖑𝖑𝖔", "\uD83D\uDE00", "ﷺ", "\u00A0", "%s%n%x", "{0}", "'; DROP TABLE conversations; --",
        "../../etc/passwd", "c_", "v_00000000000000000000000000000000", "null", "undefined", "NaN", "__proto__", "constructor",
    ];

    private static readonly string[] Json =
    [
        "{}", "[]", "[1,2,3]", "{\"a\":{\"b\":[null,true,1.5e300]}}", "{\"conversationId\":\"c_x\"}", "[[[[[[[[[[]]]]]]]]]]",
        "{\"queue\":{\"$ref\":\"#\"}}", "1e400", "-0", "\"\"", "{\"__proto__\":{\"admin\":true}}",
    ];

    private static readonly object[] Numbers =
    [
        0, 1, -1, 2, 5, 6, 499, 500, 501, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 1.5, -0.0, double.MaxValue, 1e-300, 4_294_967_296L,
    ];

    /// <summary>Arguments for <paramref name="method"/>, with conversation ids drawn mostly from <paramref name="ids"/>.</summary>
    public object?[] Arguments(MethodInfo method, IReadOnlyList<string> ids)
    {
        _ids = ids;
        var parameters = method.GetParameters();
        var count = random.Next(10) < 8 ? parameters.Length : random.Next(0, 6);
        var args = new object?[count];
        for (var i = 0; i < count; i++)
            args[i] = i < parameters.Length && random.Next(10) < 7 ? Typed(parameters[i]) : AnyValue();
        return args;
    }

    public object? AnyValue() => random.Next(8) switch
    {
        0 => null,
        1 => Numbers[random.Next(Numbers.Length)],
        2 => random.Next(2) == 0,
        3 => JsonDocument.Parse(Json[random.Next(Json.Length)]).RootElement.Clone(),
        4 => Deep(random.Next(10, 60)), // the .NET client writes at most 64 levels; the raw-frame test goes deeper
        5 => new[] { AnyString(), AnyString() },
        _ => AnyString(),
    };

    public string? AnyString() => random.Next(20) switch
    {
        0 => null,
        1 => "",
        2 => "   ",
        3 => random.Next(4) == 0 ? new string('x', OverFrame) : new string('y', UnderFrame),
        4 => new string('z', random.Next(3990, 4010)),
        5 => new string('q', random.Next(95, 105)),
        6 or 7 or 8 => Unicode[random.Next(Unicode.Length)],
        9 or 10 or 11 or 12 => Id(),
        _ => Words(),
    };

    private object? Typed(ParameterInfo parameter)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (random.Next(12) == 0)
            return null;
        if (type == typeof(string))
            return parameter.Name switch
            {
                "conversationId" => Id(),
                "status" => random.Next(3) == 0 ? AnyString() : new[] { "Online", "Away", "Offline", "online", "0", "1", "3", "Busy", "Online,Away", "-1" }[random.Next(10)],
                "queue" => random.Next(3) == 0 ? AnyString() : new[] { "support", "sales", "nowhere", "SUPPORT", "" }[random.Next(5)],
                "agentId" => random.Next(3) == 0 ? AnyString() : new[] { "ada", "sue", "ADA", "mallory", "" }[random.Next(5)],
                _ => AnyString(),
            };
        if (type == typeof(long) || type == typeof(int))
            return Numbers[random.Next(Numbers.Length)];
        if (type == typeof(bool))
            return random.Next(2) == 0;
        return Record(type);
    }

    /// <summary>A JSON object with the record's own fields (camelCase) holding anything, and sometimes a stray one.</summary>
    private Dictionary<string, object?> Record(Type type)
    {
        var fields = new Dictionary<string, object?>();
        foreach (var property in type.GetProperties())
        {
            if (random.Next(4) == 0)
                continue;
            var name = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            fields[name] = random.Next(3) == 0 ? AnyValue()
                : propertyType == typeof(string) ? (name is "queue" or "toQueue" ? "support" : name == "toAgentId" ? "sue" : AnyString())
                : propertyType == typeof(int) || propertyType == typeof(long) ? Numbers[random.Next(Numbers.Length)]
                : propertyType == typeof(bool) ? random.Next(2) == 0
                : AnyValue();
        }
        if (random.Next(5) == 0)
            fields["extra"] = AnyValue();
        return fields;
    }

    private string Id() => random.Next(6) switch
    {
        0 => "c_" + Guid.NewGuid().ToString("N"),
        1 => Unicode[random.Next(Unicode.Length)],
        _ => _ids.Count > 0 ? _ids[random.Next(_ids.Count)] : "c_none",
    };

    private string Words()
    {
        var text = new StringBuilder();
        for (var i = random.Next(1, 8); i > 0; i--)
            text.Append("lorem ipsum <b>dolor</b> sit 😀 amet ".Split(' ')[random.Next(7)]).Append(' ');
        return text.ToString();
    }

    private static JsonElement Deep(int depth) =>
        JsonDocument.Parse(new string('[', depth) + new string(']', depth), new JsonDocumentOptions { MaxDepth = 1000 }).RootElement.Clone();
}
