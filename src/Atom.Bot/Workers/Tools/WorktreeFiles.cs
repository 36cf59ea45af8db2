using System.Text;

namespace Atom.Bot.Workers.Tools;

/// <summary>File access the tools share, for paths the <see cref="ScopeGuard"/> has already allowed.</summary>
internal static class WorktreeFiles
{
    /// <summary>A file with a NUL byte among its first this many bytes is treated as binary.</summary>
    public const int BinaryProbeBytes = 8000;

    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Null when <paramref name="decision"/> names an existing file, else the error to answer.</summary>
    public static ToolOutcome? FileProblem(PathDecision decision)
    {
        if (Directory.Exists(decision.FullPath))
        {
            return ToolOutcome.Error(ToolFailure.WrongKind, $"'{decision.RelativePath}' is a folder; use list_files.");
        }

        return File.Exists(decision.FullPath) ? null : ToolOutcome.Error(ToolFailure.NotFound, $"'{decision.RelativePath}' does not exist.");
    }

    /// <summary>The first <paramref name="limit"/> bytes and the file's length. An empty file (as FIFOs and devices report) is never opened.</summary>
    public static async Task<(byte[] Head, long Length)> ReadHeadAsync(string fullPath, int limit, CancellationToken cancellationToken)
    {
        var length = new FileInfo(fullPath).Length;
        if (length == 0)
        {
            return ([], 0);
        }

        await using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.Asynchronous);
        var head = new byte[(int)Math.Min(length, limit)];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return (read == head.Length ? head : head[..read], length);
    }

    public static async Task WriteAtomicallyAsync(string fullPath, string content, CancellationToken cancellationToken)
    {
        // A new file renamed over the target: a link or hard link that appeared at the target since the check is
        // replaced, never written through.
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Join(folder, $".atom-write-{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllTextAsync(temporary, content, Utf8, cancellationToken);
            if (!OperatingSystem.IsWindows() && File.Exists(fullPath))
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(fullPath));
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static bool IsBinary(byte[] head) => head.AsSpan(0, Math.Min(head.Length, BinaryProbeBytes)).Contains((byte)0);

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence cut at its end.</summary>
    public static int CompleteUtf8Length(byte[] bytes)
    {
        var end = bytes.Length;
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? end - back : end;
        }

        return end;
    }
}
