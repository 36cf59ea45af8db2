using System.Collections.Concurrent;
using System.Diagnostics;
using Atom.Bot.Git;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace Atom.Bot.Retrieval;

/// <summary>
/// The files of a repository's default branch most relevant to a text (an issue, an assignment), for the planner's and
/// the workers' prompts (docs/retrieval.md). Each mirror has its own BM25 index under <c>ATOM_DATA_DIR/retrieval</c>,
/// brought to the branch head incrementally before each ranking; with an embeddings endpoint, BM25 and embeddings are
/// fused by reciprocal rank. Retrieval only helps: any failure is logged and answers <see cref="RelevantFiles.None"/>,
/// and a failing embeddings endpoint leaves BM25 alone.
/// </summary>
public sealed class RepositoryRetrieval(RetrievalOptions options, GitWorkspace git, ILogger<RepositoryRetrieval> logger, EmbeddingsRanker? embeddings = null)
{
    /// <summary>How deep into each ranking fusion looks.</summary>
    public const int FusionDepth = 50;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public RetrievalOptions Options => options;

    /// <summary>
    /// The files of <paramref name="branch"/> (as the mirror last fetched it) most relevant to <paramref name="query"/>,
    /// among those <paramref name="include"/> accepts (a worker's scope), with the outlines of their definitions.
    /// </summary>
    public async Task<RelevantFiles> RelevantAsync(RepositoryRef repo, string branch, string query, Func<string, bool>? include, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repo);
        try
        {
            var head = await git.HeadOfAsync(repo, branch, cancellationToken);
            if (head is null || string.IsNullOrWhiteSpace(query))
            {
                return RelevantFiles.None;
            }

            var mirror = git.MirrorPath(repo);
            var directory = Path.Combine(options.Directory, GitMirrors.SafeName(repo.Owner), GitMirrors.SafeName(repo.Name));
            var gate = _locks.GetOrAdd(directory, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
            try
            {
                var watch = Stopwatch.StartNew();
                var (index, update) = await UpToDateAsync(repo, directory, mirror, head, cancellationToken);
                using var _ = index;
                Log.Indexed(logger, repo.Owner, repo.Name, update.Commit, update.Indexed.Count, update.Deleted.Count, update.Unchanged, watch.ElapsedMilliseconds);

                var bm25 = index.Search(query, embeddings is null ? RetrievalOptions.RankedFiles : FusionDepth, include).Select(h => h.Path).ToList();
                var ranking = (IReadOnlyList<string>)bm25;
                var hybrid = false;
                if (embeddings is not null)
                {
                    var files = index.Files().Where(f => include is null || include(f.Path)).ToList();
                    var semantic = await embeddings.RankAsync(mirror, files, query, FusionDepth, cancellationToken);
                    if (semantic.ChunksEmbedded > 0)
                    {
                        Log.Embedded(logger, semantic.ChunksEmbedded, repo.Owner, repo.Name);
                    }

                    if (semantic.IsOk)
                    {
                        ranking = RankFusion.Fuse(bm25, semantic.Paths!);
                        hybrid = true;
                    }
                    else
                    {
                        Log.EmbeddingsFailed(logger, repo.Owner, repo.Name, semantic.Error!);
                    }
                }

                return new RelevantFiles(Outlined(mirror, index, ranking.Take(RetrievalOptions.RankedFiles).ToList()), update.Commit, hybrid);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RetrievalFailed(logger, repo.Owner, repo.Name, ex.Message);
            return RelevantFiles.None;
        }
    }

    // The index is only a cache of the mirror: one that cannot be read or written (a crash mid-write, a disk error, a
    // format from another version) is dropped and built again from the mirror, once.
    private async Task<(RepositoryIndex Index, IndexUpdate Update)> UpToDateAsync(RepositoryRef repo, string directory, string mirror, string head, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var index = new RepositoryIndex(directory);
            try
            {
                return (index, await Task.Run(() => index.Update(mirror, head, cancellationToken), cancellationToken));
            }
            catch (IOException ex) when (attempt == 1)
            {
                index.Dispose();
                Log.IndexRebuilt(logger, repo.Owner, repo.Name, ex.Message);
                Directory.Delete(directory, recursive: true);
            }
            catch
            {
                index.Dispose();
                throw;
            }
        }
    }

    private static List<RankedFile> Outlined(string mirror, RepositoryIndex index, IReadOnlyList<string> paths)
    {
        var blobs = index.Files().ToDictionary(f => f.Path, f => f.Blob, StringComparer.Ordinal);
        using var repository = new Repository(mirror);
        return [.. paths.Select((path, i) =>
        {
            var blob = blobs[path];
            var text = repository.Lookup<Blob>(blob) is { } found ? RepositoryIndex.Text(found) : null;
            return new RankedFile(i + 1, path, blob, text is null ? [] : Outline.Of(path, text, RetrievalOptions.OutlineEntries));
        })];
    }
}
