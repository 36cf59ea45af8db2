using LibGit2Sharp;

namespace Atom.Bot.Tests.Retrieval;

/// <summary>A throwaway git repository (with a work tree) whose commits tests write file by file.</summary>
internal sealed class ScratchRepository : IDisposable
{
    private static readonly Signature Author = new("Test Author", "author@example.com", DateTimeOffset.UnixEpoch);

    private ScratchRepository(string root) => Root = root;

    public string Root { get; }

    public static ScratchRepository Create(IReadOnlyDictionary<string, string> files)
    {
        var root = Directory.CreateTempSubdirectory("atom-retrieval-").FullName;
        Repository.Init(root);
        var scratch = new ScratchRepository(root);
        scratch.Commit(files.ToDictionary(f => f.Key, f => (string?)f.Value));
        return scratch;
    }

    /// <summary>Writes (or, for a null content, deletes) each file and commits; returns the commit's SHA.</summary>
    public string Commit(IReadOnlyDictionary<string, string?> files)
    {
        using var repository = new Repository(Root);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Root, path);
            if (content is null)
            {
                File.Delete(full);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, content);
            }

            Commands.Stage(repository, path);
        }

        return repository.Commit("change", Author, Author).Sha;
    }

    public void Dispose()
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(Root, recursive: true);
    }
}
