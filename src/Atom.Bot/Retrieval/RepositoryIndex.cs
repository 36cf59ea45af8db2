using System.Text;
using LibGit2Sharp;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Atom.Bot.Retrieval;

/// <summary>
/// A BM25 index (Lucene.Net) of one git repository's files at one commit, kept in a directory of its own. Bringing it
/// to another commit reads only the files whose blob id changed (or that are new) and drops the files that are gone;
/// the indexed commit is stored with the index's own commit, so the two cannot disagree after a crash. Binary files
/// (a NUL in the first 8,000 bytes), symbolic links, submodules and files over <see cref="MaxFileBytes"/> are kept as
/// paths with no text: nothing matches them, and they are not read again until their blob changes.
/// Not thread-safe: <see cref="RepositoryRetrieval"/> holds one lock per index around every use.
/// </summary>
public sealed class RepositoryIndex : IDisposable
{
    public const int MaxFileBytes = 256 * 1024;

    /// <summary>Path terms weigh more than content terms: a file named after the subject is usually the one.</summary>
    public const float PathBoost = 2f;

    private const string PathField = "path";
    private const string BlobField = "blob";
    private const string TextField = "text";
    private const string ContentField = "content";
    private const string PathTermsField = "pathterms";
    private const string CommitKey = "atom.commit";
    private const int BinaryProbeBytes = 8000;
    private const int MaxQueryTerms = 256;

    private static readonly LuceneVersion Version = LuceneVersion.LUCENE_48;

    private readonly LuceneDirectory _directory;

    public RepositoryIndex(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        System.IO.Directory.CreateDirectory(directory);
        _directory = FSDirectory.Open(new DirectoryInfo(directory));
    }

    /// <summary>The commit the index answers for, or null when nothing was indexed yet.</summary>
    public string? Commit
    {
        get
        {
            if (!DirectoryReader.IndexExists(_directory))
            {
                return null;
            }

            using var reader = DirectoryReader.Open(_directory);
            return reader.IndexCommit.UserData.TryGetValue(CommitKey, out var commit) ? commit : null;
        }
    }

    /// <summary>Brings the index to <paramref name="commitSha"/> of the repository at <paramref name="gitDirectory"/> (bare or not).</summary>
    public IndexUpdate Update(string gitDirectory, string commitSha, CancellationToken cancellationToken)
    {
        using var repository = new Repository(gitDirectory);
        var commit = repository.Lookup<Commit>(commitSha) ?? throw new ArgumentException($"{commitSha} is not a commit of {gitDirectory}", nameof(commitSha));
        var indexed = Files().ToDictionary(f => f.Path, f => f.Blob, StringComparer.Ordinal);
        if (Commit == commit.Sha)
        {
            // The usual case after the first ranking of a head (the planner, then each worker): no writer, no commit.
            return new IndexUpdate(commit.Sha, [], [], indexed.Count);
        }

        var wanted = new Dictionary<string, TreeEntry>(StringComparer.Ordinal);
        Walk(commit.Tree, wanted);

        var config = new IndexWriterConfig(Version, new WhitespaceAnalyzer(Version))
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            Similarity = new BM25Similarity(),
        };
        using var writer = new IndexWriter(_directory, config);
        var read = new List<string>();
        var deleted = new List<string>();
        var unchanged = 0;
        foreach (var (path, entry) in wanted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (indexed.TryGetValue(path, out var blob) && blob == entry.Target.Sha)
            {
                unchanged++;
                continue;
            }

            writer.UpdateDocument(new Term(PathField, path), Document(path, entry));
            read.Add(path);
        }

        foreach (var path in indexed.Keys.Where(p => !wanted.ContainsKey(p)))
        {
            writer.DeleteDocuments(new Term(PathField, path));
            deleted.Add(path);
        }

        writer.SetCommitData(new Dictionary<string, string> { [CommitKey] = commit.Sha });
        writer.Commit();
        return new IndexUpdate(commit.Sha, read, deleted, unchanged);
    }

    /// <summary>Every file the index holds, with its blob id.</summary>
    public IReadOnlyList<IndexedFile> Files()
    {
        var files = new List<IndexedFile>();
        if (!DirectoryReader.IndexExists(_directory))
        {
            return files;
        }

        using var reader = DirectoryReader.Open(_directory);
        var live = MultiFields.GetLiveDocs(reader);
        for (var i = 0; i < reader.MaxDoc; i++)
        {
            if (live is null || live.Get(i))
            {
                var document = reader.Document(i);
                files.Add(new IndexedFile(document.Get(PathField), document.Get(BlobField), document.Get(TextField) == "1"));
            }
        }

        return files;
    }

    /// <summary>
    /// The files ranked by BM25 against the terms of <paramref name="query"/>, best first, at most <paramref name="count"/>
    /// of those <paramref name="include"/> accepts.
    /// </summary>
    public IReadOnlyList<(string Path, string Blob, float Score)> Search(string query, int count, Func<string, bool>? include = null)
    {
        var results = new List<(string, string, float)>();
        var terms = CodeTokens.Of(query ?? "").Distinct(StringComparer.Ordinal).Take(MaxQueryTerms).ToList();
        if (terms.Count == 0 || !DirectoryReader.IndexExists(_directory))
        {
            return results;
        }

        var boolean = new BooleanQuery();
        foreach (var term in terms)
        {
            boolean.Add(new TermQuery(new Term(ContentField, term)), Occur.SHOULD);
            boolean.Add(new TermQuery(new Term(PathTermsField, term)) { Boost = PathBoost }, Occur.SHOULD);
        }

        using var reader = DirectoryReader.Open(_directory);
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        // A scope filter may reject most of the best hits; ask for more than needed, then more again if that was not enough.
        for (var asked = Math.Max(count * 4, 50); ; asked *= 4)
        {
            results.Clear();
            var hits = searcher.Search(boolean, asked).ScoreDocs;
            foreach (var hit in hits)
            {
                var document = searcher.Doc(hit.Doc);
                var path = document.Get(PathField);
                if (include is null || include(path))
                {
                    results.Add((path, document.Get(BlobField), hit.Score));
                    if (results.Count == count)
                    {
                        return results;
                    }
                }
            }

            if (hits.Length < asked)
            {
                return results;
            }
        }
    }

    public void Dispose() => _directory.Dispose();

    private static void Walk(Tree tree, Dictionary<string, TreeEntry> into)
    {
        foreach (var entry in tree)
        {
            if (entry.TargetType == TreeEntryTargetType.Tree)
            {
                Walk((Tree)entry.Target, into);
            }
            else
            {
                into[entry.Path.Replace('\\', '/')] = entry;
            }
        }
    }

    private static Document Document(string path, TreeEntry entry)
    {
        var text = entry.TargetType == TreeEntryTargetType.Blob && entry.Mode != Mode.SymbolicLink ? Text((Blob)entry.Target) : null;
        var document = new Document
        {
            new StringField(PathField, path, Field.Store.YES),
            new StringField(BlobField, entry.Target.Sha, Field.Store.YES),
            new StoredField(TextField, text is null ? "0" : "1"),
        };
        if (text is not null)
        {
            document.Add(new TextField(ContentField, string.Join(' ', CodeTokens.Of(text)), Field.Store.NO));
            document.Add(new TextField(PathTermsField, string.Join(' ', CodeTokens.OfPath(path)), Field.Store.NO));
        }

        return document;
    }

    /// <summary>A blob's text, or null for a binary or oversized one.</summary>
    internal static string? Text(Blob blob)
    {
        if (blob.Size > MaxFileBytes)
        {
            return null;
        }

        using var stream = blob.GetContentStream();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return bytes[..Math.Min(bytes.Length, BinaryProbeBytes)].Contains((byte)0) ? null : Encoding.UTF8.GetString(bytes);
    }
}
