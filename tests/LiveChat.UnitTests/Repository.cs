namespace LiveChat.UnitTests;

/// <summary>The repository these tests were built from, for the tests that read its sources.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "LiveChat.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("LiveChat.sln not found above " + AppContext.BaseDirectory);
    }
}
