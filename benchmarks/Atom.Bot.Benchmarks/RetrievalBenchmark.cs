using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atom.Bot.Retrieval;
using LibGit2Sharp;

namespace Atom.Bot.Benchmarks;

/// <summary>
/// Retrieval quality on a labelled set built from this repository's own history (issue 18, "Measured"): for each past
/// commit, its subject is the query, the src/ files it changed are the relevant set, and the tree at its parent is
/// indexed (incrementally, commit after commit, as a mirror's index follows its default branch). Reports recall@10 of
/// BM25 against the plain file list a model sees from list_files (the first 10 paths in <c>git ls-files</c> order),
/// and of the hybrid ranking when <c>ATOM_EMBEDDINGS_BASE_URL</c> and <c>ATOM_EMBEDDINGS_MODEL</c> are set.
/// </summary>
/// <remarks>
/// Options: <c>--repo PATH</c> (default: the repository the command runs in), <c>--set FILE</c> (default: the
/// <c>retrieval-set.json</c> shipped beside the benchmark), <c>--build N</c> (write a new set of N cases from the
/// repository's history to <c>--set</c> instead of measuring).
/// </remarks>
public sealed class RetrievalBenchmark : IBenchmark
{
    private const int K = 10;
    private const int MaxTouchedFiles = 15;
    private const string DefaultSetName = "retrieval-set.json";

    // Commit subjects are shown as written (apostrophes, quotes), not as \u escapes: the set is read by people too.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => "retrieval";

    public string Description => "recall@10 of BM25 (and hybrid) vs the plain file list, on this repository's history";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var repo = Argument(args, "--repo") ?? RepositoryRoot(Environment.CurrentDirectory);
        var setPath = Argument(args, "--set") ?? Path.Combine(AppContext.BaseDirectory, DefaultSetName);
        if (Argument(args, "--build") is { } build)
        {
            var built = Build(repo, int.Parse(build, CultureInfo.InvariantCulture));
            await File.WriteAllTextAsync(setPath, JsonSerializer.Serialize(built, Json) + "\n", cancellationToken);
            Console.WriteLine($"  wrote {built.Count} cases from {repo} to {setPath}");
            return;
        }

        var cases = JsonSerializer.Deserialize<List<RetrievalCase>>(await File.ReadAllTextAsync(setPath, cancellationToken))!;
        var work = Directory.CreateTempSubdirectory("atom-bench-retrieval-");
        try
        {
            await MeasureAsync(repo, cases, work.FullName, cancellationToken);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task MeasureAsync(string repo, List<RetrievalCase> cases, string work, CancellationToken cancellationToken)
    {
        var embeddings = Environment.GetEnvironmentVariable("ATOM_EMBEDDINGS_BASE_URL") is { Length: > 0 } url
            ? new RetrievalOptions
            {
                Directory = work,
                ContextTokens = 32768,
                EmbeddingsBaseUrl = new Uri(url.EndsWith('/') ? url : url + "/"),
                EmbeddingsModel = Environment.GetEnvironmentVariable("ATOM_EMBEDDINGS_MODEL"),
                EmbeddingsApiKey = Environment.GetEnvironmentVariable("ATOM_EMBEDDINGS_API_KEY"),
            }
            : null;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var ranker = embeddings is { HasEmbeddings: true } ? new EmbeddingsRanker(new EmbeddingsClient(http, embeddings), embeddings) : null;

        using var index = new RepositoryIndex(Path.Combine(work, "index"));
        using var repository = new Repository(repo);
        double baseline = 0, srcBaseline = 0, bm25 = 0, hybrid = 0;
        int measured = 0, skipped = 0, read = 0, bm25Firsts = 0;
        var indexing = new Stopwatch();
        var searching = new Stopwatch();
        // Oldest first: each parent is a small step from the last, as a mirror's default branch moves.
        foreach (var item in Enumerable.Reverse(cases))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (repository.Lookup<Commit>(item.Parent) is not { } parent)
            {
                skipped++;
                continue;
            }

            indexing.Start();
            read += index.Update(repo, item.Parent, cancellationToken).Indexed.Count;
            indexing.Stop();

            var paths = Paths(parent.Tree);
            searching.Start();
            var ranked = index.Search(item.Query, RepositoryRetrieval.FusionDepth).Select(h => h.Path).ToList();
            searching.Stop();
            var relevant = item.Files.ToHashSet(StringComparer.Ordinal);
            baseline += Recall(paths.Take(K), relevant);
            srcBaseline += Recall(paths.Where(p => p.StartsWith("src/", StringComparison.Ordinal)).Take(K), relevant);
            bm25 += Recall(ranked.Take(K), relevant);
            bm25Firsts += ranked.Count > 0 && relevant.Contains(ranked[0]) ? 1 : 0;
            if (ranker is not null)
            {
                var semantic = await ranker.RankAsync(repo, index.Files(), item.Query, RepositoryRetrieval.FusionDepth, cancellationToken);
                if (!semantic.IsOk)
                {
                    throw new InvalidOperationException("embeddings failed: " + semantic.Error);
                }

                hybrid += Recall(RankFusion.Fuse(ranked, semantic.Paths!).Take(K), relevant);
            }

            measured++;
        }

        var n = Math.Max(1, measured);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {measured} cases ({skipped} skipped: parent not in {repo}); recall@{K} averaged over cases"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  plain file list (first {K} of git ls-files):        {baseline / n:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  plain file list of src/ (first {K} under src/):     {srcBaseline / n:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  BM25:                                              {bm25 / n:0.000}  (a relevant file ranked first in {bm25Firsts} of {measured})"));
        Console.WriteLine(Ratio("BM25 / plain file list", bm25, baseline));
        Console.WriteLine(Ratio("BM25 / plain file list of src/", bm25, srcBaseline));
        if (ranker is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  hybrid (BM25 + embeddings, RRF):                   {hybrid / n:0.000}"));
            Console.WriteLine(Ratio("hybrid / BM25", hybrid, bm25));
        }
        else
        {
            Console.WriteLine("  hybrid: not measured (ATOM_EMBEDDINGS_BASE_URL and ATOM_EMBEDDINGS_MODEL unset)");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  indexing: {read:N0} files read over {measured} parents in {indexing.ElapsedMilliseconds:N0} ms; search: {searching.Elapsed.TotalMilliseconds / n:0.0} ms a query"));
    }

    private static string Ratio(string label, double value, double baseline) =>
        baseline == 0
            ? $"  {label}: the baseline found none (ratio unbounded)"
            : string.Create(CultureInfo.InvariantCulture, $"  {label}: {value / baseline:0.0}x");

    private static double Recall(IEnumerable<string> top, HashSet<string> relevant) =>
        relevant.Count == 0 ? 0 : (double)top.Count(relevant.Contains) / relevant.Count;

    // git ls-files order: paths sorted by their bytes.
    private static List<string> Paths(Tree tree)
    {
        var paths = new List<string>();
        void Walk(Tree t)
        {
            foreach (var entry in t)
            {
                if (entry.TargetType == TreeEntryTargetType.Tree)
                {
                    Walk((Tree)entry.Target);
                }
                else
                {
                    paths.Add(entry.Path.Replace('\\', '/'));
                }
            }
        }

        Walk(tree);
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>
    /// The newest <paramref name="count"/> usable commits, newest first: not merges, at most 15 files touched, at least one
    /// file under src/ that existed at the parent (changed, deleted or renamed away); an added file cannot be retrieved.
    /// </summary>
    private static List<RetrievalCase> Build(string repo, int count)
    {
        var cases = new List<RetrievalCase>();
        using var repository = new Repository(repo);
        foreach (var commit in repository.Commits.QueryBy(new CommitFilter { SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time }))
        {
            if (cases.Count == count)
            {
                break;
            }

            if (commit.Parents.Count() != 1)
            {
                continue;
            }

            var parent = commit.Parents.Single();
            var changes = repository.Diff.Compare<TreeChanges>(parent.Tree, commit.Tree);
            if (changes.Count > MaxTouchedFiles)
            {
                continue;
            }

            var files = changes
                .Where(c => c.Status is ChangeKind.Modified or ChangeKind.Deleted or ChangeKind.Renamed)
                .Select(c => c.OldPath.Replace('\\', '/'))
                .Where(p => p.StartsWith("src/", StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count > 0)
            {
                cases.Add(new RetrievalCase(commit.Sha, parent.Sha, commit.MessageShort, files));
            }
        }

        return cases;
    }

    private static string? Argument(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string RepositoryRoot(string directory)
    {
        var gitDir = Repository.Discover(directory) ?? throw new InvalidOperationException($"{directory} is not inside a git repository; give --repo");
        using var repository = new Repository(gitDir);
        return repository.Info.WorkingDirectory?.TrimEnd('/') ?? gitDir;
    }
}
