using System.Reflection;
using LiveChat.Server.Hubs;
using LiveChat.Server.Notifications;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.UnitTests.Architecture;

/// <summary>Grains reach people through the notifier only: none of them takes a hub, a hub context, or code of the edges.</summary>
public sealed class GrainsKnowNoHubTests
{
    private static readonly Assembly Server = typeof(INotifier).Assembly;
    private static readonly string[] Edges = ["LiveChat.Server.Hubs", "LiveChat.Server.Http"];

    private static IEnumerable<Type> Grains() => Server.GetTypes().Where(t => typeof(Grain).IsAssignableFrom(t) && !t.IsAbstract);

    [Fact]
    public void NoGrainIsGivenAHubOrAHubContext()
    {
        var offenders = Grains()
            .SelectMany(grain => grain.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => (grain, p.ParameterType))
                .Concat(grain.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Select(f => (grain, f.FieldType))))
            .Where(x => Mentions(x.Item2))
            .Select(x => $"{x.grain.Name}: {x.Item2.Name}")
            .ToList();

        Assert.NotEmpty(Grains());
        Assert.True(offenders.Count == 0, "grains that know a hub: " + string.Join(", ", offenders));
    }

    [Fact]
    public void NoGrainFileImportsTheHubsOrHttp()
    {
        var root = Repository.File("src", "LiveChat.Server");
        var grainFiles = Directory.EnumerateFiles(root, "*Grain*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        var offenders = grainFiles
            .Where(f => File.ReadLines(f).Any(line => Edges.Any(edge => line.Trim() == $"using {edge};") || line.Contains("IHubContext", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        Assert.NotEmpty(grainFiles);
        Assert.True(offenders.Count == 0, "grain files that import a hub or HTTP: " + string.Join(", ", offenders));
    }

    [Fact]
    public void TheSignalRNotifierIsTheOnlyUserOfAHubContext()
    {
        var users = Server.GetTypes()
            .Where(t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).SelectMany(c => c.GetParameters())
                .Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() is var d && (d == typeof(IHubContext<>) || d == typeof(IHubContext<,>))))
            .Select(t => t.Name)
            .ToList();

        Assert.Equal([nameof(SignalRNotifier)], users);
    }

    private static bool Mentions(Type type) =>
        (type.Namespace is { } ns && Edges.Contains(ns))
        || typeof(Hub).IsAssignableFrom(type)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(IHubContext<>) || type.GetGenericTypeDefinition() == typeof(IHubContext<,>) || type.GetGenericArguments().Any(Mentions)));
}
