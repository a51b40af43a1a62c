using Npgsql;

namespace LiveChat.Server.History;

/// <summary>
/// The history's tables, brought up to date when a node starts: the scripts in <c>History/Migrations</c> (embedded in
/// the server), applied in the order of their numbers, each once, each in the transaction that records it. Nodes that
/// start together take turns on an advisory lock, so a script never runs twice.
/// </summary>
public static class HistorySchema
{
    private const string Prefix = "LiveChat.Server.History.Migrations.";

    /// <summary>The migrations shipped with this build: number, name and script, in order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Script)> Migrations { get; } = Load();

    /// <summary>Applies what the database lacks; returns the numbers it applied (none when it was up to date).</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_xact_lock(hashtext('livechat-history-schema'))", cancellationToken);
        await Execute(connection, """
            CREATE TABLE IF NOT EXISTS livechat_schema (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);
        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM livechat_schema", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(reader.GetInt32(0));
        }
        var now = new List<int>();
        foreach (var (version, name, script) in Migrations.Where(m => !applied.Contains(m.Version)))
        {
            await Execute(connection, script, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO livechat_schema (version, name) VALUES ($1, $2)", connection)
            {
                Parameters = { new() { Value = version }, new() { Value = name } },
            };
            await record.ExecuteNonQueryAsync(cancellationToken);
            now.Add(version);
        }
        await transaction.CommitAsync(cancellationToken);
        return now;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> Load()
    {
        var assembly = typeof(HistorySchema).Assembly;
        var migrations = new List<(int Version, string Name, string Script)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            var number = name.Split('_', 2)[0];
            if (!int.TryParse(number, out var version))
                throw new InvalidOperationException($"migration {name} does not start with its number (0001_...)");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((version, name, reader.ReadToEnd()));
        }
        if (migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidOperationException($"two migrations are number {twice.Key}");
        return [.. migrations.OrderBy(m => m.Version)];
    }
}
