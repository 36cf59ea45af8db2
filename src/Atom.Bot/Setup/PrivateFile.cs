namespace Atom.Bot.Setup;

/// <summary>A new file only its owner may read (0600 from the moment it exists), never written over an existing one.</summary>
public static class PrivateFile
{
    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/>; false, and nothing written, when it exists.</summary>
    public static async Task<bool> TryCreateAsync(string path, string content, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path) || Directory.Exists(path))
        {
            return false;
        }

        await using (stream)
        {
            await using var writer = new StreamWriter(stream);
            await writer.WriteAsync(content.AsMemory(), cancellationToken);
        }

        return true;
    }
}
