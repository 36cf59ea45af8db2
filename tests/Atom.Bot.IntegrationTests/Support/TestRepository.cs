using System.Diagnostics;
using System.Text;
using Atom.Bot.Git;

namespace Atom.Bot.IntegrationTests.Support;

/// <summary>
/// A real bare repository in a temporary directory, written and read with the git command line (independently of the
/// code under test). <see cref="Root"/> holds <c>&lt;name&gt;.git</c> and can be served by <see cref="GitHttpServer"/>.
/// </summary>
public sealed class TestRepository : IDisposable
{
    public const string Owner = "acme";
    public const string AuthorName = "Test Author";
    public const string AuthorEmail = "author@example.com";

    private TestRepository(string root, string name)
    {
        Root = root;
        Name = name;
        BarePath = Path.Combine(root, name + ".git");
    }

    /// <summary>The directory holding the bare repository (a <c>GIT_PROJECT_ROOT</c>).</summary>
    public string Root { get; }

    public string Name { get; }

    public string BarePath { get; }

    /// <summary>The repository with its local path as clone URL.</summary>
    public RepositoryRef Ref => new(Owner, Name, BarePath);

    /// <summary>A bare repository whose <paramref name="branch"/> has one commit holding <paramref name="files"/> (path → content).</summary>
    public static TestRepository Create(IReadOnlyDictionary<string, string> files, string name = "widgets", string branch = "main")
    {
        ArgumentNullException.ThrowIfNull(files);
        var repository = new TestRepository(Directory.CreateTempSubdirectory("atom-remote-").FullName, name);
        Git(repository.Root, "init", "--bare", "--quiet", "--initial-branch", branch, repository.BarePath);
        repository.Commit(branch, files.ToDictionary(f => f.Key, f => (string?)f.Value), "Initial commit");
        return repository;
    }

    /// <summary>The same repository reached through <paramref name="server"/> (which must serve <see cref="Root"/>).</summary>
    public RepositoryRef RefVia(GitHttpServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new RepositoryRef(Owner, Name, server.RepositoryUrl(Name));
    }

    /// <summary>
    /// Commits on <paramref name="branch"/> (created from <paramref name="from"/>, or from nothing, when it does not
    /// exist): each change writes a file, or deletes it when the content is null; <paramref name="symlinks"/> maps a
    /// path to a link target. Returns the new commit's SHA.
    /// </summary>
    public string Commit(
        string branch,
        IReadOnlyDictionary<string, string?> changes,
        string message = "Change",
        string? from = null,
        IReadOnlyDictionary<string, string>? symlinks = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var work = Directory.CreateTempSubdirectory("atom-remote-work-").FullName;
        try
        {
            Git(work, "init", "--quiet", "--initial-branch", branch);
            Git(work, "fetch", "--quiet", BarePath, "+refs/heads/*:refs/remotes/origin/*");
            var start = Head(branch) ?? (from is null ? null : Head(from) ?? throw new InvalidOperationException($"no branch {from}"));
            if (start is not null)
            {
                Git(work, "checkout", "--quiet", "-B", branch, start);
            }

            foreach (var (path, content) in changes)
            {
                var full = Path.Combine(work, path);
                if (content is null)
                {
                    File.Delete(full);
                }
                else
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                    File.WriteAllText(full, content);
                }
            }

            foreach (var (path, target) in symlinks ?? new Dictionary<string, string>())
            {
                var full = Path.Combine(work, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.CreateSymbolicLink(full, target);
            }

            Git(work, "add", "-A");
            Git(work, "-c", $"user.name={AuthorName}", "-c", $"user.email={AuthorEmail}", "commit", "--quiet", "--allow-empty", "-m", message);
            Git(work, "push", "--quiet", BarePath, $"HEAD:refs/heads/{branch}");
            return Git(work, "rev-parse", "HEAD").Trim();
        }
        finally
        {
            DeleteDirectory(work);
        }
    }

    /// <summary>The SHA <paramref name="branch"/> points at, or null when the branch does not exist.</summary>
    public string? Head(string branch)
    {
        var (code, output) = TryGit(BarePath, "rev-parse", "--verify", "--quiet", $"refs/heads/{branch}^{{commit}}");
        return code == 0 ? output.Trim() : null;
    }

    public IReadOnlyList<string> Branches() =>
        [.. Git(BarePath, "for-each-ref", "--format=%(refname:lstrip=2)", "refs/heads").Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Every file of <paramref name="branch"/>'s tree: path → content (a symlink's content is its target).</summary>
    public IReadOnlyDictionary<string, string> Tree(string branch)
    {
        // One `git cat-file --batch` for all blobs: a process per file is slow on a busy machine.
        var entries = Git(BarePath, "ls-tree", "-r", "-z", $"refs/heads/{branch}")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => (Id: e.Split('\t')[0].Split(' ')[2], Path: e.Split('\t', 2)[1]))
            .ToList();
        var start = new ProcessStartInfo("git", "cat-file --batch") { WorkingDirectory = BarePath, RedirectStandardInput = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(string.Concat(entries.Select(e => e.Id + "\n")));
        process.StandardInput.Close();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();

        var bytes = output.ToArray();
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        foreach (var (_, path) in entries)
        {
            var headerEnd = Array.IndexOf(bytes, (byte)'\n', position);
            var size = int.Parse(Encoding.ASCII.GetString(bytes, position, headerEnd - position).Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
            files[path] = Encoding.UTF8.GetString(bytes, headerEnd + 1, size);
            position = headerEnd + 1 + size + 1;
        }

        return files;
    }

    /// <summary>The mode of <paramref name="path"/> in <paramref name="branch"/>'s tree (<c>100644</c>, <c>120000</c> for a symlink, ...), or null.</summary>
    public string? Mode(string branch, string path)
    {
        var line = Git(BarePath, "ls-tree", $"refs/heads/{branch}", "--", path).Trim();
        return line.Length == 0 ? null : line.Split(' ')[0];
    }

    /// <summary>The full message of the commit at <paramref name="revision"/> (a branch name or a SHA).</summary>
    public string Message(string revision) => Git(BarePath, "log", "-1", "--format=%B", Revision(revision)).TrimEnd('\n') + "\n";

    /// <summary>Author and committer of the commit at <paramref name="revision"/>, as <c>Name &lt;email&gt;</c>.</summary>
    public (string Author, string Committer) Identity(string revision)
    {
        var lines = Git(BarePath, "log", "-1", "--format=%an <%ae>%n%cn <%ce>", Revision(revision)).Split('\n');
        return (lines[0], lines[1]);
    }

    /// <summary>The SHAs of the parents of the commit at <paramref name="revision"/>.</summary>
    public IReadOnlyList<string> Parents(string revision) =>
        [.. Git(BarePath, "log", "-1", "--format=%P", Revision(revision)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>How many commits <paramref name="branch"/> has that <paramref name="since"/> does not.</summary>
    public int CommitsSince(string branch, string since) =>
        int.Parse(Git(BarePath, "rev-list", "--count", $"{since}..refs/heads/{branch}").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Installs a server-side hook (e.g. <c>pre-receive</c>) as an executable shell script.</summary>
    public void InstallHook(string name, string script)
    {
        var path = Path.Combine(BarePath, "hooks", name);
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => DeleteDirectory(Root);

    private string Revision(string revision) => Head(revision) ?? revision;

    private static string Git(string workingDirectory, params string[] arguments)
    {
        var (code, output, error) = Run(workingDirectory, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({code}): {error}");
    }

    private static (int Code, string Output) TryGit(string workingDirectory, params string[] arguments)
    {
        var (code, output, _) = Run(workingDirectory, arguments);
        return (code, output);
    }

    /// <summary>
    /// Runs git in <paramref name="workingDirectory"/> with <paramref name="input"/> on stdin and extra environment
    /// variables (e.g. <c>GIT_INDEX_FILE</c>, <c>GIT_AUTHOR_NAME</c>); throws with git's stderr when it fails.
    /// </summary>
    public static string GitWith(string workingDirectory, string? input, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var (code, output, error) = Run(workingDirectory, arguments, input, environment);
        return code == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed ({code}): {error}");
    }

    /// <summary>Runs git like <see cref="GitWith"/> but returns the exit code instead of throwing.</summary>
    public static int GitExitCode(string workingDirectory, params string[] arguments) => Run(workingDirectory, arguments).Code;

    private static (int Code, string Output, string Error) Run(
        string workingDirectory,
        string[] arguments,
        string? input = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    internal static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
